"""Observers and press at the immigration hearing facilities (O1, O2), and hearings closed to the public.

O1: anyone may ask, in person, to observe proceedings at an immigration hearing facility (Laredo,
Brownsville); access is granted case by case and the request and decision are recorded. Proceedings are
generally public, except where the law or the person's sensitive matters restrict it: court staff close
such a hearing to the public (``hearing_close_to_public``) and observers are refused for it with that
reason — ``o1_closed_hearing``, in the plain words of ``CLOSED_WORDS`` — never its details. O2: a press
visit is coordinated through DHS Public Affairs (the outlet and the Public Affairs contact are required)
and granted case by case, recorded like O1.

An observer request is about a facility, not a person: it is no case event, and it keeps personal data
out of its log (a request names at most a hearing, shown by its time and place). Its row has history (who
recorded and decided it, when, why). Closing a hearing is a case event (``hearing.closed_to_public``)
whose reason reveals nothing (``CLOSED_EVENT_REASON``); the real reason is on the hearing row only
(``Hearing.closed_reason``), for court staff.

Who: ``hearings.workflow.OBSERVER_ROLES`` (court staff, nationally; CBP supervisors posted at the facility
or at its reporting port) record and decide requests; court staff alone close a hearing or open it again.
A facility or request a CBP supervisor is not posted at answers as a missing one (404).

Lock order: a hearing's row before the observer requests naming it (closing revises their grants;
deciding locks the named hearing first), so the two never wait on each other in opposite orders.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases.exceptions import CaseNotFound, IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from cases.services import case_event_record, require_reason
from hearings.models import Hearing, HearingLocation, ObserverRequest
from hearings.workflow import COURT_ROLES, OBSERVER_ROLES
from mpp.accounts.models import User
from mpp.accounts.roles import Role, roles_in_words
from mpp.audit.services import history_stamp

# O1: what an observer is told about a closed hearing — that it is closed, never why in detail.
CLOSED_WORDS = "This hearing is closed to the public to protect the person's sensitive matters."
CLOSED_CODE = "o1_closed_hearing"
# The case event's reason: everyone who reads the timeline reads it, so it reveals no details.
CLOSED_EVENT_REASON = "Closed to the public (O1)."
OPENED_EVENT_REASON = "Open to the public again (O1)."
# The hearings of a day an observer may be in: not one rescheduled (it did not take place that day).
DAY_STATUSES = (Hearing.Status.SCHEDULED, Hearing.Status.CONTINUED, Hearing.Status.HELD)
# A time given for when someone asked may be a few minutes ahead of the server's clock, no more.
CLOCK_SLACK = dt.timedelta(minutes=5)
NOT_FOUND = "No such hearing facility among those you record observers for."
REQUEST_NOT_FOUND = "No such observer request at a facility you record observers for."


# --- who and where -------------------------------------------------------------------------------------


def _require_observer_role(actor: User) -> None:
    if not actor.has_role(*OBSERVER_ROLES):
        raise NotPermitted(
            f"Observers' and the press's requests (O1, O2) are recorded and decided by: "
            f"{roles_in_words(OBSERVER_ROLES)}."
        )


def facilities() -> QuerySet[HearingLocation]:
    """The immigration hearing facilities (O1: Laredo, Brownsville), one hearing location per facility:
    the first registered for it (e.g. Laredo's, not its Eagle Pass returns' location in the same building)."""
    return (
        HearingLocation.objects.filter(kind=HearingLocation.Kind.HEARING_FACILITY, is_active=True)
        .select_related("facility", "reporting_port")
        .order_by("facility_id", "id")
        .distinct("facility_id")
    )


def may_act_at(actor: User, place: HearingLocation) -> bool:
    """Court staff at every facility; a CBP supervisor at the facility, or at its reporting port, where
    they are posted."""
    if actor.has_role(Role.COURT_STAFF):
        return True
    if not actor.has_role(*OBSERVER_ROLES):
        return False
    return bool({place.facility_id, place.reporting_port_id} & actor.duty_location_ids)


def _facility_for(actor: User, facility_id: int) -> HearingLocation:
    """The facility ``facility_id`` names (any hearing location in its building), as the one hearing
    location its log is kept under. Not a hearing facility: refused naming ``facility`` (O1). One the actor
    may not act at: not found."""
    named = (
        HearingLocation.objects.filter(pk=facility_id).values_list("kind", "facility_id", "is_active").first()
    )
    if named is None:
        raise CaseNotFound(NOT_FOUND)
    kind, building, active = named
    if kind != HearingLocation.Kind.HEARING_FACILITY or not active:
        raise InvalidInput(
            "Observers are recorded at the immigration hearing facilities (Laredo, Brownsville) only (O1).",
            code="o1_not_a_hearing_facility",
            rule="O1",
            field="facility",
        )
    place = facilities().filter(facility_id=building).first()
    if place is None or not may_act_at(actor, place):
        raise CaseNotFound(NOT_FOUND)
    return place


def local_day(moment: dt.datetime, place: HearingLocation) -> dt.date:
    return timezone.localdate(moment, place.zone)


def day_bounds(day: dt.date, place: HearingLocation) -> tuple[dt.datetime, dt.datetime]:
    """The day at the facility, as UTC instants [start, end)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=place.zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=place.zone)
    return start, end


