"""Writes of the intake and amenability workflow (A1–A5, F1–F3, N3). Every service is one transaction;
case statuses move only through ``cases.services.case_move``, which records actor and reason."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_countries import countries

from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, Language
from cases.rules import age_on, local_day, normalize_a_number
from cases.selectors import alien_duplicate_candidates, aliens_visible_to, open_cases_of
from cases.services import (
    MemberSpec,
    alien_create,
    case_event_record,
    case_move,
    case_open,
    encounter_create,
    family_lock,
    family_unit_create,
)
from cases.subscribers import local_time_words
from mpp.accounts.models import Location, User
from mpp.accounts.roles import roles_in_words
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit
from screenings.exceptions import ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal, PossibleDuplicate
from screenings.fear_services import ClaimInput, fear_claim_record
from screenings.models import (
    AmenabilityReview,
    DuplicateDismissal,
    FearClaim,
    IntakeDraft,
    MemberDecision,
    ScreeningFacts,
)
from screenings.rules import ADULT_AGE, EXCLUSIONS, MEXICO, propose
from screenings.selectors import family_cases, member_facts, review_separation_refusal, review_stands
from screenings.workflow import AMENABILITY_REVIEW, DECIDE_ROLES, INTAKE_ROLES


def _require(actor: User, roles: frozenset[str], location_id: int, what: str) -> None:
    if not actor.has_role(*roles):
        raise NotPermitted(f"{what} is for: {roles_in_words(roles)}.")
    if location_id not in actor.duty_location_ids:
        raise NotPermitted(f"{what}: this location is not one of your duty locations.", field="location")


# --- Intake: the encounter and the family, member by member -------------------------------------------


@dataclass
class MemberInput:
    """One member as entered. ``existing_alien_id`` links a registered person; ``dismissed`` lists
    possible duplicates the officer has looked at and said are someone else: ``{alien_id: reason}``;
    ``open_case_reason`` is why a person who already has an open case gets another one."""

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
    open_case_reason: str = ""

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
        # Whether this person may be linked is intake_create's check (``_linkable_alien``): one the actor
        # sees, or one the duplicate check offers for the identity typed here, which is therefore kept.
        try:
            alien_id = int(data["existing_alien_id"])
        except (TypeError, ValueError):
            raise InvalidInput(LINK_REFUSED, code="no_such_person", field="existing_alien_id") from None
        typed_born = data.get("date_of_birth")
        try:
            typed_born = typed_born if isinstance(typed_born, dt.date) else parse_date(str(typed_born or ""))
        except ValueError:  # well formed but no such day: nothing to search by
            typed_born = None
        typed_a_number = (data.get("a_number") or "").strip()
        try:
            typed_a_number = normalize_a_number(typed_a_number) if typed_a_number else ""
        except InvalidInput:
            typed_a_number = ""
        return MemberInput(
            relationship=relationship,
            family_name=(data.get("family_name") or "").strip(),
            given_names=(data.get("given_names") or "").strip(),
            date_of_birth=typed_born,
            a_number=typed_a_number or None,
            existing_alien_id=alien_id,
            dismissed=dismissed,
            open_case_reason=str(data.get("open_case_reason") or "").strip(),
        )
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
        open_case_reason=str(data.get("open_case_reason") or "").strip(),
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


# --- Intake: checks across the family, before anything is created --------------------------------------


def _folded(text: str) -> str:
    """A name as compared for identity: accents, case and spacing do not count (María José = MARIA JOSE)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _a_number_of(member: MemberInput) -> str | None:
    if not member.a_number:
        return None
    try:
        return normalize_a_number(member.a_number)
    except InvalidInput:
        return member.a_number  # refused by member_input_from_data; compared as typed here


def _member_words(index: int, member: MemberInput) -> str:
    return f"member {index + 1}" + (f" ({member.label})" if member.label != "this member" else "")


@dataclass(frozen=True)
class RepeatedMember:
    """Two members of one intake who are the same person (indexes from 0), and how that shows."""

    first: int
    second: int
    why: str

    def sentence(self, members: Sequence[MemberInput]) -> str:
        who = members[self.first]
        born = f", born {who.date_of_birth:%Y-%m-%d}" if who.date_of_birth else ""
        name = f"{who.label}{born}" if who.label != "this member" else "the linked registered person"
        return f"members {self.first + 1} and {self.second + 1} are the same person: {name} ({self.why})"


