"""The amenability rules, as one pure function over the recorded facts — read it next to RULES.md.

``propose(family)`` returns, per member, amenable or not with reason codes, each with its rule ID and a
plain explanation; notes that inform the supervisor without excluding anyone; and blockers (facts still
missing) that stop the family being submitted for review. It decides nothing: A3 — a supervisor does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

MEXICO = "MX"
ADULT_AGE = 18


@dataclass(frozen=True)
class Reason:
    code: str
    rule: str
    explanation: str


# Every exclusion code of A2 (and the family codes of F3/F5) with its rule and plain explanation.
EXCLUSIONS: dict[str, Reason] = {
    r.code: r
    for r in [
        Reason(
            "uac",
            "A2",
            "Unaccompanied alien child: under 18 with no parent or legal guardian in the family unit.",
        ),
        Reason(
            "mexican_national",
            "A2",
            "Citizen or national of Mexico: MPP applies only to nationals of other countries.",
        ),
        Reason("expedited_removal", "A2", "Processed for expedited removal."),
        Reason("returning_lpr", "A2", "Returning lawful permanent resident seeking admission."),
        Reason("parole", "A2", "Holds an advance parole document or is in parole status."),
        Reason("health", "A4", "Found not fit to travel by medical personnel: generally excluded."),
        Reason("criminal_history", "A2", "Criminal history or history of violence."),
        Reason("gom_usg_interest", "A2", "Of interest to the Government of Mexico or the U.S. Government."),
        Reason(
            "fear_of_mexico",
            "A2",
            "Assessed more likely than not to face persecution or torture in Mexico (positive non-refoulement assessment).",
        ),
        Reason("discretion", "A2", "Excluded at the discretion of the Port Director or Chief Patrol Agent."),
        Reason(
            "family_mexican_member_fear",
            "F3",
            "A Mexican member of the family fears return to Mexico (stated by them, or by a parent or legal "
            "guardian for a Mexican child): that member cannot be returned voluntarily and the family is not "
            "separated, so no member is processed for MPP.",
        ),
        Reason(
            "family_member_fear_positive",
            "F5",
            "A family member was assessed more likely than not to face persecution or torture in Mexico.",
        ),
    ]
}

NOTES: dict[str, Reason] = {
    r.code: r
    for r in [
        Reason(
            "a1_basis",
            "A1",
            "A national of a country other than Mexico, arriving by land from Mexico, not clearly admissible, "
            "placed in INA 240 proceedings.",
        ),
        Reason(
            "family_kept_together",
            "F1",
            "Non-Mexican member of a mixed-nationality family: may be processed for MPP to keep the family together.",
        ),
        Reason(
            "health_review",
            "A4",
            "Disclosed health history (pregnancy, prior illness or another condition): the supervisor decides "
            "case by case on the totality of circumstances.",
        ),
        Reason(
            "fear_referral",
            "S1",
            "States fear of return to Mexico: referred to USCIS for an MPP assessment interview; the whole "
            "family waits for the outcome before anyone is returned (F4).",
        ),
        Reason(
            "interpretation",
            "N3",
            "Documents served and explained through an interpreter.",
        ),
    ]
}


@dataclass(frozen=True)
class Blocker:
    field: str
    rule: str
    message: str


@dataclass(frozen=True)
class MemberFacts:
    """What the proposal reads for one person. ``key`` identifies the member (the case id)."""

    key: int
    name: str
    age: int
    citizenship: str
    relationship: str
    screened: bool = True
    expedited_removal: bool = False
    returning_lpr: bool = False
    parole: bool = False
    criminal_history: bool = False
    gom_usg_interest: bool = False
    fear_of_return_expressed: bool = False
    fear_assessed_positive: bool = False  # S4: a concurred positive USCIS assessment
    mexican_member_choice: str = ""
    fit_to_travel: str = "not_assessed"
    pregnancy_disclosed: bool = False
    prior_illness_disclosed: bool = False
    other_condition: str = ""
    medical_referral: bool = False
    medical_referral_outcome: str = ""
    officer_fluent: bool | None = None
    interpretation_mode: str = ""
    interpretation_language: str | None = None

    @property
    def is_mexican(self) -> bool:
        return self.citizenship.upper() == MEXICO


@dataclass(frozen=True)
class MemberProposal:
    key: int
    name: str
    amenable: bool
    reasons: tuple[Reason, ...]
    notes: tuple[Reason, ...]
    blockers: tuple[Blocker, ...]
    uac: bool
    refer_to_uscis: bool

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]


@dataclass(frozen=True)
class FamilyProposal:
    members: tuple[MemberProposal, ...]
    family_reasons: tuple[Reason, ...] = field(default=())

    @property
    def blockers(self) -> list[tuple[MemberProposal, Blocker]]:
        return [(m, b) for m in self.members for b in m.blockers]

    @property
    def ready_for_review(self) -> bool:
        return not self.blockers

    def for_member(self, key: int) -> MemberProposal:
        return next(m for m in self.members if m.key == key)

    def as_json(self) -> dict[str, object]:
        return {
            "ready_for_review": self.ready_for_review,
            "family_reasons": [asdict(r) for r in self.family_reasons],
            "members": [
                {
                    "key": m.key,
                    "name": m.name,
                    "amenable": m.amenable,
                    "uac": m.uac,
                    "refer_to_uscis": m.refer_to_uscis,
                    "reasons": [asdict(r) for r in m.reasons],
                    "notes": [asdict(r) for r in m.notes],
                    "blockers": [asdict(b) for b in m.blockers],
                }
                for m in self.members
            ],
        }


def has_parent_or_guardian(member: MemberFacts, family: Sequence[MemberFacts]) -> bool:
    """Relationships are stated relative to the head: the head is the parent of a ``child``; a member
    recorded as ``parent`` or ``legal_guardian`` (of the head) is also the parent of the head's siblings."""
    if member.relationship == "child":
        return any(m.relationship == "head" for m in family)
    if member.relationship in {"head", "sibling"}:
        return any(m.relationship in {"parent", "legal_guardian"} for m in family if m.key != member.key)
    return False


