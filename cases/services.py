"""Every write of the case registry. Each service runs in one transaction, stamps the actor and reason on
the history row it writes, and emits outbox events in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from cases.exceptions import CaseNotFound, ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import (
    OPEN_REFERRAL,
    Alien,
    Case,
    CaseEvent,
    CaseStatus,
    CustodyDetermination,
    CustodyReferral,
    Encounter,
    EroHandoff,
    FamilyMember,
    FamilyUnit,
    Hold,
    HoldExemption,
    Language,
)
from cases.registry import STATUS_CHANGED, edge_for, edges, hold_kind
from cases.rules import normalize_a_number
from cases.selectors import (
    aliens_visible_to,
    case_is_visible_to,
    custody_refusal,
    move_refusal,
    open_cases_of,
)
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role, roles_in_words
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit


def require_reason(reason: str) -> str:
    """The reason a write records, stripped; an empty one is refused naming the field ``reason``."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give a reason; it is recorded in the case history.", code="reason_required", field="reason"
        )
    return reason


def _full_clean(instance: Model, *, exclude: Sequence[str] = ()) -> None:
    """Run model validation and turn the first error into an InvalidInput that names its field."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(f"{field.replace('_', ' ')}: {' '.join(messages)}", field=field) from exc


def _require_location_access(actor: User, location_id: int) -> None:
    if actor.is_location_scoped and location_id not in actor.duty_location_ids:
        raise NotPermitted("This location is not one of your duty locations.", field="location")


@transaction.atomic
def alien_create(
    *,
    actor: User,
    family_name: str,
    given_names: str,
    date_of_birth: dt.date,
    sex: str,
    country_of_citizenship: str,
    preferred_language: Language,
    a_number: str | None = None,
    reason: str = "Registered at intake",
) -> Alien:
    """Register a person. Normalises the A-number (N2) and refuses one that is already registered."""
    normalized = normalize_a_number(a_number) if a_number not in (None, "") else None
    if date_of_birth > timezone.localdate():
        raise InvalidInput("Date of birth cannot be in the future.", field="date_of_birth")
    if date_of_birth.year < 1900:  # the database refuses it too (alien_dob_plausible)
        raise InvalidInput("Check the year of birth: it is before 1900.", field="date_of_birth")
    if normalized and Alien.objects.filter(a_number=normalized).exists():
        raise InvalidInput(
            f"{normalized} is already registered; link the existing person instead.",
            code="a_number_exists",
            rule="N2",
            field="a_number",
        )
    alien = Alien(
        a_number=normalized,
        family_name=family_name.strip(),
        given_names=given_names.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        country_of_citizenship=(country_of_citizenship or "").upper(),
        preferred_language=preferred_language,
        created_by=actor,
    )
    _full_clean(alien, exclude=["a_number"])
    history_stamp(alien, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            alien.save()
    except IntegrityError as exc:
        if _violated_constraint(exc) != A_NUMBER_UNIQUE:
            raise  # not the A-number: a rule above missed a constraint, and saying "already registered" would lie
        # a concurrent registration of the same A-number won the race
        raise InvalidInput(
            f"{normalized} is already registered.", code="a_number_exists", rule="N2", field="a_number"
        ) from exc
    return alien


# The unique constraint on Alien.a_number, as PostgreSQL names it.
A_NUMBER_UNIQUE = "cases_alien_a_number_key"


def _violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL reported (psycopg's diagnostics), if any."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


# N2: who registers people and their A-numbers (biometrics are taken at the port or station).
A_NUMBER_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR})


@transaction.atomic
def alien_assign_a_number(*, alien_id: int, a_number: str, actor: User, reason: str) -> Alien:
    """Give a registered person who has none their A-number (N2), and record it on each of their cases.

    Locks the person's row. Normalises the number; refuses one already registered to someone else, and a
    person who already has one (a correction is not an assignment). Raises InvalidInput naming
    ``a_number`` or ``reason``, NotPermitted for a role outside CBP's field roles, CaseNotFound when the
    person is not one the actor may see.
    """
    reason = require_reason(reason)
    normalized = normalize_a_number(a_number)
    if not actor.has_role(*A_NUMBER_ROLES):
        names = roles_in_words(A_NUMBER_ROLES)
        raise NotPermitted(f"Assigning an A-number is for: {names}.", field="a_number")
    if not aliens_visible_to(actor).filter(pk=alien_id).exists():
        raise CaseNotFound(f"No person {alien_id} that you can see.")
    alien = Alien.objects.select_for_update().get(pk=alien_id)
    if alien.a_number:
        if alien.a_number == normalized:
            return alien  # the same assignment again (a double submit): no-op
        raise InvalidInput(
            f"{alien.full_name} already has the A-number {alien.a_number}.",
            code="a_number_already_assigned",
            rule="N2",
            field="a_number",
        )
    if Alien.objects.filter(a_number=normalized).exists():
        raise InvalidInput(
            f"{normalized} is already registered to another person.",
            code="a_number_exists",
            rule="N2",
            field="a_number",
        )
    alien.a_number = normalized
    history_stamp(alien, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            alien.save(update_fields=["a_number", "updated_at"])
    except IntegrityError as exc:
        if _violated_constraint(exc) != A_NUMBER_UNIQUE:
            raise
        # a concurrent assignment of the same number won the race
        raise InvalidInput(
            f"{normalized} is already registered.", code="a_number_exists", rule="N2", field="a_number"
        ) from exc
    for case in Case.objects.filter(alien=alien).order_by("pk"):
        case_event_record(
            case=case,
            type="alien.a_number_assigned",
            actor=actor,
            reason=reason,
            data={"a_number": normalized},
            subject=alien,
        )
    return alien


@dataclass(frozen=True)
class MemberSpec:
    alien: Alien
    relationship: str


@transaction.atomic
def family_unit_create(
    *, actor: User, members: Sequence[MemberSpec], reason: str = "Family unit recorded"
) -> FamilyUnit:
    """Record the people encountered together. Exactly one head; a single adult is a family of one."""
    if not members:
        raise InvalidInput("A family unit needs at least one member.", field="members")
    heads = [m for m in members if m.relationship == FamilyMember.Relationship.HEAD]
    if len(heads) != 1:
        raise InvalidInput("Mark exactly one member as the head of the family unit.", field="members")
    alien_ids = [m.alien.pk for m in members]
    if len(set(alien_ids)) != len(alien_ids):
        raise InvalidInput("The same person is listed twice in the family unit.", field="members")
    for m in members:
        if m.relationship not in FamilyMember.Relationship.values:
            raise InvalidInput(f"“{m.relationship}” is not a known relationship.", field="relationship")
    unit = FamilyUnit(created_by=actor)
    history_stamp(unit, actor=actor, reason=reason)
    unit.save()
    for m in members:
        member = FamilyMember(family_unit=unit, alien=m.alien, relationship=m.relationship)
        history_stamp(member, actor=actor, reason=reason)
        member.save()
    return unit


_COMPONENT_FOR_KIND: dict[str, Encounter.Component] = {
    Location.Kind.PORT_OF_ENTRY: Encounter.Component.OFO,
    Location.Kind.BORDER_PATROL_STATION: Encounter.Component.USBP,
}


@transaction.atomic
def encounter_create(
    *,
    actor: User,
    occurred_at: dt.datetime,
    location: Location,
    family_unit: FamilyUnit,
    component: str | None = None,
    reason: str = "Encounter recorded",
) -> Encounter:
    """A1: at a port of entry (OFO) or between ports (USBP); the component follows from the location."""
    if timezone.is_naive(occurred_at):
        raise InvalidInput("Give the encounter time with its time zone.", field="occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput("The encounter time cannot be in the future.", field="occurred_at")
    expected = _COMPONENT_FOR_KIND.get(location.kind)
    if expected is None or not location.is_active:
        raise InvalidInput(
            f"{location} is not an active port of entry or Border Patrol station.",
            rule="A1",
            field="location",
        )
    if component and component != expected:
        raise InvalidInput(
            f"An encounter at {location} is recorded by {expected}, not {component}.",
            rule="A1",
            field="component",
        )
    _require_location_access(actor, location.pk)
    encounter = Encounter(
        occurred_at=occurred_at,
        location=location,
        component=expected,
        family_unit=family_unit,
        created_by=actor,
    )
    history_stamp(encounter, actor=actor, reason=reason)
    encounter.save()
    return encounter


@transaction.atomic
def case_open(
    *,
    actor: User,
    encounter: Encounter,
    alien: Alien,
    reason: str = "Case opened at intake",
    open_case_reason: str = "",
) -> Case:
    """Open a person's case for an encounter, in screening. One case per person per encounter.

    A person who already has an open case (any status outside ``cases.models.CASE_CLOSED_STATUSES``) gets a second one
    only with ``open_case_reason``, recorded in the history and on the ``case.opened`` event with the other
    open cases. Locks the person's row, so two intakes of one person cannot both skip that reason.
    Raises InvalidInput (``not a member``, ``case_exists``, ``open_case_exists`` naming the field).
    """
    _require_location_access(actor, encounter.location_id)
    if not FamilyMember.objects.filter(family_unit_id=encounter.family_unit_id, alien=alien).exists():
        raise InvalidInput("This person is not a member of the family unit of that encounter.", field="alien")
    if Case.objects.filter(encounter=encounter, alien=alien).exists():
        raise InvalidInput(
            "This person already has a case for that encounter.", code="case_exists", field="alien"
        )
    # The person's row is the lock of "at most one open case without a reason".
    Alien.objects.select_for_update().filter(pk=alien.pk).first()
    other_open = [c.pk for c in open_cases_of(alien_ids=[alien.pk]).get(alien.pk, [])]
    open_case_reason = (open_case_reason or "").strip()
    data: dict[str, Any] = {}
    if other_open:
        listed = ", ".join(f"case {pk}" for pk in other_open)
        if not open_case_reason:
            raise InvalidInput(
                f"{alien.full_name} already has an open case ({listed}). Give the reason for opening "
                "another one.",
                code="open_case_exists",
                field="open_case_reason",
            )
        reason = f"{reason}. Another case is open ({listed}): {open_case_reason}"
        data = {"open_case_reason": open_case_reason, "other_open_cases": other_open}
    case = Case(encounter=encounter, alien=alien, location_id=encounter.location_id, created_by=actor)
    history_stamp(case, actor=actor, reason=reason)
    case.save()
    case_event_record(
        case=case, type="case.opened", actor=actor, reason=reason, data={"status": case.status, **data}
    )
    outbox_emit(event="case.opened", case_id=case.pk, data={"status": case.status})
    return case


def case_event_record(
    *,
    case: Case,
    type: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    subject: Model | None = None,
    sensitivities: Sequence[str] = (),
) -> CaseEvent:
    """Append one event to the case's timeline, in the caller's transaction (never on its own: an event
    records a change, and must commit or roll back with it). ``sensitivities`` names the restricted
    content (medical, fear) the reason or data carry; readers without a role for each see only that the
    event happened."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_event_record must run inside the transaction of the change it records.")
    return CaseEvent.objects.create(
        case=case,
        type=type,
        actor=actor,
        reason=reason,
        data=data or {},
        sensitivities=sorted(set(sensitivities)),
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
    )