def day_hearings(place: HearingLocation, day: dt.date) -> QuerySet[Hearing]:
    """The hearings at the facility (every hearing location in its building) on ``day`` there that an
    observer may be in (not rescheduled), earliest first."""
    start, end = day_bounds(day, place)
    return Hearing.objects.filter(
        hearing_location__facility_id=place.facility_id,
        hearing_location__kind=HearingLocation.Kind.HEARING_FACILITY,
        starts_at__gte=start,
        starts_at__lt=end,
        status__in=DAY_STATUSES,
    ).order_by("starts_at", "id")


def _clean(value: str, *, field: str, label: str, required: bool, max_length: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"Give the {label}.", code="required", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"The {label} is at most {max_length} characters.", code="max_length", field=field)
    return value


# --- recording a request -------------------------------------------------------------------------------


@transaction.atomic
def observer_request_record(
    *,
    facility_id: int,
    kind: str,
    requester_name: str,
    outlet: str = "",
    public_affairs_contact: str = "",
    for_day: dt.date,
    hearing_id: int | None = None,
    asked_at: dt.datetime | None = None,
    actor: User,
    reason: str,
) -> ObserverRequest:
    """Record that someone asked to observe proceedings at an immigration hearing facility (O1), or that a
    press outlet asked through DHS Public Affairs (O2), for one hearing or for a day. Not decided yet.

    Refusals: NotPermitted (roles); not found (a facility the actor does not act at); InvalidInput naming
    the field — ``facility`` (not a hearing facility, O1), ``kind``, ``requester_name``, ``outlet`` and
    ``public_affairs_contact`` (O2: a press request names both: ``o2_public_affairs_required``),
    ``asked_at`` (in the future), ``hearing`` (not at that facility on that day:
    ``o1_hearing_not_at_facility``), ``reason``."""
    _require_observer_role(actor)
    reason = require_reason(reason)
    place = _facility_for(actor, facility_id)
    if kind not in ObserverRequest.Kind.values:
        raise InvalidInput(
            "Say who asked: a member of the public in person (O1), or the press through DHS Public Affairs "
            "(O2).",
            code="invalid_choice",
            field="kind",
        )
    name = _clean(requester_name, field="requester_name", label="name of the person who asked", required=True)
    press = kind == ObserverRequest.Kind.PRESS
    outlet = _clean(outlet, field="outlet", label="press outlet", required=False) if press else ""
    contact = (
        _clean(
            public_affairs_contact,
            field="public_affairs_contact",
            label="Public Affairs contact",
            required=False,
        )
        if press
        else ""
    )
    if press and not outlet:
        raise InvalidInput(
            "A press request names the outlet (O2).", code="o2_outlet_required", rule="O2", field="outlet"
        )
    if press and not contact:
        raise InvalidInput(
            "Press visits are coordinated through DHS Public Affairs: name who there coordinated this one "
            "(O2).",
            code="o2_public_affairs_required",
            rule="O2",
            field="public_affairs_contact",
        )
    now = timezone.now()
    asked_at = asked_at or now
    if asked_at > now + CLOCK_SLACK:
        raise InvalidInput("When they asked cannot be in the future.", code="in_future", field="asked_at")
    hearing = None
    if hearing_id is not None:
        hearing = day_hearings(place, for_day).filter(pk=hearing_id).first()
        if hearing is None:
            raise InvalidInput(
                f"That hearing is not one at {place.name} on {for_day:%Y-%m-%d} (O1).",
                code="o1_hearing_not_at_facility",
                rule="O1",
                field="hearing",
            )
    request = ObserverRequest(
        facility=place,
        kind=kind,
        requester_name=name,
        outlet=outlet,
        public_affairs_contact=contact,
        asked_at=asked_at,
        for_day=for_day,
        hearing=hearing,
        recorded_by=actor,
    )
    history_stamp(request, actor=actor, reason=reason)
    request.save()
    return request