def is_unaccompanied_child(member: MemberFacts, family: Sequence[MemberFacts]) -> bool:
    """A2 ``uac``: under 18 with no parent or legal guardian in the family unit."""
    return member.age < ADULT_AGE and not has_parent_or_guardian(member, family)


def _is_health_exclusion(m: MemberFacts) -> bool:
    """A4: not fit to travel, as found by medical personnel (directly or as the referral's outcome)."""
    return m.fit_to_travel == "not_fit" or m.medical_referral_outcome in {"not_fit", "hospital"}


def is_mixed_nationality(family: Sequence[MemberFacts]) -> bool:
    """F1–F3 are about a family with Mexican and non-Mexican members: only there can MPP (for the others)
    separate a Mexican member from the family."""
    return any(m.is_mexican for m in family) and any(not m.is_mexican for m in family)


def f2_applies(member: MemberFacts, family: Sequence[MemberFacts]) -> bool:
    """F2: a Mexican member *of a mixed-nationality family* chooses voluntary withdrawal (I-275) or voluntary
    return with the family. A Mexican adult alone, or an all-Mexican family, has nothing to choose: simply
    not amenable (A2 ``mexican_national``)."""
    return member.is_mexican and is_mixed_nationality(family)


def _blockers(m: MemberFacts, *, f2: bool, family_fear_f3: bool) -> list[Blocker]:
    if not m.screened:
        return [Blocker("screening", "A3", f"Record the screening of {m.name}.")]
    found: list[Blocker] = []
    if f2 and not family_fear_f3 and not m.mexican_member_choice:
        found.append(
            Blocker(
                "mexican_member_choice",
                "F2",
                f"{m.name} is Mexican: record the choice — voluntary withdrawal (Form I-275) or voluntary return "
                "with the family.",
            )
        )
    if m.medical_referral and not m.medical_referral_outcome:
        found.append(
            Blocker("medical_referral_outcome", "A5", f"Record the outcome of {m.name}'s medical referral.")
        )
    if m.officer_fluent is None:
        found.append(
            Blocker("officer_fluent", "N3", f"Say whether the officer is fluent in {m.name}'s language.")
        )
    elif m.officer_fluent is False and not m.interpretation_mode:
        found.append(
            Blocker(
                "interpretation_mode",
                "N3",
                f"Record how {m.name} was interpreted for (in person or by telephone).",
            )
        )
    if m.interpretation_mode and not m.interpretation_language:
        found.append(
            Blocker("interpretation_language", "N3", f"Record the interpretation language for {m.name}.")
        )
    return found