def family_lock(*, family_unit_id: int) -> FamilyUnit:
    """Lock a family unit's row. Every family-wide invariant (F4, F5, F6) locks the family unit
    first and then its cases in id order, so two writers on one family queue up on this row instead of
    deadlocking on each other's cases, and the second sees what the first committed."""
    return FamilyUnit.objects.select_for_update().get(pk=family_unit_id)


def _family_unit_id_of(case_id: int) -> int:
    # An encounter's family unit never changes, so this unlocked read decides which row to lock.
    found = Case.objects.filter(pk=case_id).values_list("encounter__family_unit_id", flat=True).first()
    if found is None:
        raise CaseNotFound(f"No case {case_id}.")
    return found


def lock_family_and_case(*, case_id: int, actor: User, not_found: str) -> Case:
    """Lock the case's family unit row, then the case's own row (joined rows are not re-read after waiting
    for a lock, so only ``self`` is locked), and check the actor may see the case — on what was locked.
    Raises CaseNotFound with ``not_found`` when they may not (the same answer as a missing case). For every
    workflow's family-wide write (F4, F5): the person, location and encounter come loaded."""
    family_lock(family_unit_id=_family_unit_id_of(case_id))
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("alien", "location", "encounter")
        .get(pk=case_id)
    )
    if not case_is_visible_to(actor, case):
        raise CaseNotFound(not_found)
    return case