# --- deciding it ---------------------------------------------------------------------------------------


def _locked_request(*, request_id: int, actor: User) -> ObserverRequest:
    """Lock the named hearing (if any), then the request; a request at a facility the actor does not act
    at answers as a missing one."""
    found = ObserverRequest.objects.filter(pk=request_id).values_list("hearing_id", flat=True)
    if not found:
        raise CaseNotFound(REQUEST_NOT_FOUND)
    hearing_id = found[0]
    if hearing_id is not None:
        list(Hearing.objects.select_for_update().filter(pk=hearing_id).values_list("pk"))
    request = (
        ObserverRequest.objects.select_for_update(of=("self",))
        .select_related("facility", "hearing")
        .get(pk=request_id)
    )
    if not may_act_at(actor, request.facility):
        raise CaseNotFound(REQUEST_NOT_FOUND)
    return request


def _closed_refusal() -> PolicyRefusal:
    return PolicyRefusal(CLOSED_WORDS, code=CLOSED_CODE, rule="O1", field="decision")


@transaction.atomic
def observer_request_decide(*, request_id: int, decision: str, actor: User, reason: str) -> ObserverRequest:
    """Grant or refuse an observer's or the press's request, case by case (O1, O2), with who, when and why.

    A request for a hearing closed to the public is never granted: PolicyRefusal ``o1_closed_hearing``
    in the plain words ``CLOSED_WORDS`` (never the closed reason); refusing it records that code. A
    request for a day covers the hearings open to the public that day only, and the decision says so;
    when every hearing that day is closed, it is refused ``o1_closed_hearing`` too.

    Refusals: NotPermitted (roles); not found; InvalidInput (``decision``, ``reason``); IllegalTransition
    ``o1_already_decided`` (409) once decided."""
    _require_observer_role(actor)
    reason = require_reason(reason)
    if decision not in (ObserverRequest.Decision.GRANTED, ObserverRequest.Decision.REFUSED):
        raise InvalidInput("Decide: granted or refused.", code="invalid_choice", field="decision")
    request = _locked_request(request_id=request_id, actor=actor)
    if request.decision:
        raise IllegalTransition(
            f"This request was already {request.get_decision_display().lower()}; a decision is recorded once "
            "(O1).",
            code="o1_already_decided",
            field="decision",
        )
    closed = request.hearing is not None and request.hearing.closed_to_public
    refusal_code = ""
    words = reason
    if request.hearing is None:
        hearings = list(
            day_hearings(request.facility, request.for_day).values_list("closed_to_public", flat=True)
        )
        shut = sum(hearings)
        if decision == ObserverRequest.Decision.GRANTED and hearings and shut == len(hearings):
            raise PolicyRefusal(
                "Every hearing at this facility that day is closed to the public to protect the people's "
                "sensitive matters.",
                code=CLOSED_CODE,
                rule="O1",
                field="decision",
            )
        if decision == ObserverRequest.Decision.GRANTED:
            words = f"{reason} — The grant covers the hearings open to the public that day only" + (
                f"; {shut} closed to the public (O1) are not covered." if shut else "."
            )
        elif hearings and shut == len(hearings):
            refusal_code = CLOSED_CODE
    elif closed:
        if decision == ObserverRequest.Decision.GRANTED:
            raise _closed_refusal()
        refusal_code = CLOSED_CODE
    request.decision = decision
    request.refusal_code = refusal_code
    request.decision_reason = words
    request.decided_by = actor
    request.decided_at = timezone.now()
    history_stamp(request, actor=actor, reason=words)
    request.save()
    return request