def _same_person_as(earlier: MemberInput, later: MemberInput) -> str:
    """How two members entered together show they are one person ("" if they do not). Twins share a
    family name and a birth date, not given names: they are two people."""
    if earlier.existing_alien_id or later.existing_alien_id:
        same = earlier.existing_alien_id == later.existing_alien_id
        return "both linked to the same registered person" if same else ""
    a_number = _a_number_of(earlier)
    if a_number and a_number == _a_number_of(later):
        return f"the same A-number, {a_number}"
    same_name = (_folded(earlier.family_name), _folded(earlier.given_names)) == (
        _folded(later.family_name),
        _folded(later.given_names),
    )
    if same_name and earlier.date_of_birth and earlier.date_of_birth == later.date_of_birth:
        return "the same name and date of birth"
    return ""


def members_repeated(members: Sequence[MemberInput]) -> list[RepeatedMember]:
    """Members entered twice in one intake: linked to the same person, the same A-number (N2), or the same
    name and date of birth. Each later member is paired with the first earlier one it repeats."""
    found = []
    for second, later in enumerate(members):
        for first, earlier in enumerate(members[:second]):
            why = _same_person_as(earlier, later)
            if why:
                found.append(RepeatedMember(first=first, second=second, why=why))
                break
    return found


def _refuse_members_repeated(members: Sequence[MemberInput]) -> None:
    repeated = members_repeated(members)
    if repeated:
        listed = "; ".join(r.sentence(members) for r in repeated)
        raise InvalidInput(
            f"{listed[0].upper()}{listed[1:]}. Remove the member entered twice.",
            code="same_person_twice",
            field="members",
        )


def a_number_conflict(member: MemberInput, owner: Alien) -> bool:
    """N2: the A-number typed for ``member`` is ``owner``'s but the name or the date of birth differs. The
    officer resolves it — links the member to that person after confirming, or corrects the number — and
    it is never linked silently. Accents, case and spacing of the names do not count."""
    same_name = (_folded(member.family_name), _folded(member.given_names)) == (
        _folded(owner.family_name),
        _folded(owner.given_names),
    )
    return not same_name or member.date_of_birth != owner.date_of_birth


def _refuse_a_number_conflicts(members: Sequence[MemberInput]) -> None:
    """N2: refuse the first member (not explicitly linked) whose A-number belongs to someone else."""
    typed = {_a_number_of(m): index for index, m in enumerate(members) if not m.existing_alien_id}
    typed.pop(None, None)
    owners = {a.a_number: a for a in Alien.objects.filter(a_number__in=list(typed))}
    for a_number, index in sorted(typed.items(), key=lambda item: item[1]):
        owner = owners.get(a_number)
        if owner is not None and a_number_conflict(members[index], owner):
            raise InvalidInput(
                f"{_member_words(index, members[index]).capitalize()}: the A-number {a_number} belongs to "
                f"{owner.full_name}, born {owner.date_of_birth:%Y-%m-%d}. If this is that person, link the "
                "member to them; otherwise correct the A-number.",
                code="a_number_conflict",
                rule="N2",
                field=f"members.{index}.a_number",
            )


def open_cases_in_words(cases: Sequence[Case]) -> str:
    return ", ".join(f"case {c.pk} ({CaseStatus(c.status).label}, {c.location.name})" for c in cases)