@transaction.atomic
def case_move(
    *,
    case_id: int,
    to_status: str,
    actor: User,
    reason: str,
    workflow: str,
    subject: Model | None = None,
    data: dict[str, Any] | None = None,
    sensitivities: Sequence[str] = (),
) -> Case:
    """Move a case to ``to_status`` — the one place a case status is written, called by the workflow that
    owns the move (there is no generic status change).

    Locks the family unit row, then the case row; then, on what it locked, checks the move as
    ``cases.selectors.move_refusal`` does for pages and the API: the transition table, who makes the edge
    (``workflow`` must be the edge's owner, else ``workflow_owned``), the actor's roles for it,
    the duty location, and the open holds of the case and its family (F4, S1/S4). Repeating a move that
    already happened is a no-op. Records the edge's case event (linked to ``subject``, e.g. the review)
    and emits ``case.status_changed`` in the same transaction.

    Raises CaseNotFound (no such case, or not visible to the actor), InvalidInput (reason, status),
    IllegalTransition, NotPermitted (``workflow_owned``, roles), PolicyRefusal (a hold's rule).
    """
    reason = require_reason(reason)
    try:
        target = CaseStatus(to_status)
    except ValueError as exc:
        raise InvalidInput(f"“{to_status}” is not a case status.", field="to_status") from exc
    case = lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )
    if case.status == target:
        # Already there (a double submit, a retried request): no-op, for whoever may make a move into it.
        if not any(e.target == target and e.owner == workflow and actor.has_role(*e.roles) for e in edges()):
            raise NotPermitted(f"You do not move cases to “{target.label}”.", field="to_status")
        return case
    refusal = move_refusal(actor=actor, case=case, target=target, workflow=workflow)
    if refusal is not None:
        raise refusal
    edge = edge_for(case.status, target)
    from_status = case.status
    case.status = target
    case.status_changed_at = timezone.now()
    history_stamp(case, actor=actor, reason=reason)
    case.save(update_fields=["status", "status_changed_at", "updated_at"])
    case_event_record(
        case=case,
        type=edge.event if edge else STATUS_CHANGED,
        actor=actor,
        reason=reason,
        data={**(data or {}), "from": from_status, "to": target.value},
        subject=subject,
        sensitivities=sensitivities,
    )
    outbox_emit(
        event="case.status_changed",
        case_id=case.pk,
        data={"from": from_status, "to": target.value, "actor_id": actor.pk},
    )
    return case