def propose(family: Sequence[MemberFacts]) -> FamilyProposal:
    """Propose, for each member, amenable or not, with the rules that say why (A1–A5, F1–F3, N3, S1)."""
    mixed = is_mixed_nationality(family)
    # F3: the fear of a Mexican member of a mixed family, stated by them or for a Mexican child by a parent
    # or legal guardian (``fear_of_return_expressed`` records either; a concurred positive assessment of
    # their fear claim means it was stated) → the whole family is not amenable.
    # In a family with no non-Mexican member nobody could be processed for MPP anyway: nothing to add.
    family_fear_f3 = mixed and any(
        m.is_mexican and (m.fear_of_return_expressed or m.fear_assessed_positive) for m in family
    )
    family_reasons = (EXCLUSIONS["family_mexican_member_fear"],) if family_fear_f3 else ()
    # S4/F5: a concurred positive assessment — that person is not amenable (fear_of_mexico), and nor is
    # anyone else in the family unit (family_member_fear_positive).
    family_fear_f5 = any(m.fear_assessed_positive for m in family)
    if family_fear_f5:
        family_reasons = (*family_reasons, EXCLUSIONS["family_member_fear_positive"])

    proposals = []
    for m in family:
        reasons: list[Reason] = []
        notes: list[Reason] = []
        uac = is_unaccompanied_child(m, family)
        if uac:
            reasons.append(EXCLUSIONS["uac"])
        if m.is_mexican:
            reasons.append(EXCLUSIONS["mexican_national"])
        for code in ("expedited_removal", "returning_lpr", "parole"):
            if getattr(m, code):
                reasons.append(EXCLUSIONS[code])
        if _is_health_exclusion(m):
            reasons.append(EXCLUSIONS["health"])
        for code in ("criminal_history", "gom_usg_interest"):
            if getattr(m, code):
                reasons.append(EXCLUSIONS[code])
        if family_fear_f3:
            reasons.append(EXCLUSIONS["family_mexican_member_fear"])
        if m.fear_assessed_positive:
            reasons.append(EXCLUSIONS["fear_of_mexico"])
        elif family_fear_f5:
            reasons.append(EXCLUSIONS["family_member_fear_positive"])

        if m.pregnancy_disclosed or m.prior_illness_disclosed or m.other_condition.strip():
            notes.append(NOTES["health_review"])
        # S1: only matters for someone otherwise amenable (anyone excluded is not returned under MPP anyway).
        refer = m.fear_of_return_expressed and not m.is_mexican and not reasons
        if refer:
            notes.append(NOTES["fear_referral"])
        if mixed and not m.is_mexican:
            notes.append(NOTES["family_kept_together"])
        if m.interpretation_mode:
            notes.append(NOTES["interpretation"])
        if not reasons:
            notes.insert(0, NOTES["a1_basis"])

        proposals.append(
            MemberProposal(
                key=m.key,
                name=m.name,
                amenable=not reasons,
                reasons=tuple(reasons),
                notes=tuple(notes),
                blockers=tuple(_blockers(m, f2=f2_applies(m, family), family_fear_f3=family_fear_f3)),
                uac=uac,
                refer_to_uscis=refer,
            )
        )
    return FamilyProposal(members=tuple(proposals), family_reasons=family_reasons)