def _refuse_second_open_cases(members: Sequence[MemberInput]) -> None:
    """A person who already has an open case gets another only with a reason (recorded by ``case_open``):
    refuse, naming the member and the open case, before anything is created."""
    typed = {_a_number_of(m): index for index, m in enumerate(members) if not m.existing_alien_id}
    typed.pop(None, None)
    registered: dict[int, int] = {  # index → the registered person the member is
        index: m.existing_alien_id for index, m in enumerate(members) if m.existing_alien_id
    }
    for alien_id, a_number in Alien.objects.filter(a_number__in=list(typed)).values_list("pk", "a_number"):
        registered.setdefault(typed[a_number], alien_id)
    open_cases = open_cases_of(alien_ids=registered.values())
    for index in sorted(registered):
        cases = open_cases.get(registered[index], [])
        if cases and not members[index].open_case_reason.strip():
            name = cases[0].alien.full_name if members[index].label == "this member" else members[index].label
            raise InvalidInput(
                f"Member {index + 1} ({name}) already has an open case: {open_cases_in_words(cases)}. Give "
                "the reason for opening another case for them.",
                code="open_case_exists",
                field=f"members.{index}.open_case_reason",
            )


def _refuse_the_same_registered_person_twice(members: Sequence[MemberInput], aliens: Sequence[Alien]) -> None:
    first_index: dict[int, int] = {}
    pairs = []
    for index, alien in enumerate(aliens):
        if alien.pk in first_index:
            pairs.append(
                f"members {first_index[alien.pk] + 1} and {index + 1} are both {alien.full_name}"
                f" ({alien.a_number or 'no A-number'})"
            )
        else:
            first_index[alien.pk] = index
    if pairs:
        raise InvalidInput(
            f"The same registered person is entered twice in this family: {'; '.join(pairs)}. Remove the "
            "member entered twice.",
            code="same_person_twice",
            field="members",
        )


# The one answer for a link or a dismissal the actor may not make, whether the id is unknown or names a person
# outside their scope: the same words, code and status, so ids cannot be probed.
LINK_REFUSED = (
    "No registered person you may link has that id: link a person you can see, or a possible duplicate "
    "the check offered for this member."
)


def _offered_candidates(member: MemberInput) -> list[Alien]:
    """The registered people the duplicate check offers for ``member`` as typed (name and date of birth,
    or A-number; its link and its dismissals aside): searched nationally, as the officer was shown them."""
    return alien_duplicate_candidates(
        family_name=member.family_name,
        given_names=member.given_names,
        date_of_birth=member.date_of_birth,
        a_number=member.a_number,
    )


def _linkable_alien(*, actor: User, member: MemberInput) -> Alien | None:
    """The registered person ``member`` names in ``existing_alien_id``, if ``actor`` may link them: a person
    they may see (``cases.selectors.aliens_visible_to``), or one the duplicate check offers for the identity
    typed with the member — so a person known only at another location is linked by whoever typed their
    name and date of birth (or A-number), never through a guessed id. None otherwise, whether the id is
    unknown or out of scope."""
    if member.existing_alien_id is None:
        return None
    visible = aliens_visible_to(actor).filter(pk=member.existing_alien_id).first()
    if visible is not None:
        return visible
    return next((a for a in _offered_candidates(member) if a.pk == member.existing_alien_id), None)