@transaction.atomic
def case_reporting_port_set(*, case: Case, port_id: int | None, actor: User | None, reason: str) -> Case:
    """H1: the port of entry where the person reports for their next hearing (the scheduled hearing's
    reporting port), so that CBP posted there see the case on hearing day. The caller holds the case's
    lock or the hearing's (serving the NTA, moving a hearing). Setting the port it already has is a no-op;
    the change is in the case's history with who and why, and is no case event (the hearing's own event
    says it)."""
    if case.reporting_port_id == port_id:
        return case
    case.reporting_port_id = port_id
    history_stamp(case, actor=actor, reason=reason)
    case.save(update_fields=["reporting_port", "updated_at"])
    return case


# --- holds ---------------------------------------------------------------------------------------------


@transaction.atomic
def hold_open(
    *,
    case_id: int,
    kind: str,
    actor: User,
    reason: str,
    location: Location | None = None,
    subject: Model | None = None,
    workflow: str = "",
) -> Hold:
    """Open a hold of a registered kind on a case (e.g. a fear claim, S1), blocking the moves its kind
    names for the case and its family (F4) until it is released. Changes no status. A kind a workflow owns
    (``HoldKind.workflow``) is opened only by that workflow: anything else gets ``workflow_owned``.

    Locks the family unit row, then the case (the order every family-wide check uses, so a return to
    Mexico in flight either commits before the hold or sees it). Opening a kind that is already open on
    the case returns the open hold (no-op). Records ``hold.opened`` on the case's timeline and emits it.
    Raises InvalidInput (kind, reason), CaseNotFound, NotPermitted (role, duty location).
    """
    reason = require_reason(reason)
    spec = hold_kind(kind)
    if spec is None:
        raise InvalidInput(f"“{kind}” is not a kind of hold.", field="kind")
    if spec.workflow != workflow:
        raise NotPermitted(
            f"“{spec.label}” is recorded through {spec.opened_by_where or spec.workflow}, not here.",
            code="workflow_owned",
            field="kind",
        )
    case = lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )
    if not actor.has_role(*spec.open_roles):
        names = roles_in_words(spec.open_roles)
        raise NotPermitted(f"Opening a hold for “{spec.label}” is for: {names}.", field="kind")
    existing = Hold.objects.filter(case=case, kind=spec.code, released_at__isnull=True).first()
    if existing is not None:
        return existing
    where = location or case.location
    if actor.is_location_scoped and where.pk not in actor.duty_location_ids:
        raise NotPermitted("This location is not one of your duty locations.", field="location")
    hold = Hold(case=case, kind=spec.code, rule=spec.rule, reason=reason, location=where, opened_by=actor)
    history_stamp(hold, actor=actor, reason=reason)
    hold.save()
    case_event_record(
        case=case,
        type="hold.opened",
        actor=actor,
        reason=reason,
        data={"hold_id": hold.pk, "kind": spec.code, "rule": spec.rule, "location": where.name},
        subject=subject or hold,
        sensitivities=spec.sensitivities,
    )
    outbox_emit(
        event="hold.opened",
        case_id=case.pk,
        data={"hold_id": hold.pk, "kind": spec.code, "rule": spec.rule, "location_id": where.pk},
    )
    return hold


