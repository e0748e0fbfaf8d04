"""Writes of the intake and amenability workflow (A1–A5, F1–F3, N3). Every service is one transaction;
case statuses move only through ``cases.services.case_move``, which records actor and reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_countries import countries

from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, Language
from cases.rules import normalize_a_number
from cases.selectors import alien_duplicate_candidates
from cases.services import (
    MemberSpec,
    alien_create,
    case_event_record,
    case_move,
    case_open,
    encounter_create,
    family_lock,
    family_unit_create,
    hold_open,
)
from mpp.accounts.models import Location, User
from mpp.accounts.roles import roles_in_words
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit
from screenings.exceptions import ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal, PossibleDuplicate
from screenings.models import (
    AmenabilityReview,
    DuplicateDismissal,
    IntakeDraft,
    MemberDecision,
    ScreeningFacts,
)
from screenings.rules import EXCLUSIONS, propose
from screenings.selectors import family_cases, member_facts
from screenings.workflow import AMENABILITY_REVIEW, DECIDE_ROLES, FEAR_CLAIM, INTAKE_ROLES


def _require(actor: User, roles: frozenset[str], location_id: int, what: str) -> None:
    if not actor.has_role(*roles):
        raise NotPermitted(f"{what} is for: {roles_in_words(roles)}.")
    if location_id not in actor.duty_location_ids:
        raise NotPermitted(f"{what}: this location is not one of your duty locations.", field="location")


# --- Intake: the encounter and the family, member by member -------------------------------------------


@dataclass
class MemberInput:
    """One member as entered. ``existing_alien_id`` links a registered person; ``dismissed`` lists
    possible duplicates the officer has looked at and said are someone else: ``{alien_id: reason}``."""

    relationship: str
    family_name: str = ""
    given_names: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    country_of_citizenship: str = ""
    preferred_language: Language | None = None
    a_number: str | None = None
    existing_alien_id: int | None = None
    dismissed: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.given_names} {self.family_name}".strip() or "this member"


def member_input_from_data(data: Mapping[str, Any]) -> MemberInput:
    """Validate one member as typed (form, API or a saved draft). Errors name the field."""
    relationship = (data.get("relationship") or "").strip()
    if relationship not in FamilyMember.Relationship.values:
        raise InvalidInput("Choose the relationship to the head of the family unit.", field="relationship")
    dismissed = {int(k): str(v) for k, v in (data.get("dismissed") or {}).items()}
    if data.get("existing_alien_id"):
        alien_id = int(data["existing_alien_id"])
        if not Alien.objects.filter(pk=alien_id).exists():
            raise InvalidInput("The linked person does not exist.", field="existing_alien_id")
        return MemberInput(relationship=relationship, existing_alien_id=alien_id, dismissed=dismissed)
    family_name = (data.get("family_name") or "").strip()
    given_names = (data.get("given_names") or "").strip()
    if not family_name:
        raise InvalidInput("Enter the family name.", field="family_name")
    if not given_names:
        raise InvalidInput("Enter the given names.", field="given_names")
    born = data.get("date_of_birth")
    born = born if isinstance(born, dt.date) else parse_date(str(born or ""))
    if born is None:
        raise InvalidInput("Enter the date of birth as YYYY-MM-DD.", field="date_of_birth")
    if born > timezone.localdate():
        raise InvalidInput("Date of birth cannot be in the future.", field="date_of_birth")
    if born.year < 1900:
        raise InvalidInput("Check the year of birth.", field="date_of_birth")
    sex = (data.get("sex") or "").strip()
    if sex not in Alien.Sex.values:
        raise InvalidInput("Choose the sex (F, M or U).", field="sex")
    country = (data.get("country_of_citizenship") or "").strip().upper()
    if country not in dict(countries):
        raise InvalidInput(
            "Choose a country of citizenship (ISO 3166-1 alpha-2, e.g. HN).", field="country_of_citizenship"
        )
    language = data.get("preferred_language")
    if not isinstance(language, Language):
        language = Language.objects.filter(code=str(language or "")).first()
    if language is None:
        raise InvalidInput("Choose the preferred language.", field="preferred_language")
    a_number = (data.get("a_number") or "").strip() or None
    if a_number:
        a_number = normalize_a_number(a_number)
    return MemberInput(
        relationship=relationship,
        family_name=family_name,
        given_names=given_names,
        date_of_birth=born,
        sex=sex,
        country_of_citizenship=country,
        preferred_language=language,
        a_number=a_number,
        dismissed=dismissed,
    )


def member_input_to_data(member: MemberInput) -> dict[str, Any]:
    return {
        "relationship": member.relationship,
        "family_name": member.family_name,
        "given_names": member.given_names,
        "date_of_birth": member.date_of_birth.isoformat() if member.date_of_birth else "",
        "sex": member.sex,
        "country_of_citizenship": member.country_of_citizenship,
        "preferred_language": member.preferred_language.code if member.preferred_language else "",
        "a_number": member.a_number or "",
        "existing_alien_id": member.existing_alien_id,
        "dismissed": {str(k): v for k, v in member.dismissed.items()},
    }


def member_duplicates(member: MemberInput, *, exclude_ids: Sequence[int] = ()) -> list[Alien]:
    """Registered people this member may be, not yet dismissed."""
    if member.existing_alien_id:
        return []
    found = alien_duplicate_candidates(
        family_name=member.family_name,
        given_names=member.given_names,
        date_of_birth=member.date_of_birth,
        a_number=member.a_number,
        exclude_ids=exclude_ids,
    )
    return [a for a in found if a.pk not in member.dismissed]


@transaction.atomic
def intake_create(
    *, actor: User, location: Location, occurred_at: dt.datetime, members: Sequence[MemberInput]
) -> Encounter:
    """Register an encounter with its whole family and open a case per member, all or nothing.

    A member with the A-number of a registered person is linked to that person (N2). A possible duplicate
    (similar name, same or day/month-swapped birth date) must be linked or dismissed with a reason first.
    Raises InvalidInput naming the field, NotPermitted for the wrong role or location.
    """
    _require(actor, INTAKE_ROLES, location.pk, "Entering an intake")
    if not members:
        raise InvalidInput("Add at least one member to the family unit.", field="members")
    # N2 first: a member whose A-number is registered is that person. Then every other member is checked
    # against the registry before anything is created, so all undecided candidates are reported at once
    # (and twins entered together are never compared with each other).
    linked: dict[int, Alien] = {}
    undecided: dict[int, list[Alien]] = {}
    for index, member in enumerate(members):
        if member.existing_alien_id:
            linked[index] = Alien.objects.get(pk=member.existing_alien_id)
            continue
        if member.a_number:
            member.a_number = normalize_a_number(member.a_number)
            existing = Alien.objects.filter(a_number=member.a_number).first()
            if existing is not None:
                linked[index] = existing
                continue
        found = member_duplicates(member)
        if found:
            undecided[index] = found
    if undecided:
        described = "; ".join(
            f"member {index + 1} ({members[index].label}) may be "
            + ", ".join(
                f"{a} (born {a.date_of_birth:%Y-%m-%d}, {a.a_number or 'no A-number'})" for a in found
            )
            for index, found in undecided.items()
        )
        raise PossibleDuplicate(
            f"Possible duplicates: {described}. Link the person or dismiss each candidate with a reason.",
            candidates=undecided,
        )
    aliens: list[Alien] = []
    dismissals: list[tuple[Alien, int, str]] = []
    for index, member in enumerate(members):
        if index in linked:
            aliens.append(linked[index])
            continue
        alien = alien_create(
            actor=actor,
            a_number=member.a_number,
            family_name=member.family_name,
            given_names=member.given_names,
            date_of_birth=member.date_of_birth,  # type: ignore[arg-type]
            sex=member.sex,
            country_of_citizenship=member.country_of_citizenship,
            preferred_language=member.preferred_language,  # type: ignore[arg-type]
        )
        aliens.append(alien)
        dismissals.extend((alien, candidate_id, reason) for candidate_id, reason in member.dismissed.items())
    if len({a.pk for a in aliens}) != len(aliens):
        raise InvalidInput("The same registered person is entered twice in this family.", field="members")
    unit = family_unit_create(
        actor=actor,
        members=[MemberSpec(alien, m.relationship) for alien, m in zip(aliens, members, strict=True)],
    )
    encounter = encounter_create(actor=actor, occurred_at=occurred_at, location=location, family_unit=unit)
    for alien, candidate_id, reason in dismissals:
        if not reason.strip():
            raise InvalidInput("Give a reason for dismissing a possible duplicate.", field="dismissed")
        DuplicateDismissal.objects.create(
            encounter=encounter,
            alien=alien,
            candidate_id=candidate_id,
            reason=reason.strip(),
            dismissed_by=actor,
        )
    for alien in aliens:
        case_open(actor=actor, encounter=encounter, alien=alien)
    return encounter


@transaction.atomic
def intake_draft_start(*, actor: User, location: Location) -> IntakeDraft:
    _require(actor, INTAKE_ROLES, location.pk, "Entering an intake")
    draft = IntakeDraft(created_by=actor, location=location, data={"members": []})
    history_stamp(draft, actor=actor, reason="Intake started")
    draft.save()
    return draft


def _open_draft_for_update(*, actor: User, draft_id: int) -> IntakeDraft:
    draft = IntakeDraft.objects.select_for_update().filter(pk=draft_id, created_by=actor).first()
    if draft is None:
        raise NotPermitted("No intake draft of yours with that number.")
    if draft.status != IntakeDraft.Status.OPEN:
        raise ConcurrentEdit("This intake was already submitted or abandoned.", code="draft_closed")
    return draft


@transaction.atomic
def intake_draft_save_encounter(
    *, actor: User, draft_id: int, location: Location, occurred_at: dt.datetime | str
) -> IntakeDraft:
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    _require(actor, INTAKE_ROLES, location.pk, "Entering an intake")
    when = occurred_at if isinstance(occurred_at, dt.datetime) else parse_datetime(str(occurred_at or ""))
    if when is None or timezone.is_naive(when):
        raise InvalidInput("Enter the date and time of the encounter.", field="occurred_at")
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput("The encounter time cannot be in the future.", field="occurred_at")
    draft.location = location
    draft.data = {**draft.data, "occurred_at": when.isoformat()}
    history_stamp(draft, actor=actor, reason="Encounter details saved")
    draft.save()
    return draft


@transaction.atomic
def intake_draft_save_member(
    *, actor: User, draft_id: int, data: Mapping[str, Any], index: int | None = None
) -> IntakeDraft:
    """Add (``index`` None) or replace a member of the draft, validated now so errors name the field."""
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    member = member_input_from_data(data)
    members = list(draft.data.get("members", []))
    if index is None:
        members.append(member_input_to_data(member))
    elif 0 <= index < len(members):
        members[index] = member_input_to_data(member)
    else:
        raise InvalidInput("No such member in this intake.", field="index")
    draft.data = {**draft.data, "members": members}
    history_stamp(draft, actor=actor, reason="Member saved")
    draft.save()
    return draft


@transaction.atomic
def intake_draft_remove_member(*, actor: User, draft_id: int, index: int) -> IntakeDraft:
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    members = list(draft.data.get("members", []))
    if not 0 <= index < len(members):
        raise InvalidInput("No such member in this intake.", field="index")
    members.pop(index)
    draft.data = {**draft.data, "members": members}
    history_stamp(draft, actor=actor, reason="Member removed")
    draft.save()
    return draft


@transaction.atomic
def intake_draft_resolve_duplicate(
    *, actor: User, draft_id: int, index: int, candidate_id: int, link: bool, reason: str = ""
) -> IntakeDraft:
    """Link member ``index`` to a registered person, or dismiss that candidate with a reason."""
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    members = list(draft.data.get("members", []))
    if not 0 <= index < len(members):
        raise InvalidInput("No such member in this intake.", field="index")
    if not Alien.objects.filter(pk=candidate_id).exists():
        raise InvalidInput("No such person.", field="candidate")
    member = dict(members[index])
    if link:
        member["existing_alien_id"] = candidate_id
    else:
        if not reason.strip():
            raise InvalidInput("Say why this is a different person.", field="reason")
        member["dismissed"] = {**member.get("dismissed", {}), str(candidate_id): reason.strip()}
    members[index] = member
    draft.data = {**draft.data, "members": members}
    history_stamp(
        draft, actor=actor, reason="Possible duplicate linked" if link else "Possible duplicate dismissed"
    )
    draft.save()
    return draft


@transaction.atomic
def intake_draft_submit(*, actor: User, draft_id: int) -> Encounter:
    """Create the encounter, family and cases from a draft (``intake_create``), and close the draft."""
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    occurred_at = parse_datetime(draft.data.get("occurred_at") or "")
    if occurred_at is None:
        raise InvalidInput("Enter the date and time of the encounter.", field="occurred_at")
    members = [member_input_from_data(m) for m in draft.data.get("members", [])]
    encounter = intake_create(actor=actor, location=draft.location, occurred_at=occurred_at, members=members)
    draft.status = IntakeDraft.Status.SUBMITTED
    draft.encounter = encounter
    history_stamp(draft, actor=actor, reason="Intake submitted: cases opened")
    draft.save()
    return encounter


@transaction.atomic
def intake_draft_abandon(*, actor: User, draft_id: int, reason: str) -> IntakeDraft:
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    if not reason.strip():
        raise InvalidInput("Say why the intake is abandoned.", field="reason")
    draft.status = IntakeDraft.Status.ABANDONED
    history_stamp(draft, actor=actor, reason=reason.strip())
    draft.save()
    return draft


# --- Screening facts ---------------------------------------------------------------------------------

FACT_FIELDS = (
    "expedited_removal",
    "returning_lpr",
    "parole",
    "criminal_history",
    "gom_usg_interest",
    "fear_of_return_expressed",
    "mexican_member_choice",
    "fit_to_travel",
    "pregnancy_disclosed",
    "prior_illness_disclosed",
    "other_condition",
    "medical_referral",
    "medical_referral_outcome",
    "officer_fluent",
    "interpretation_mode",
    "interpretation_language",
    "notes",
)


def _check_facts(facts: ScreeningFacts) -> None:
    """Field-level consistency, so an officer sees which field to fix (the database enforces it too)."""
    if facts.mexican_member_choice and str(facts.case.alien.country_of_citizenship) != "MX":
        raise InvalidInput(
            "The F2 choice applies only to a Mexican member.", rule="F2", field="mexican_member_choice"
        )
    if facts.medical_referral_outcome and not facts.medical_referral:
        raise InvalidInput(
            "Record the referral before its outcome.", rule="A5", field="medical_referral_outcome"
        )
    if facts.officer_fluent and facts.interpretation_mode:
        raise InvalidInput(
            "No interpreter is recorded when the officer is fluent.", rule="N3", field="interpretation_mode"
        )
    if facts.interpretation_mode and facts.interpretation_language_id is None:
        raise InvalidInput("Choose the interpretation language.", rule="N3", field="interpretation_language")
    if facts.officer_fluent is False and not facts.interpretation_mode:
        raise InvalidInput(
            "The officer is not fluent: choose in-person or telephonic interpretation.",
            rule="N3",
            field="interpretation_mode",
        )
    choices = {
        "fit_to_travel": ScreeningFacts.FitToTravel.values,
        "medical_referral_outcome": ScreeningFacts.MedicalOutcome.values,
        "mexican_member_choice": ScreeningFacts.MexicanMemberChoice.values,
        "interpretation_mode": ScreeningFacts.Interpretation.values,
    }
    for name, allowed in choices.items():
        if getattr(facts, name) not in allowed:
            raise InvalidInput(f"“{getattr(facts, name)}” is not a valid choice.", field=name)


@transaction.atomic
def screening_facts_save(*, actor: User, case_id: int, facts: Mapping[str, Any]) -> ScreeningFacts:
    """Record (or correct) the screening facts of one person while the case is in screening.

    Locks the case row. Raises NotPermitted (role, location), PolicyRefusal once the case has left
    screening (the supervisor's review works on what was submitted), InvalidInput naming the field.
    """
    case = Case.objects.select_for_update().select_related("alien").filter(pk=case_id).first()
    if case is None:
        raise NotPermitted("No such case.")
    _require(actor, INTAKE_ROLES, case.location_id, "Recording a screening")
    if case.status != CaseStatus.SCREENING:
        raise PolicyRefusal(
            f"The screening can be changed only while the case is in screening; it is “{CaseStatus(case.status).label}”.",
            code="screening_closed",
            rule="A3",
        )
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown screening field: {', '.join(sorted(unknown))}.", field=sorted(unknown)[0]
        )
    record = ScreeningFacts.objects.filter(case=case).first() or ScreeningFacts(case=case, updated_by=actor)
    for name, value in facts.items():
        if name == "interpretation_language":
            language = (
                value
                if isinstance(value, Language) or value is None
                else Language.objects.filter(code=value).first()
            )
            if value and language is None:
                raise InvalidInput("Unknown language.", field=name)
            record.interpretation_language = language
        else:
            setattr(record, name, value if value is not None or name == "officer_fluent" else "")
    record.updated_by = actor
    record.case = case
    _check_facts(record)
    changed, first = _changed_facts(record), record.pk is None
    history_stamp(record, actor=actor, reason="Screening facts recorded")
    record.save()
    if changed or first:
        case_event_record(
            case=case,
            type="screening.facts_saved",
            actor=actor,
            reason="Screening facts recorded",
            data={"fields": changed},
            subject=record,
            sensitivities=sorted({FACT_SENSITIVITY[name] for name in changed if name in FACT_SENSITIVITY}),
        )
    return record


# Facts whose content is restricted (field-level privacy): A4/A5 medical facts, and the statement of fear
# (S1). ``notes`` are free text an officer may fill with either, so they count as both.
FACT_SENSITIVITY: dict[str, str] = {
    "fit_to_travel": "medical",
    "pregnancy_disclosed": "medical",
    "prior_illness_disclosed": "medical",
    "other_condition": "medical",
    "medical_referral": "medical",
    "medical_referral_outcome": "medical",
    "fear_of_return_expressed": "fear",
    "notes": "medical",
}


def _changed_facts(record: ScreeningFacts) -> list[str]:
    """The fact fields this save changes (all that are set, for a first save), in declaration order."""
    before = ScreeningFacts.objects.filter(pk=record.pk).first() if record.pk else None
    changed = []
    for name in FACT_FIELDS:
        attname = "interpretation_language_id" if name == "interpretation_language" else name
        now = getattr(record, attname)
        if before is None:
            if now not in (None, "", False) and not (name == "fit_to_travel" and now == "not_assessed"):
                changed.append(name)
        elif getattr(before, attname) != now:
            changed.append(name)
    return changed


# --- Review (A3) -------------------------------------------------------------------------------------


@transaction.atomic
def family_submit_for_review(*, actor: User, encounter_id: int) -> AmenabilityReview:
    """Freeze the proposal and send the family to the supervisors of its location (A3).

    Locks the family's cases (pk order). Raises PolicyRefusal listing what is missing when the proposal
    has blockers (F2 choice, A5 outcome, N3 interpretation, an unscreened member). Emits one
    notification for the location's supervisors.
    """
    encounter = Encounter.objects.select_related("location").filter(pk=encounter_id).first()
    if encounter is None:
        raise NotPermitted("No such encounter.")
    family_lock(family_unit_id=encounter.family_unit_id)
    cases = list(Case.objects.select_for_update().filter(encounter_id=encounter_id).order_by("pk"))
    if not cases:
        raise NotPermitted("No such encounter.")
    _require(actor, INTAKE_ROLES, encounter.location_id, "Submitting a screening")
    existing = AmenabilityReview.objects.filter(
        encounter_id=encounter_id, status__in=AmenabilityReview.OPEN_OR_DECIDED
    ).first()
    if existing is not None:
        return existing  # submitted already (double submit): no-op
    not_screening = [c for c in cases if c.status != CaseStatus.SCREENING]
    if not_screening:
        raise PolicyRefusal(
            f"Case {not_screening[0].pk} is no longer in screening; the family cannot be submitted.",
            code="screening_closed",
            rule="A3",
        )
    loaded = family_cases(encounter_id=encounter_id)
    proposal = propose([member_facts(c) for c in loaded])
    if not proposal.ready_for_review:
        missing = "; ".join(f"{b.rule}: {b.message}" for _, b in proposal.blockers)
        raise PolicyRefusal(
            f"The screening is not complete. {missing}", code="screening_incomplete", rule="A3"
        )
    review = AmenabilityReview(
        encounter=encounter,
        location=encounter.location,
        proposal=proposal.as_json(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    history_stamp(review, actor=actor, reason="Screening submitted for supervisor review")
    review.save()
    for case in cases:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.AWAITING_REVIEW,
            actor=actor,
            reason="Screening submitted for supervisor review (A3)",
            workflow=AMENABILITY_REVIEW,
            subject=review,
            data={"review_id": review.pk},
        )
    # S1: a fear of return stated at screening refers the person to USCIS now, not after the review: the
    # hold blocks the claimant's amenability decision and enrolment, and the family's return (F4).
    for member in proposal.members:
        if member.refer_to_uscis:
            hold_open(
                case_id=member.key,
                kind=FEAR_CLAIM.code,
                actor=actor,
                reason="S1: fear of return to Mexico stated at screening; referred to USCIS for an MPP "
                "assessment interview.",
                location=encounter.location,
                subject=review,
            )
    outbox_emit(
        event="amenability.review_requested",
        case_id=cases[0].pk,
        data={"review_id": review.pk, "encounter_id": encounter_id},
    )
    return review


def _lock_pending_review(*, actor: User, review_id: int) -> AmenabilityReview:
    """Lock a pending review that ``actor`` may close (decide or return), or raise.

    NotPermitted: no such review, not a supervisor at its location, or separation of duties (A3: whoever
    entered or submitted the family does not close its review). ConcurrentEdit: already closed.
    """
    review = (
        # Only own columns in the locking query: after waiting for the lock PostgreSQL re-reads the
        # locked row but not joined ones, so the decider is loaded after the lock (below).
        AmenabilityReview.objects.select_for_update(of=("self",))
        .select_related("encounter")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotPermitted("No such review.")
    _require(actor, DECIDE_ROLES, review.location_id, "Deciding amenability")
    if review.status != AmenabilityReview.Status.PENDING:
        verb = "returned to the officer" if review.status == AmenabilityReview.Status.RETURNED else "decided"
        raise ConcurrentEdit(
            f"This family was already {verb} by {review.decided_by.display_name} at "  # type: ignore[union-attr]
            f"{timezone.localtime(review.decided_at):%Y-%m-%d %H:%M %Z}. Nothing was changed.",
            code="already_decided",
            rule="A3",
        )
    if actor.pk in {review.submitted_by_id, review.encounter.created_by_id}:
        raise NotPermitted(
            "Separation of duties: you entered or submitted this family, so another supervisor must decide it.",
            code="separation_of_duties",
            rule="A3",
        )
    return review


@dataclass(frozen=True)
class MemberOverride:
    """A supervisor's departure from the proposal for one member, with the written reason (A3, A4)."""

    kind: str  # one of MemberDecision.Override values except ""
    reason: str


@transaction.atomic
def amenability_decide(
    *, actor: User, review_id: int, reason: str, overrides: Mapping[int, MemberOverride] | None = None
) -> AmenabilityReview:
    """The supervisor decides the family (A3): confirm the proposal, exclude a member (discretion, or a
    case-by-case health decision under A4), or overrule a proposed health exclusion — each with a reason.

    Locks the review row, then the family unit, then its cases in pk order. Exactly one decision is
    recorded: a second supervisor deciding at the same time gets ConcurrentEdit. Whoever entered or
    submitted the family cannot decide it (separation of duties). Moves each case: amenable → AMENABLE,
    not amenable → NOT_AMENABLE with the reason codes. A member's pending fear claim (an open hold, S1/S4)
    refuses the decision with the hold's rule: the family waits in the queue until it is concurred.
    """
    overrides = dict(overrides or {})
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give a reason for the decision; it is recorded in each case's history.", field="reason"
        )
    review = _lock_pending_review(actor=actor, review_id=review_id)
    family_lock(family_unit_id=review.encounter.family_unit_id)
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update().filter(encounter_id=review.encounter_id).order_by("pk")
    }
    proposed = {m["key"]: m for m in review.proposal["members"]}
    stray = set(overrides) - set(proposed)
    if stray:
        raise InvalidInput("An override names a person who is not in this family.", field="overrides")
    facts = {f.case_id: f for f in ScreeningFacts.objects.filter(case_id__in=cases)}
    outcomes: list[tuple[Case, MemberDecision]] = []
    for key, member in proposed.items():
        codes = [r["code"] for r in member["reasons"]]
        override = overrides.get(key)
        final = list(codes)
        if override is not None:
            if not override.reason.strip():
                raise InvalidInput(
                    f"Give the reason for the change to {member['name']}.", field="override_reason"
                )
            if override.kind == MemberDecision.Override.OVERRULE_HEALTH:
                if "health" not in codes:
                    raise InvalidInput(
                        f"{member['name']} has no proposed health exclusion to overrule.",
                        rule="A4",
                        field="overrides",
                    )
                final.remove("health")
            elif override.kind == MemberDecision.Override.EXCLUDE_DISCRETION:
                final.append("discretion")
            elif override.kind == MemberDecision.Override.EXCLUDE_HEALTH:
                if "health" not in final:
                    final.append("health")
            else:
                raise InvalidInput(f"“{override.kind}” is not a supervisor decision.", field="overrides")
        decision = MemberDecision(
            review=review,
            case=cases[key],
            proposed_amenable=member["amenable"],
            proposed_reasons=codes,
            amenable=not final,
            reasons=final,
            override=override.kind if override else "",
            override_reason=override.reason.strip() if override else "",
            mexican_member_choice=facts[key].mexican_member_choice if key in facts else "",
        )
        history_stamp(decision, actor=actor, reason=reason)
        decision.save()
        outcomes.append((cases[key], decision))
    review.status = AmenabilityReview.Status.DECIDED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.decision_reason = reason
    history_stamp(review, actor=actor, reason=reason)
    review.save()
    for case, decision in outcomes:
        if decision.amenable:
            target, why = CaseStatus.AMENABLE, f"A3: amenable, confirmed by the supervisor. {reason}"
        else:
            listed = ", ".join(f"{c} ({EXCLUSIONS[c].rule})" for c in decision.reasons)
            extra = f" Supervisor: {decision.override_reason}" if decision.override_reason else ""
            target, why = CaseStatus.NOT_AMENABLE, f"Not amenable: {listed}.{extra} {reason}"
        # A pending fear claim (its hold) refuses this move for the claimant (S1/S4), and so the
        # family's whole decision: it waits in the queue until USCIS's assessment is concurred.
        case_move(
            case_id=case.pk,
            to_status=target,
            actor=actor,
            reason=why.strip(),
            workflow=AMENABILITY_REVIEW,
            subject=review,
            data={"review_id": review.pk, "reasons": decision.reasons, "override": decision.override},
            sensitivities=_decision_sensitivities(decision),
        )
    outbox_emit(
        event="amenability.decided",
        case_id=min(cases),
        data={"review_id": review.pk, "amenable": [c.pk for c, d in outcomes if d.amenable]},
    )
    return review