@transaction.atomic
def intake_create(
    *, actor: User, location: Location, occurred_at: dt.datetime, members: Sequence[MemberInput]
) -> Encounter:
    """Register an encounter with its whole family and open a case per member, all or nothing.

    A member with the A-number of a registered person is linked to that person (N2). A possible duplicate
    (similar name, same or day/month-swapped birth date) must be linked or dismissed with a reason first.
    Refused before anything is created: one person entered twice (``same_person_twice``, naming both
    members), an A-number registered to someone with another name or birth date unless the member is
    linked to them (``a_number_conflict``, N2), a person who has an open case without the member's
    ``open_case_reason`` (``open_case_exists``).
    A member linked by ``existing_alien_id`` must be a person the actor may see, or one the duplicate check
    offers for what is typed with the member (``_linkable_alien``); that is checked first, before any other
    refusal can describe the person, and an unknown id gets the same answer (``no_such_person``). A
    dismissal is recorded only for a candidate the check offers.
    Raises InvalidInput naming the field, NotPermitted for the wrong role or location.
    """
    _require(actor, INTAKE_ROLES, location.pk, "Entering an intake")
    if not members:
        raise InvalidInput("Add at least one member to the family unit.", field="members")
    linked: dict[int, Alien] = {}
    for index, member in enumerate(members):
        if member.existing_alien_id:
            alien_linked = _linkable_alien(actor=actor, member=member)
            if alien_linked is None:
                raise InvalidInput(
                    LINK_REFUSED, code="no_such_person", field=f"members.{index}.existing_alien_id"
                )
            linked[index] = alien_linked
    _refuse_members_repeated(members)
    _refuse_a_number_conflicts(members)
    _refuse_second_open_cases(members)
    # N2 first: a member whose A-number is registered is that person. Then every other member is checked
    # against the registry before anything is created, so all undecided candidates are reported at once
    # (and twins entered together are never compared with each other).
    undecided: dict[int, list[Alien]] = {}
    offered_dismissals: dict[int, dict[int, str]] = {}
    for index, member in enumerate(members):
        if member.existing_alien_id:
            continue  # linked above
        if member.a_number:
            member.a_number = normalize_a_number(member.a_number)
            existing = Alien.objects.filter(a_number=member.a_number).first()
            if existing is not None:
                linked[index] = existing
                continue
        offered = {a.pk: a for a in _offered_candidates(member)}
        found = [a for pk, a in offered.items() if pk not in member.dismissed]
        offered_dismissals[index] = {pk: why for pk, why in member.dismissed.items() if pk in offered}
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
        dismissals.extend((alien, pk, reason) for pk, reason in offered_dismissals.get(index, {}).items())
    _refuse_the_same_registered_person_twice(members, aliens)
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
    for alien, member in zip(aliens, members, strict=True):
        case_open(actor=actor, encounter=encounter, alien=alien, open_case_reason=member.open_case_reason)
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
    """Link member ``index`` to a registered person, or dismiss that candidate with a reason.

    The candidate must be a person ``actor`` may see, or one the duplicate check offers for the member as
    typed in the draft — what the draft page showed them, found nationally (``_linkable_alien``). Raises
    InvalidInput ``no_such_person`` (field ``candidate``) otherwise, the same for an unknown id.
    """
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    members = list(draft.data.get("members", []))
    if not 0 <= index < len(members):
        raise InvalidInput("No such member in this intake.", field="index")
    as_typed = member_input_from_data({**members[index], "existing_alien_id": candidate_id})
    if _linkable_alien(actor=actor, member=as_typed) is None:
        raise InvalidInput(LINK_REFUSED, code="no_such_person", field="candidate")
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
def intake_draft_submit(
    *, actor: User, draft_id: int, open_case_reasons: Mapping[int, str] | None = None
) -> Encounter:
    """Create the encounter, family and cases from a draft (``intake_create``), and close the draft.

    ``open_case_reasons`` maps a member's index to why that person, who already has an open case, gets
    another one (given when the cases are created)."""
    draft = _open_draft_for_update(actor=actor, draft_id=draft_id)
    occurred_at = parse_datetime(draft.data.get("occurred_at") or "")
    if occurred_at is None:
        raise InvalidInput("Enter the date and time of the encounter.", field="occurred_at")
    members = [member_input_from_data(m) for m in draft.data.get("members", [])]
    for index, reason in (open_case_reasons or {}).items():
        if 0 <= index < len(members):
            members[index].open_case_reason = reason.strip()
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
    "fear_stated_by",
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
        "fear_stated_by": ScreeningFacts.FearStatedBy.values,
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
    _settle_fear_stated_by(record, given="fear_stated_by" in facts)
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
    "fear_stated_by": "fear",
    "notes": "medical",
}