@transaction.atomic
def hold_release(*, hold_id: int, actor: User, reason: str, outcome: str = "", workflow: str = "") -> Hold:
    """Release an open hold, naming the outcome its kind asks for (e.g. a concurred negative assessment).
    The case stays exactly where it is: releasing changes no status. A kind a workflow owns is released only
    by that workflow (``workflow_owned`` otherwise).

    Locks the family unit, the case, then the hold. Exactly one release is recorded: a second one gets
    ConcurrentEdit naming who released it and when. Records ``hold.released`` and emits it.
    Raises InvalidInput (reason, outcome), CaseNotFound, NotPermitted, ConcurrentEdit.
    """
    reason = require_reason(reason)
    found = Hold.objects.filter(pk=hold_id).values_list("case_id", flat=True).first()
    if found is None:
        raise CaseNotFound(f"No hold {hold_id}.")
    case = lock_family_and_case(case_id=found, actor=actor, not_found=f"No hold {hold_id} that you can see.")
    hold = Hold.objects.select_for_update(of=("self",)).get(pk=hold_id)
    spec = hold_kind(hold.kind)
    if spec is None:
        raise InvalidInput(f"Holds of kind “{hold.kind}” are no longer registered.", field="kind")
    if spec.workflow != workflow:
        raise NotPermitted(
            f"“{spec.label}” is released through {spec.released_by_where or spec.workflow}, not here.",
            code="workflow_owned",
            field="hold",
        )
    if not actor.has_role(*spec.release_roles):
        names = roles_in_words(spec.release_roles)
        raise NotPermitted(f"Releasing a hold for “{spec.label}” is for: {names}.", field="hold")
    if hold.released_at is not None:
        released_by = hold.released_by.display_name if hold.released_by else "someone"
        raise ConcurrentEdit(
            f"This hold was already released by {released_by} at "
            f"{timezone.localtime(hold.released_at):%Y-%m-%d %H:%M %Z}. Nothing was changed.",
            code="already_released",
            rule=hold.rule,
        )
    allowed = [value for value, _ in spec.outcomes]
    if allowed and outcome not in allowed:
        raise InvalidInput(f"Choose the outcome: {', '.join(allowed)}.", field="outcome")
    if not allowed and outcome:
        raise InvalidInput("This kind of hold is released without an outcome.", field="outcome")
    hold.released_by = actor
    hold.released_at = timezone.now()
    hold.release_reason = reason
    hold.outcome = outcome
    history_stamp(hold, actor=actor, reason=reason)
    hold.save()
    case_event_record(
        case=case,
        type="hold.released",
        actor=actor,
        reason=reason,
        data={"hold_id": hold.pk, "kind": spec.code, "rule": hold.rule, "outcome": outcome},
        subject=hold,
        sensitivities=spec.sensitivities,
    )
    outbox_emit(
        event="hold.released",
        case_id=case.pk,
        data={"hold_id": hold.pk, "kind": spec.code, "outcome": outcome},
    )
    return hold


@transaction.atomic
def hold_exempt_member(*, hold_id: int, case_id: int, actor: User, reason: str) -> HoldExemption:
    """F4's exception: record an independent basis to separate one member (``case_id``) from the family
    block of an open hold on another member's case. Only that member's moves are freed; the claimant's own
    hold and the rest of the family stay blocked. Changes no status.

    Locks the family unit, the member's case, then the hold. Recording it twice is a no-op (returns the
    first). Records ``hold.member_separated`` on the member's and the claimant's timelines and emits it.
    Raises InvalidInput (reason, case), CaseNotFound, NotPermitted (role, duty location), ConcurrentEdit
    (the hold was released meanwhile).
    """
    reason = require_reason(reason)
    found = Hold.objects.filter(pk=hold_id).values_list("case_id", flat=True).first()
    if found is None:
        raise CaseNotFound(f"No hold {hold_id}.")
    member = lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )
    hold = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("case__alien", "case__encounter")
        .get(pk=hold_id)
    )
    spec = hold_kind(hold.kind)
    if spec is None or not spec.blocks_family:
        raise InvalidInput(
            "This hold blocks nobody else in the family: there is nothing to separate.", field="hold"
        )
    if not spec.exempt_roles or not actor.has_role(*spec.exempt_roles):
        names = roles_in_words(spec.exempt_roles)
        raise NotPermitted(
            f"Recording an independent basis to separate a member is for: {names}.", field="hold"
        )
    _require_location_access(actor, member.location_id)
    if hold.case.encounter.family_unit_id != member.encounter.family_unit_id:
        raise InvalidInput("This member is not in the family of the person the hold is on.", field="case")
    if hold.case_id == member.pk:
        raise InvalidInput(
            "The person whose claim this is cannot be separated from their own hold (F4).", field="case"
        )
    existing = HoldExemption.objects.filter(hold=hold, case=member).first()
    if existing is not None:
        return existing
    if hold.released_at is not None:
        raise ConcurrentEdit(
            "This hold was released meanwhile: it blocks nobody now. Nothing was recorded.",
            code="already_released",
            rule=spec.family_rule,
        )
    exemption = HoldExemption(hold=hold, case=member, reason=reason, recorded_by=actor)
    history_stamp(exemption, actor=actor, reason=reason)
    exemption.save()
    data = {"hold_id": hold.pk, "kind": spec.code, "rule": spec.family_rule, "member_case_id": member.pk}
    for case in sorted({member.pk: member, hold.case_id: hold.case}.values(), key=lambda c: c.pk):
        case_event_record(
            case=case,
            type="hold.member_separated",
            actor=actor,
            reason=f"{spec.family_rule}: independent basis to separate {member.alien.full_name}: {reason}",
            data=data,
            subject=exemption,
        )
    outbox_emit(event="hold.member_separated", case_id=member.pk, data=data)
    return exemption