# --- closing a hearing to the public --------------------------------------------------------------------


def _require_court(actor: User) -> None:
    if not actor.has_role(*COURT_ROLES):
        raise NotPermitted(f"A hearing is closed to the public by: {roles_in_words(COURT_ROLES)} (O1).")


def _locked_hearing(hearing_id: int) -> Hearing:
    hearing = (
        Hearing.objects.select_for_update(of=("self",))
        .select_related("case", "hearing_location")
        .filter(pk=hearing_id)
        .first()
    )
    if hearing is None:
        raise CaseNotFound(f"No hearing {hearing_id}.")
    return hearing


@transaction.atomic
def hearing_close_to_public(*, hearing_id: int, actor: User, reason: str) -> Hearing:
    """Close a hearing to the public to protect the person's sensitive matters (O1), court staff only.

    The reason is kept on the hearing row (``closed_reason``, read by court staff only); the case event
    ``hearing.closed_to_public`` says only that it was closed (``CLOSED_EVENT_REASON``), as observers are
    only told that it is. A grant already given for this hearing is revised to refused
    (``o1_closed_hearing``), with history. Closing a closed hearing changes nothing."""
    _require_court(actor)
    reason = require_reason(reason)
    hearing = _locked_hearing(hearing_id)
    if hearing.closed_to_public:
        return hearing
    hearing.closed_to_public = True
    hearing.closed_reason = reason
    hearing.closed_by = actor
    history_stamp(hearing, actor=actor, reason=CLOSED_EVENT_REASON)
    hearing.save(update_fields=["closed_to_public", "closed_reason", "closed_by", "updated_at"])
    case_event_record(
        case=hearing.case,
        type="hearing.closed_to_public",
        actor=actor,
        reason=CLOSED_EVENT_REASON,
        data={"hearing_id": hearing.pk, "starts_at": hearing.starts_at.isoformat()},
        subject=hearing,
    )
    revised = "The hearing was closed to the public after the grant: " + CLOSED_WORDS
    now = timezone.now()
    for granted in (
        ObserverRequest.objects.select_for_update()
        .filter(hearing=hearing, decision=ObserverRequest.Decision.GRANTED)
        .order_by("pk")
    ):
        granted.decision = ObserverRequest.Decision.REFUSED
        granted.refusal_code = CLOSED_CODE
        granted.decision_reason = revised
        granted.decided_by = actor
        granted.decided_at = now
        history_stamp(granted, actor=actor, reason=revised)
        granted.save()
    return hearing


@transaction.atomic
def hearing_open_to_public(*, hearing_id: int, actor: User, reason: str) -> Hearing:
    """Open a closed hearing to the public again (O1: e.g. closed by mistake), court staff only. The earlier
    reason stays in the hearing's history; the case event says only that it is open again. Requests refused
    because it was closed stay refused (a new request may be recorded). Opening an open hearing changes
    nothing."""
    _require_court(actor)
    reason = require_reason(reason)
    hearing = _locked_hearing(hearing_id)
    if not hearing.closed_to_public:
        return hearing
    hearing.closed_to_public = False
    hearing.closed_reason = ""
    hearing.closed_by = None
    history_stamp(hearing, actor=actor, reason=reason)
    hearing.save(update_fields=["closed_to_public", "closed_reason", "closed_by", "updated_at"])
    case_event_record(
        case=hearing.case,
        type="hearing.opened_to_public",
        actor=actor,
        reason=OPENED_EVENT_REASON,
        data={"hearing_id": hearing.pk, "starts_at": hearing.starts_at.isoformat()},
        subject=hearing,
    )
    return hearing