def _settle_fear_stated_by(record: ScreeningFacts, *, given: bool) -> None:
    """F3/S1: who stated the fear. Cleared with the fear (unless this save names someone: refused); an
    adult states their own fear (recorded as such when not said); for a child the officer says whether the
    child, a parent or a legal guardian stated it — the mother's statement for her Mexican child is the
    child's fact (F3). Raises InvalidInput naming ``fear_stated_by``."""
    who = record.fear_stated_by or ""
    if not record.fear_of_return_expressed:
        if who and given:
            raise InvalidInput(
                "Who stated the fear is recorded only when a fear of return to Mexico is stated.",
                rule="F3",
                field="fear_stated_by",
            )
        record.fear_stated_by = ""
        return
    encounter = Encounter.objects.select_related("location").get(pk=record.case.encounter_id)
    age = age_on(
        record.case.alien.date_of_birth, local_day(encounter.occurred_at, encounter.location.time_zone)
    )
    name = record.case.alien.full_name
    if age >= ADULT_AGE:
        if who in (ScreeningFacts.FearStatedBy.PARENT, ScreeningFacts.FearStatedBy.LEGAL_GUARDIAN):
            raise InvalidInput(
                f"{name} is {age}: a parent or legal guardian states the fear on behalf of a child only. "
                "Record it as their own statement.",
                rule="F3",
                field="fear_stated_by",
            )
        record.fear_stated_by = who or ScreeningFacts.FearStatedBy.SELF
    elif not who:
        raise InvalidInput(
            f"{name} is a child ({age}): say who stated the fear — {name} themselves, a parent or a legal "
            "guardian.",
            rule="F3",
            field="fear_stated_by",
        )


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

    Locks the family unit, then its cases (pk order). Submitting again while the review is pending, or
    decided and standing, returns it (a double submit changes nothing). A family screened again after its
    decision — every member back in screening — opens a new review, and the decided one is ``superseded``
    (its decision stays on record). Raises PolicyRefusal listing what is missing when the proposal has
    blockers (F2 choice, A5 outcome, N3 interpretation, an unscreened member), or ``screening_closed``
    when some but not all members are in screening. Emits one notification for the location's supervisors.
    """
    encounter = Encounter.objects.select_related("location").filter(pk=encounter_id).first()
    if encounter is None:
        raise NotPermitted("No such encounter.")
    family_lock(family_unit_id=encounter.family_unit_id)
    cases = list(Case.objects.select_for_update().filter(encounter_id=encounter_id).order_by("pk"))
    if not cases:
        raise NotPermitted("No such encounter.")
    _require(actor, INTAKE_ROLES, encounter.location_id, "Submitting a screening")
    existing = (
        AmenabilityReview.objects.select_for_update()
        .filter(encounter_id=encounter_id, status__in=AmenabilityReview.OPEN_OR_DECIDED)
        .first()
    )
    if existing is not None and review_stands(review=existing, statuses=[c.status for c in cases]):
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
        missing = " ".join(f"{b.message.rstrip('.')} ({b.rule})." for _, b in proposal.blockers)
        raise PolicyRefusal(
            f"The screening is not complete. {missing}", code="screening_incomplete", rule="A3"
        )
    if existing is not None:  # decided, and the whole family screened again since: a new review
        existing.status = AmenabilityReview.Status.SUPERSEDED
        history_stamp(
            existing,
            actor=actor,
            reason="Superseded: the family was screened again after this decision and submitted anew",
        )
        existing.save()
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
    # The claim is the same record wherever it is stated later (fear.fear_claim_record returns it).
    by_case = {case.pk: case for case in loaded}
    for member in proposal.members:
        if member.refer_to_uscis:
            member_case = by_case[member.key]
            facts = getattr(member_case, "screening", None)
            fear_claim_record(
                case_id=member.key,
                actor=actor,
                data=ClaimInput(
                    stated_by=(facts.fear_stated_by if facts else "") or FearClaim.StatedBy.SELF,
                    location_id=encounter.location_id,
                    setting=FearClaim.Setting.SCREENING,
                    language_id=member_case.alien.preferred_language_id,
                ),
                review=review,
            )
    outbox_emit(
        event="amenability.review_requested",
        case_id=cases[0].pk,
        data={"review_id": review.pk, "encounter_id": encounter_id},
    )
    return review


def _lock_family_of_review(*, review_id: int) -> None:
    """Lock the review's family unit first — the order every family-wide write takes (family, then its
    rows) — so a decision and a (double) submission of the same family queue up instead of deadlocking.
    A review's encounter never changes, so this unlocked read decides which row to lock."""
    family_unit_id = (
        AmenabilityReview.objects.filter(pk=review_id)
        .values_list("encounter__family_unit_id", flat=True)
        .first()
    )
    if family_unit_id is not None:
        family_lock(family_unit_id=family_unit_id)