# --- ICE custody (S4, F6) -----------------------------------------------------------------------------

CUSTODY_ROLES = frozenset({Role.ICE_OFFICER})


@transaction.atomic
def custody_refer(*, case_id: int, actor: User, rule: str, code: str, reason: str) -> CustodyReferral:
    """Put a person on ICE's custody queue (S4: removed from MPP or not processed for it). For the workflow
    that decides it, in its transaction (it has locked the family). Referring a case with an open referral
    is a no-op (returns it). Records ``custody.referred`` and emits it (ICE at the case's location is
    told). Raises InvalidInput (reason), CaseNotFound."""
    reason = require_reason(reason)
    case = Case.objects.select_for_update(of=("self",)).select_related("alien").filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}.")
    existing = CustodyReferral.objects.filter(OPEN_REFERRAL, case=case).first()
    if existing is not None:
        return existing
    referral = CustodyReferral(
        case=case, rule=rule, code=code, reason=reason, location_id=case.location_id, referred_by=actor
    )
    history_stamp(referral, actor=actor, reason=reason)
    referral.save()
    case_event_record(
        case=case,
        type="custody.referred",
        actor=actor,
        reason=reason,
        data={"referral_id": referral.pk, "rule": rule, "code": code},
        subject=referral,
    )
    outbox_emit(
        event="custody.referred",
        case_id=case.pk,
        data={"referral_id": referral.pk, "location_id": case.location_id, "code": code},
    )
    return referral


@transaction.atomic
def custody_determine(*, case_id: int, actor: User, decision: str, reason: str) -> CustodyDetermination:
    """Record ICE's case-by-case custody determination (S4): detain, parole, release on recognizance or
    other, with the reason. A later one revisits it: the earlier stays, superseded. Closes the case's open
    referral, if any.

    Locks the case row (then the current determination), so two officers deciding at once record two
    determinations in order, the second superseding the first, both in the history. Records
    ``custody.determined`` and emits it. Raises InvalidInput (decision, reason), CaseNotFound,
    NotPermitted (role), PolicyRefusal (``custody_not_due``: no open referral — a withdrawn one does not
    count — no determination to revisit, and not removed from MPP or not processed for it).
    """
    reason = require_reason(reason)
    if decision not in CustodyDetermination.Decision.values:
        choices = ", ".join(CustodyDetermination.Decision.values)
        raise InvalidInput(f"Choose the decision: {choices}.", field="decision")
    if not actor.has_role(*CUSTODY_ROLES):
        raise NotPermitted(
            f"Custody determinations are for: {roles_in_words(CUSTODY_ROLES)}.", field="decision"
        )
    case = lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )
    previous = CustodyDetermination.objects.select_for_update().filter(case=case, is_current=True).first()
    referral = CustodyReferral.objects.select_for_update().filter(OPEN_REFERRAL, case=case).first()
    refusal = custody_refusal(case=case, current=previous, open_referral=referral)
    if refusal is not None:
        raise refusal
    now = timezone.now()
    if previous is not None:
        previous.is_current = False
        history_stamp(previous, actor=actor, reason=f"Superseded by a new determination: {reason}")
        previous.save(update_fields=["is_current", "updated_at"])
    determination = CustodyDetermination(
        case=case,
        referral=referral,
        decision=decision,
        reason=reason,
        decided_by=actor,
        decided_at=now,
        supersedes=previous,
    )
    history_stamp(determination, actor=actor, reason=reason)
    determination.save()
    if referral is not None:
        referral.determined_at = now
        history_stamp(referral, actor=actor, reason="Custody determined")
        referral.save(update_fields=["determined_at", "updated_at"])
    label = CustodyDetermination.Decision(decision).label
    case_event_record(
        case=case,
        type="custody.revisited" if previous is not None else "custody.determined",
        actor=actor,
        reason=f"{label}: {reason}",
        data={
            "determination_id": determination.pk,
            "decision": decision,
            "supersedes": previous.pk if previous else None,
        },
        subject=determination,
    )
    outbox_emit(
        event="custody.determined",
        case_id=case.pk,
        data={"determination_id": determination.pk, "decision": decision},
    )
    return determination