@transaction.atomic
def amenability_return(*, actor: User, review_id: int, reason: str) -> AmenabilityReview:
    """The supervisor sends the family back to the officer for re-screening instead of deciding (A3).

    Same lock and checks as ``amenability_decide`` (exactly one supervisor closes a review; separation of
    duties). The review is kept, ``returned``, with the reason; each case goes back to screening (with
    history); the officer corrects the facts and submits again, which opens a new review. Tells the
    officer who entered the family and the one who submitted it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Say what the officer must look at again; it is recorded in each case's history.", field="reason"
        )
    review = _lock_pending_review(actor=actor, review_id=review_id)
    family_lock(family_unit_id=review.encounter.family_unit_id)
    cases = list(Case.objects.select_for_update().filter(encounter_id=review.encounter_id).order_by("pk"))
    review.status = AmenabilityReview.Status.RETURNED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.decision_reason = reason
    history_stamp(review, actor=actor, reason=f"Returned for re-screening: {reason}")
    review.save()
    for case in cases:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.SCREENING,
            actor=actor,
            reason=f"A3: returned to the officer for re-screening. {reason}",
            workflow=AMENABILITY_REVIEW,
            subject=review,
            data={"review_id": review.pk},
        )
    outbox_emit(
        event="amenability.returned",
        case_id=cases[0].pk,
        data={"review_id": review.pk, "encounter_id": review.encounter_id},
    )
    return review


def _decision_sensitivities(decision: MemberDecision) -> list[str]:
    """A decision's reason names health exclusions (A4) and overrides the supervisor explains: medical."""
    health_overrides = {MemberDecision.Override.EXCLUDE_HEALTH, MemberDecision.Override.OVERRULE_HEALTH}
    health = "health" in decision.reasons or "health" in decision.proposed_reasons
    return ["medical"] if health or decision.override in health_overrides else []