def _lock_pending_review(*, actor: User, review_id: int) -> AmenabilityReview:
    """Lock a pending review that ``actor`` may close (decide or return), or raise.

    NotPermitted: no such review, not a supervisor at its location, or separation of duties
    (``review_separation_refusal``). ConcurrentEdit: already closed.
    """
    review = (
        # Only own columns in the locking query: after waiting for the lock PostgreSQL re-reads the
        # locked row but not joined ones, so the decider is loaded after the lock (below).
        AmenabilityReview.objects.select_for_update(of=("self",))
        .select_related("encounter", "location")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotPermitted("No such review.")
    _require(actor, DECIDE_ROLES, review.location_id, "Deciding amenability")
    if review.status != AmenabilityReview.Status.PENDING:
        verb = "returned to the officer" if review.status == AmenabilityReview.Status.RETURNED else "decided"
        when = local_time_words(review.decided_at, review.location.time_zone)
        raise ConcurrentEdit(
            f"This family was already {verb} by {review.decided_by.display_name} at "  # type: ignore[union-attr]
            f"{when}. Nothing was changed.",
            code="already_decided",
            rule="A3",
        )
    refusal = review_separation_refusal(actor=actor, review=review)
    if refusal is not None:
        raise refusal
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

    Locks the family unit, then the review row, then its cases in pk order. Exactly one decision is
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
    _lock_family_of_review(review_id=review_id)
    review = _lock_pending_review(actor=actor, review_id=review_id)
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update().filter(encounter_id=review.encounter_id).order_by("pk")
    }
    proposed = {m["key"]: m for m in review.proposal["members"]}
    stray = set(overrides) - set(proposed)
    if stray:
        raise InvalidInput("An override names a person who is not in this family.", field="overrides")
    facts = {f.case_id: f for f in ScreeningFacts.objects.filter(case_id__in=cases)}
    fear_codes = _concurred_fear_codes(family_unit_id=review.encounter.family_unit_id, case_ids=list(cases))
    outcomes: list[tuple[Case, MemberDecision]] = []
    for key, member in proposed.items():
        codes = [r["code"] for r in member["reasons"]]
        override = overrides.get(key)
        # S4/F3/F5: an assessment concurred positive after the proposal was frozen decides it now; no
        # override takes it away.
        final = list(dict.fromkeys([*codes, *fear_codes.get(key, [])]))
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
    # The supervisor's reason is one text for the whole family and is written on every member's case: if it
    # may speak of one member's health, it is medical on every member's timeline.
    family_sensitivities = sorted(
        {kind for _, decision in outcomes for kind in _decision_sensitivities(decision)}
    )
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
            sensitivities=family_sensitivities,
        )
    outbox_emit(
        event="amenability.decided",
        case_id=min(cases),
        data={"review_id": review.pk, "amenable": [c.pk for c, d in outcomes if d.amenable]},
    )
    return review


def _concurred_fear_codes(*, family_unit_id: int, case_ids: Sequence[int]) -> dict[int, list[str]]:
    """S4, F3, F5: the exclusion codes that concurred positive fear assessments in the family unit give
    each of ``case_ids``: ``fear_of_mexico`` for the person assessed; for the others
    ``family_mexican_member_fear`` (a Mexican member's fear, F3) or ``family_member_fear_positive`` (F5)."""
    positive = list(
        FearClaim.objects.filter(
            case__encounter__family_unit_id=family_unit_id, outcome=FearClaim.Outcome.POSITIVE
        ).values_list("case_id", "case__alien__country_of_citizenship")
    )
    if not positive:
        return {}
    assessed = {case_id for case_id, _ in positive}
    family_code = (
        "family_mexican_member_fear"
        if any(str(country).upper() == MEXICO for _, country in positive)
        else "family_member_fear_positive"
    )
    codes: dict[int, list[str]] = {}
    for case_id in case_ids:
        own = ["fear_of_mexico"] if case_id in assessed else []
        others = assessed - {case_id}
        codes[case_id] = own + ([family_code] if others else [])
    return codes


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
    _lock_family_of_review(review_id=review_id)
    review = _lock_pending_review(actor=actor, review_id=review_id)
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