@transaction.atomic
def custody_referral_withdraw(*, case_id: int, actor: User, reason: str) -> CustodyReferral | None:
    """Withdraw the case's open custody referral (S4 or F6): no determination is due any more — F6/H4, the
    person was granted relief or protection and stays in the U.S. For the workflow that decides it, in its
    transaction (it has checked the actor's role and locked the family); no role check here.

    Locks the case row, then the open referral. No open referral (none, determined or withdrawn already): a
    no-op returning None — a determination ICE already recorded stays as it is. Records
    ``custody.withdrawn`` and emits it (ICE at the referral's location is told). Raises InvalidInput
    (reason), CaseNotFound."""
    reason = require_reason(reason)
    case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}.")
    referral = CustodyReferral.objects.select_for_update().filter(OPEN_REFERRAL, case=case).first()
    if referral is None:
        return None
    referral.withdrawn_at = timezone.now()
    referral.withdrawn_reason = reason
    referral.withdrawn_by = actor
    history_stamp(referral, actor=actor, reason=reason)
    referral.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by", "updated_at"])
    case_event_record(
        case=case,
        type="custody.withdrawn",
        actor=actor,
        reason=reason,
        data={"referral_id": referral.pk, "rule": referral.rule, "code": referral.code},
        subject=referral,
    )
    outbox_emit(
        event="custody.withdrawn",
        case_id=case.pk,
        data={"referral_id": referral.pk, "location_id": referral.location_id, "code": referral.code},
    )
    return referral


# --- ICE ERO hand-off (H4) ----------------------------------------------------------------------------

# H4: who records the hand-off to ICE ERO — CBP where the person is, or the ICE officer taking custody.
# Defined here (cases owns the hand-off record); hearings.workflow registers the edge with this set.
ERO_ROLES = frozenset({Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.ICE_OFFICER})
# The owner of the edge completed_removal_order → handed_to_ice in the registry. Named here as data, not
# imported: cases never imports a workflow's app; hearings.workflow registers the edge under this name.
ERO_HANDOFF_WORKFLOW = "hearings.ero_handoff"


@transaction.atomic
def ero_handoff_due(
    *,
    case_id: int,
    order_ref: str,
    ordered_on: dt.date,
    final_on: dt.date,
    order_words: str,
    location_id: int,
    actor: User,
) -> EroHandoff:
    """H4: a removal order became final: the hand-off to ICE ERO is due at ``location_id`` (ICE officers
    posted there are told through ``ero.handoff_due``). For the workflow that made the order final, in its
    transaction (it has locked the family and the case). Idempotent per (case, ``order_ref``): a second
    call returns the first hand-off. Records ``ero.handoff_due``. Raises CaseNotFound, InvalidInput."""
    order_ref = (order_ref or "").strip()
    if not order_ref:
        raise InvalidInput("Name the order the hand-off carries out.", field="order_ref")
    if final_on < ordered_on:
        raise InvalidInput("An order becomes final on or after the day it was made.", field="final_on")
    case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}.")
    existing = EroHandoff.objects.filter(case=case, order_ref=order_ref).first()
    if existing is not None:
        return existing
    handoff = EroHandoff(
        case=case,
        order_ref=order_ref,
        ordered_on=ordered_on,
        final_on=final_on,
        order_words=order_words,
        location_id=location_id,
    )
    history_stamp(handoff, actor=actor, reason=f"H4: final order of removal — {order_words}")
    handoff.save()
    case_event_record(
        case=case,
        type="ero.handoff_due",
        actor=actor,
        reason=f"{order_words} Final on {final_on:%Y-%m-%d}: hand-off to ICE ERO due (H4).",
        data={"handoff_id": handoff.pk, "order_ref": order_ref, "location_id": location_id, "rule": "H4"},
        subject=handoff,
    )
    outbox_emit(
        event="ero.handoff_due",
        case_id=case.pk,
        data={"handoff_id": handoff.pk, "location_id": location_id},
    )
    return handoff


