"""Every write of the case registry. Each service runs in one transaction, stamps the actor and reason on
the history row it writes, and emits outbox events in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from cases.exceptions import CaseNotFound, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, FamilyUnit, Language
from cases.permissions import NOTIFY_ON, roles_for_move, workflow_owner
from cases.rules import normalize_a_number
from cases.selectors import case_is_visible_to
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit


def _require_reason(reason: str) -> str:
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
    except IntegrityError as exc:  # a concurrent registration of the same A-number won the race
        raise InvalidInput(
            f"{normalized} is already registered.", code="a_number_exists", rule="N2", field="a_number"
        ) from exc
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
    *, actor: User, encounter: Encounter, alien: Alien, reason: str = "Case opened at intake"
) -> Case:
    """Open a person's case for an encounter, in screening. One case per person per encounter."""
    _require_location_access(actor, encounter.location_id)
    if not FamilyMember.objects.filter(family_unit_id=encounter.family_unit_id, alien=alien).exists():
        raise InvalidInput("This person is not a member of the family unit of that encounter.", field="alien")
    if Case.objects.filter(encounter=encounter, alien=alien).exists():
        raise InvalidInput(
            "This person already has a case for that encounter.", code="case_exists", field="alien"
        )
    case = Case(encounter=encounter, alien=alien, location_id=encounter.location_id, created_by=actor)
    history_stamp(case, actor=actor, reason=reason)
    case.save()
    outbox_emit(event="case.opened", case_id=case.pk, data={"status": case.status})
    return case


def family_return_blocker(*, case: Case) -> Case | None:
    """F4: a member of the same family unit whose fear claim is pending blocks every member's return."""
    return (
        Case.objects.filter(
            encounter__family_unit_id=case.encounter.family_unit_id, status=CaseStatus.FEAR_CLAIM_PENDING
        )
        .exclude(pk=case.pk)
        .select_related("alien")
        .first()
    )


@transaction.atomic
def case_move(*, case_id: int, to_status: str, actor: User, reason: str, notify: bool = True) -> Case:
    """Move a case to ``to_status`` — the one place a case status is written.

    Locks the case row (SELECT … FOR UPDATE). Repeating a move that already happened is a no-op.
    Raises IllegalTransition when the transition table forbids the move, PolicyRefusal (F4) when a
    family member's pending fear claim blocks a return to Mexico. Emits ``case.status_changed``, with
    notifications for the roles NOTIFY_ON names (``notify=False`` when the calling workflow sends one
    notice for a whole family instead). Callers check who may ask for the move: the generic
    ``case_transition`` below, or the workflow service that owns the decision.
    """
    reason = _require_reason(reason)
    try:
        target = CaseStatus(to_status)
    except ValueError as exc:
        raise InvalidInput(f"“{to_status}” is not a case status.", field="to_status") from exc
    case = Case.objects.select_for_update().select_related("alien", "encounter").filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}.")
    if case.status == target:
        return case
    Case.check_transition(case.status, target)
    if target == CaseStatus.IN_MEXICO:
        blocker = family_return_blocker(case=case)
        if blocker is not None:
            raise PolicyRefusal(
                f"{blocker.alien.full_name}, of the same family unit, has a fear claim pending: no member "
                "of the family is returned to Mexico until it is decided.",
                code="family_fear_pending",
                rule="F4",
            )
    from_status = case.status
    case.status = target
    case.status_changed_at = timezone.now()
    history_stamp(case, actor=actor, reason=reason)
    case.save(update_fields=["status", "status_changed_at", "updated_at"])
    _emit_status_changed(case=case, from_status=from_status, actor=actor, reason=reason, notify=notify)
    return case


def _emit_status_changed(*, case: Case, from_status: str, actor: User, reason: str, notify: bool) -> None:
    notify_roles: list[str] = []
    location_id = None
    message = ""
    rule = NOTIFY_ON.get(case.status) if notify else None
    if rule:
        roles, at_location, template = rule
        notify_roles = sorted(roles)
        location_id = case.location_id if at_location else None
        message = template.format(
            case=f"Case {case.pk} ({case.alien.full_name}, {case.alien.a_number or 'no A-number'})"
        )
    outbox_emit(
        event="case.status_changed",
        case_id=case.pk,
        data={"from": from_status, "to": case.status, "actor_id": actor.pk, "reason": reason},
        notify_roles=notify_roles,
        notify_location_id=location_id,
        message=message,
        url=reverse("cases:detail", args=[case.pk]),
    )


def case_transition(*, case_id: int, to_status: str, actor: User, reason: str) -> Case:
    """A user asks to move a case: checks role (deny by default) and duty location, then ``case_move``.

    Raises NotPermitted (403) when a workflow owns the move (``WORKFLOW_OWNED``: the amenability review,
    code ``workflow_owned``) or the actor's roles do not own it (``roles_for_move``: out of a pending fear
    claim, only the supervisory asylum officer, S4); CaseNotFound when the case is outside the
    actor's duty locations; IllegalTransition, PolicyRefusal as ``case_move``.
    """
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case_is_visible_to(actor, case):
        raise CaseNotFound(f"No case {case_id} that you can see.")
    owner = workflow_owner(case.status, to_status)
    if owner is not None:
        raise NotPermitted(
            f"A case moves to “{to_status}” only through {owner}, not a status change.",
            code="workflow_owned",
            field="to_status",
        )
    allowed = roles_for_move(case.status, to_status)
    if not actor.has_role(*allowed):
        names = ", ".join(sorted(Role(r).label for r in allowed)) or "nobody"
        raise NotPermitted(f"Moving a case to “{to_status}” is for: {names}.", field="to_status")
    return case_move(case_id=case_id, to_status=to_status, actor=actor, reason=reason)