@transaction.atomic
def ero_handoff_record(
    *,
    handoff_id: int,
    handed_location_id: int,
    received_by_name: str,
    actor: User,
    reason: str,
    handed_at: dt.datetime | None = None,
) -> EroHandoff:
    """H4: record that the person was handed over to ICE ERO — when, where, and the ERO officer who took
    custody; the case moves to "handed to ICE ERO" (``case_move``, which records ``ero.handed_off``).

    Locks the family and the case (through ``lock_family_and_case``), then the hand-off row. Recording a
    hand-off already recorded is a no-op. Raises NotPermitted (roles, duty location), CaseNotFound,
    InvalidInput (received_by_name, handed_at, handed_location, reason), PolicyRefusal ``h4_not_final``
    (no due hand-off: the order is not final, or it was reopened).
    """
    reason = require_reason(reason)
    if not actor.has_role(*ERO_ROLES):
        raise NotPermitted(f"Recording the hand-off to ICE ERO is for: {roles_in_words(ERO_ROLES)}.")
    received_by_name = (received_by_name or "").strip()
    if not received_by_name:
        raise InvalidInput("Name the ICE ERO officer who took custody.", field="received_by_name")
    now = timezone.now()
    handed_at = handed_at or now
    if handed_at > now + dt.timedelta(minutes=5):
        raise InvalidInput("The hand-off cannot be in the future.", field="handed_at")
    place = Location.objects.filter(pk=handed_location_id).first()
    if place is None:
        raise InvalidInput("Choose where the person was handed over.", field="handed_location")
    _require_location_access(actor, place.pk)
    case_id = EroHandoff.objects.filter(pk=handoff_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseNotFound(f"No hand-off {handoff_id}.")
    case = lock_family_and_case(case_id=case_id, actor=actor, not_found=f"No hand-off {handoff_id}.")
    handoff = EroHandoff.objects.select_for_update().get(pk=handoff_id)
    if handoff.handed_at is not None:
        return handoff  # a double submit: already recorded
    if handoff.cancelled_at is not None or case.status != CaseStatus.COMPLETED_REMOVAL_ORDER:
        raise PolicyRefusal(
            f"{case.alien.full_name} has no final order of removal to carry out now "
            f"(“{case.get_status_display()}”): the hand-off to ICE ERO is only on a final order (H4).",
            code="h4_not_final",
            rule="H4",
        )
    handoff.handed_at = handed_at
    handoff.handed_by = actor
    handoff.handed_location = place
    handoff.received_by_name = received_by_name
    handoff.notes = reason
    history_stamp(handoff, actor=actor, reason=reason)
    handoff.save(
        update_fields=["handed_at", "handed_by", "handed_location", "received_by_name", "notes", "updated_at"]
    )
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.HANDED_TO_ICE,
        actor=actor,
        reason=f"Handed over to ICE ERO officer {received_by_name} at {place.name}: {reason}",
        workflow=ERO_HANDOFF_WORKFLOW,
        subject=handoff,
        data={"handoff_id": handoff.pk, "handed_location_id": place.pk, "rule": "H4"},
    )
    return handoff


@transaction.atomic
def ero_handoff_cancel(*, case_id: int, actor: User, reason: str) -> EroHandoff | None:
    """The order was reopened before the hand-off (H5): the case's due hand-off, if any, is cancelled (ICE's
    queue no longer lists it). For the reopening workflow, in its transaction (it has locked the case).
    Returns the cancelled hand-off, or None when none was due. Records ``ero.handoff_cancelled``."""
    reason = require_reason(reason)
    handoff = (
        EroHandoff.objects.select_for_update()
        .filter(case_id=case_id, handed_at__isnull=True, cancelled_at__isnull=True)
        .select_related("case")
        .first()
    )
    if handoff is None:
        return None
    handoff.cancelled_at = timezone.now()
    history_stamp(handoff, actor=actor, reason=reason)
    handoff.save(update_fields=["cancelled_at", "updated_at"])
    case_event_record(
        case=handoff.case,
        type="ero.handoff_cancelled",
        actor=actor,
        reason=reason,
        data={"handoff_id": handoff.pk, "order_ref": handoff.order_ref},
        subject=handoff,
    )
    outbox_emit(event="ero.handoff_cancelled", case_id=case_id, data={"handoff_id": handoff.pk})
    return handoff
