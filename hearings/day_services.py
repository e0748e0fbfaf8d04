"""Hearing day at the reporting port (H1, N5, F4): checking people in (a scan of the tear sheet's barcode,
or the arrivals list), transport to the court or hearing facility, attended or failed to appear, the
return to Mexico (after the hearing, or after the NTA was served), and a night in CBP custody.

Every service runs in one transaction, locks the family units of the people it touches (in id order),
then their cases, then their hearings and attendance rows (each in id order), stamps who and why on every
history row, records one case event per step (the status moves through ``cases.services.case_move``,
which records the edge's own event) and emits outbox events for what subscribers react to. A whole family
checked in or returned together is one transaction: one refusal and nothing is saved.

Who: the port roles (``hearings.workflow.PORT_ROLES``), posted at the hearing's reporting port; a hearing
or case reporting elsewhere is refused as not found (404), as a missing one. Court staff record whether a
person attended (``appearance_record``) from the docket, wherever the port is.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cases.exceptions import CaseNotFound, IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import Case, CaseStatus
from cases.selectors import case_is_visible_to
from cases.services import case_event_record, case_move, family_lock, require_reason
from hearings.i18n import local_words
from hearings.models import Hearing, HearingAttendance, TearSheet
from hearings.rules import scan_code_parse
from hearings.workflow import COURT_ROLES, HEARING_DAY, PORT_ROLES
from mpp.accounts.models import Location, User
from mpp.accounts.roles import roles_in_words
from mpp.audit.services import history_stamp
from mpp.exceptions import DomainError
from mpp.outbox.services import outbox_emit

# The hearings people report for: not one that was rescheduled (it did not take place on its date).
DAY_STATUSES = (Hearing.Status.SCHEDULED, Hearing.Status.CONTINUED, Hearing.Status.HELD)
# Whoever records whether the person attended: court staff from the docket, or CBP at the port.
APPEARANCE_ROLES = frozenset({*COURT_ROLES, *PORT_ROLES})
# A time given for a step (overnight in/out) may be a few minutes ahead of the server's clock, no more.
CLOCK_SLACK = dt.timedelta(minutes=5)
NOT_FOUND = "No such hearing at a port you are posted at."


@dataclass(frozen=True)
class ScanWarning:
    code: str
    message: str


@dataclass
class CheckIn:
    """What a check-in did: the hearing and its attendance row, whether the person was already checked in
    (then nothing changed), the family members with a hearing in the same slot not yet checked in (the
    arrivals list offers them), and what the officer must be told (a superseded tear sheet, N5)."""

    hearing: Hearing
    attendance: HearingAttendance
    already: bool = False
    family: list[Hearing] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)

    @property
    def case(self) -> Case:
        return self.hearing.case


def _zone(location: Location) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(location.time_zone)


def clock_words(moment: dt.datetime, location: Location) -> str:
    """ "05:30 (America/Los_Angeles)": a time of day at a port, with its zone named (N5)."""
    return f"{moment.astimezone(_zone(location)):%H:%M} ({location.time_zone})"


def port_day(moment: dt.datetime, port: Location) -> dt.date:
    return timezone.localdate(moment, _zone(port))


def _require_port_role(actor: User, roles: frozenset[str] = PORT_ROLES) -> None:
    if not actor.has_role(*roles):
        raise NotPermitted(f"Hearing-day steps at the port are for: {roles_in_words(roles)}.")


def _require_posted_at(actor: User, port_id: int) -> Location:
    """The actor's port (H1): a port they are not posted at answers as a missing one (404)."""
    _require_port_role(actor)
    port = Location.objects.filter(pk=port_id, kind=Location.Kind.PORT_OF_ENTRY).first()
    if port is None or port.pk not in actor.duty_location_ids:
        raise CaseNotFound("No such port among your duty locations.")
    return port


def _name(case: Case) -> str:
    return case.alien.full_name


def _lock_families_and_cases(case_ids: Sequence[int]) -> None:
    """The lock order of every family-wide write (cases.services.family_lock): the family units in id
    order, then their cases in id order."""
    families = sorted(
        set(Case.objects.filter(pk__in=case_ids).values_list("encounter__family_unit_id", flat=True))
    )
    for family_unit_id in families:
        family_lock(family_unit_id=family_unit_id)
    list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk").values_list("pk"))


def _locked_hearings(
    *, hearing_ids: Sequence[int], actor: User, court_may: bool = False
) -> tuple[list[Hearing], dict[int, HearingAttendance]]:
    """Lock the families, cases, hearings and attendance rows of ``hearing_ids`` (in that order, each in id
    order) and check the actor may act on each: the port roles at the hearing's reporting port, court
    staff (``court_may``) on a case they see. Returns the hearings in id order and each one's attendance
    row (a new, unsaved one when none exists yet)."""
    ids = sorted(set(hearing_ids))
    if not ids:
        raise InvalidInput("Choose at least one person.", field="hearings")
    case_ids = list(Hearing.objects.filter(pk__in=ids).values_list("case_id", flat=True))
    _lock_families_and_cases(case_ids)
    hearings = list(
        Hearing.objects.select_for_update(of=("self",))
        .select_related("case__alien", "case__encounter", "hearing_location__reporting_port")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(hearings) != len(ids):
        raise CaseNotFound(NOT_FOUND)
    is_court = court_may and actor.has_role(*COURT_ROLES)
    for hearing in hearings:
        if is_court:
            visible = case_is_visible_to(actor, hearing.case)
        else:
            visible = actor.has_role(*PORT_ROLES) and (
                hearing.hearing_location.reporting_port_id in actor.duty_location_ids
            )
        if not visible:
            raise CaseNotFound(NOT_FOUND)
    rows = {
        a.hearing_id: a
        for a in HearingAttendance.objects.select_for_update().filter(hearing_id__in=ids).order_by("pk")
    }
    attendances = {
        h.pk: rows.get(h.pk)
        or HearingAttendance(hearing=h, case=h.case, port_id=h.hearing_location.reporting_port_id)
        for h in hearings
    }
    return hearings, attendances


def _require_day_hearing(hearing: Hearing) -> None:
    if hearing.status not in DAY_STATUSES:
        raise IllegalTransition(
            f"{_name(hearing.case)}'s hearing of {hearing.starts_at:%Y-%m-%d} was rescheduled; "
            "act on the hearing that replaced it.",
            code="hearing_rescheduled",
        )


def _event(
    *,
    hearing: Hearing,
    attendance: HearingAttendance,
    type: str,
    actor: User,
    reason: str,
    data: dict[str, object],
) -> None:
    case_event_record(
        case=hearing.case,
        type=type,
        actor=actor,
        reason=reason,
        data={"hearing_id": hearing.pk, "attendance_id": attendance.pk, "rule": "H1", **data},
        subject=attendance,
    )


# --- check-in (H1, N5) ---------------------------------------------------------------------------------


def _report_refusal(hearing: Hearing, *, now: dt.datetime, prefix: str = "") -> PolicyRefusal | None:
    """N5: why the person may not be checked in for ``hearing`` now — another day, or before the time on
    the tear sheet — or None."""
    port = hearing.hearing_location.reporting_port
    report_at = hearing.report_at
    if port_day(now, port) != port_day(report_at, port):
        place = hearing.hearing_location
        return PolicyRefusal(
            f"{prefix}{_name(hearing.case)} is not expected today: they report at {port.name} on "
            f"{local_words(report_at, port.time_zone)} for their hearing at {place.name}, "
            f"{local_words(hearing.starts_at, place.time_zone)} (N5).",
            code="n5_wrong_day",
            rule="N5",
        )
    if now < report_at:
        return PolicyRefusal(
            f"{prefix}{_name(hearing.case)} is early: come back at {clock_words(report_at, port)}, the time "
            "on the tear sheet (N5).",
            code="n5_too_early",
            rule="N5",
        )
    return None


def _check_in_one(
    *,
    hearing: Hearing,
    attendance: HearingAttendance,
    actor: User,
    now: dt.datetime,
    sheet: TearSheet | None = None,
    prefix: str = "",
) -> bool:
    """Check one person in (the rows are locked). Returns False when they already were (a no-op)."""
    _require_day_hearing(hearing)
    if attendance.checked_in_at is not None:
        return False
    refusal = _report_refusal(hearing, now=now, prefix=prefix)
    if refusal is not None:
        raise refusal
    if attendance.appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR:
        raise IllegalTransition(
            f"{_name(hearing.case)} was recorded as failing to appear at this hearing; court staff correct that "
            "on the docket.",
            code="h1_failed_to_appear",
        )
    port = hearing.hearing_location.reporting_port
    why = f"Checked in at {port.name} at {local_words(now, port.time_zone)} for the hearing at {hearing.hearing_location.name}"
    attendance.checked_in_at = now
    attendance.checked_in_by = actor
    if sheet is not None:
        attendance.sheet = sheet
    history_stamp(attendance, actor=actor, reason=why)
    attendance.save()
    data = {
        "hearing_id": hearing.pk,
        "attendance_id": attendance.pk,
        "port_id": port.pk,
        "checked_in_at": now.isoformat(),
        "tear_sheet_id": sheet.pk if sheet is not None else None,
        "rule": "H1",
    }
    case = Case.objects.only("status").get(pk=hearing.case_id)
    if case.status == CaseStatus.IN_US_FOR_HEARING:
        # Already in the U.S. (a night in CBP custody before a second hearing day): the step is recorded,
        # there is no move to make.
        _event(
            hearing=hearing,
            attendance=attendance,
            type="hearing_day.checked_in",
            actor=actor,
            reason=why,
            data=data,
        )
    else:
        try:
            case_move(
                case_id=hearing.case_id,
                to_status=CaseStatus.IN_US_FOR_HEARING,
                actor=actor,
                reason=why,
                workflow=HEARING_DAY,
                subject=attendance,
                data=data,
            )
        except DomainError as exc:
            exc.message = f"{_name(hearing.case)}: {exc.message}"
            raise
    outbox_emit(
        event="hearing_day.checked_in",
        case_id=hearing.case_id,
        data={"hearing_id": hearing.pk, "port_id": port.pk},
    )
    return True


def _same_slot_family(hearing: Hearing) -> list[Hearing]:
    """The members of the person's family with a hearing in the same slot who are not checked in yet."""
    return list(
        Hearing.objects.select_related("case__alien", "hearing_location__reporting_port")
        .filter(
            slot_id=hearing.slot_id,
            status__in=DAY_STATUSES,
            case__encounter__family_unit_id=hearing.case.encounter.family_unit_id,
        )
        .exclude(pk=hearing.pk)
        .exclude(attendance__checked_in_at__isnull=False)
        .order_by("case_id")
    )


def _sheet_warning(sheet: TearSheet) -> ScanWarning:
    current = sheet
    seen = {current.pk}
    while current.superseded_by_id is not None and current.superseded_by_id not in seen:
        current = TearSheet.objects.select_related("hearing__hearing_location").get(
            pk=current.superseded_by_id
        )
        seen.add(current.pk)
    place = current.hearing.hearing_location
    return ScanWarning(
        code="n5_sheet_superseded",
        message=f"This tear sheet is outdated: v{sheet.version} was superseded by v{current.version} for "
        f"{local_words(current.hearing.starts_at, place.time_zone)} at {place.name}; give the person the "
        "current sheet (N5).",
    )


@transaction.atomic
def check_in_scan(*, port_id: int, code: str, actor: User, now: dt.datetime | None = None) -> CheckIn:
    """H1/N5: what the scanner typed (or the officer): the A-number in any spelling (N2), optionally with
    the tear sheet's id as its barcode encodes it. Finds the person's hearing reporting at ``port_id`` on
    ``now``'s day there and checks them in. A superseded sheet still finds the person; the result (or the
    refusal) says the sheet is outdated. Already checked in: a no-op, ``already`` set.

    Locks the family unit, the case, the hearing and its attendance row. Moves the case to "in the U.S.
    for a hearing" (``case_move``, hearing-day workflow: its event ``hearing_day.checked_in``) and emits
    ``hearing_day.checked_in``. Raises NotPermitted (role), CaseNotFound (a port not yours, nobody with
    that A-number expected here), InvalidInput (``code``), PolicyRefusal (``n5_wrong_day``,
    ``n5_too_early``), IllegalTransition (no hearing scheduled; the case cannot move)."""
    port = _require_posted_at(actor, port_id)
    scan = scan_code_parse(code)
    now = now or timezone.now()
    warnings: list[ScanWarning] = []
    sheet: TearSheet | None = None
    if scan.sheet_id is not None:
        sheet = (
            TearSheet.objects.select_related("hearing")
            .filter(pk=scan.sheet_id, case__alien__a_number=scan.a_number)
            .first()
        )
        if sheet is None:
            warnings.append(
                ScanWarning(
                    code="sheet_not_this_person",
                    message=f"The barcode names tear sheet #{scan.sheet_id}, which is not {scan.a_number}'s; "
                    "the person was found by the A-number.",
                )
            )
        elif sheet.superseded_at is not None:
            warnings.append(_sheet_warning(sheet))
    prefix = "".join(f"{w.message} " for w in warnings)
    zone = _zone(port)
    day = port_day(now, port)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    candidates = [
        h
        for h in Hearing.objects.select_related("case__alien", "hearing_location__reporting_port")
        .filter(
            case__alien__a_number=scan.a_number,
            status__in=DAY_STATUSES,
            hearing_location__reporting_port_id=port.pk,
            # Report leads are hours, never a day: the day's hearings start within a day after it begins.
            starts_at__gte=start,
            starts_at__lt=end + dt.timedelta(days=1),
        )
        .order_by("starts_at", "pk")
        if start <= h.report_at < end
    ]
    if not candidates:
        scheduled = (
            Hearing.objects.select_related("case__alien", "hearing_location__reporting_port")
            .filter(case__alien__a_number=scan.a_number, status=Hearing.Status.SCHEDULED)
            .order_by("starts_at", "pk")
            .first()
        )
        if scheduled is None:
            if not Case.objects.filter(alien__a_number=scan.a_number).exists():
                raise CaseNotFound(f"Nobody with A-number {scan.a_number} is expected at {port.name}.")
            raise IllegalTransition(
                f"{prefix}{scan.a_number} has no hearing scheduled; nobody is checked in.",
                code="no_hearing_scheduled",
            )
        if not case_is_visible_to(actor, scheduled.case):
            raise CaseNotFound(f"Nobody with A-number {scan.a_number} is expected at {port.name}.")
        refusal = _report_refusal(scheduled, now=now, prefix=prefix)
        if refusal is None:  # reporting at another port today
            other = scheduled.hearing_location.reporting_port
            refusal = PolicyRefusal(
                f"{prefix}{_name(scheduled.case)} reports at {other.name}, not here: "
                f"{local_words(scheduled.report_at, other.time_zone)} (N5).",
                code="n5_wrong_port",
                rule="N5",
            )
        raise refusal
    chosen = candidates[0]
    hearings, attendances = _locked_hearings(hearing_ids=[chosen.pk], actor=actor)
    hearing = hearings[0]
    attendance = attendances[hearing.pk]
    scanned = sheet if sheet is not None and sheet.case_id == hearing.case_id else None
    done = _check_in_one(
        hearing=hearing, attendance=attendance, actor=actor, now=now, sheet=scanned, prefix=prefix
    )
    return CheckIn(
        hearing=hearing,
        attendance=attendance,
        already=not done,
        family=_same_slot_family(hearing),
        warnings=warnings,
    )


@transaction.atomic
def check_in(*, hearing_ids: Sequence[int], actor: User, now: dt.datetime | None = None) -> list[CheckIn]:
    """H1: check in the people of ``hearing_ids`` from the arrivals list — a family that came together at
    once. All or nothing: one refused (another day, too early, N5) and nobody is checked in. Someone
    already checked in is left as they are. Locks as ``_locked_hearings``; events and moves as
    ``check_in_scan``. Raises NotPermitted, CaseNotFound, InvalidInput, PolicyRefusal, IllegalTransition."""
    _require_port_role(actor)
    now = now or timezone.now()
    hearings, attendances = _locked_hearings(hearing_ids=hearing_ids, actor=actor)
    results = []
    for hearing in hearings:
        done = _check_in_one(hearing=hearing, attendance=attendances[hearing.pk], actor=actor, now=now)
        results.append(CheckIn(hearing=hearing, attendance=attendances[hearing.pk], already=not done))
    return results


# --- the other steps of the day (H1) -------------------------------------------------------------------


def _require_checked_in(hearing: Hearing, attendance: HearingAttendance, what: str) -> dt.datetime:
    if attendance.checked_in_at is None:
        raise IllegalTransition(
            f"{_name(hearing.case)} is not checked in for this hearing; check them in before {what} (H1).",
            code="h1_not_checked_in",
        )
    return attendance.checked_in_at


def _moment(at: dt.datetime | None, *, now: dt.datetime, field: str) -> dt.datetime:
    moment = at or now
    if moment > now + CLOCK_SLACK:
        raise InvalidInput("The time cannot be in the future.", field=field)
    return moment


@transaction.atomic
def transported(
    *, hearing_ids: Sequence[int], actor: User, now: dt.datetime | None = None
) -> list[HearingAttendance]:
    """H1: the people checked in for these hearings were transported to the court or hearing facility.
    Already transported: left as is. Records ``hearing_day.transported`` per person. Raises NotPermitted,
    CaseNotFound, IllegalTransition (``h1_not_checked_in``), InvalidInput."""
    _require_port_role(actor)
    now = now or timezone.now()
    hearings, attendances = _locked_hearings(hearing_ids=hearing_ids, actor=actor)
    for hearing in hearings:
        attendance = attendances[hearing.pk]
        checked_in_at = _require_checked_in(hearing, attendance, "transport")
        if attendance.transported_at is not None:
            continue
        if attendance.returned_at is not None:
            raise IllegalTransition(
                f"{_name(hearing.case)} was already returned to Mexico.", code="h1_returned"
            )
        if now < checked_in_at:
            raise InvalidInput("Transport cannot be before the check-in.", field="at")
        place = hearing.hearing_location
        why = f"Transported to {place.name} at {local_words(now, place.time_zone)}"
        attendance.transported_at = now
        attendance.transported_by = actor
        history_stamp(attendance, actor=actor, reason=why)
        attendance.save()
        _event(
            hearing=hearing,
            attendance=attendance,
            type="hearing_day.transported",
            actor=actor,
            reason=why,
            data={"transported_at": now.isoformat()},
        )
    return [attendances[h.pk] for h in hearings]


def _record_appearance(
    *,
    hearing: Hearing,
    attendance: HearingAttendance,
    appearance: str,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> None:
    _require_day_hearing(hearing)
    name = _name(hearing.case)
    if attendance.appearance == appearance:
        return
    if attendance.appearance:
        raise IllegalTransition(
            f"{name} is already recorded as “{attendance.get_appearance_display()}” at this hearing.",
            code="appearance_recorded",
        )
    port = hearing.hearing_location.reporting_port
    if now < hearing.report_at:
        raise IllegalTransition(
            f"The report time of {name}'s hearing ({local_words(hearing.report_at, port.time_zone)}) has not "
            "come yet (H1).",
            code="h1_report_time_not_passed",
        )
    failed = appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR
    if failed and attendance.checked_in_at is not None:
        raise IllegalTransition(
            f"{name} was checked in at {port.name} at {local_words(attendance.checked_in_at, port.time_zone)}; "
            "someone checked in did not fail to appear (H1).",
            code="h1_checked_in",
        )
    attendance.appearance = appearance
    attendance.appearance_at = now
    attendance.appearance_by = actor
    why = f"{attendance.get_appearance_display()}: {reason}"
    history_stamp(attendance, actor=actor, reason=why)
    attendance.save()
    event = "hearing_day.failed_to_appear" if failed else "hearing_day.attended"
    _event(
        hearing=hearing,
        attendance=attendance,
        type=event,
        actor=actor,
        reason=why,
        data={"appearance": appearance, "at": now.isoformat()},
    )
    outbox_emit(event=event, case_id=hearing.case_id, data={"hearing_id": hearing.pk})


@transaction.atomic
def appearance_record(
    *,
    hearing_ids: Sequence[int],
    appearance: str,
    actor: User,
    reason: str,
    now: dt.datetime | None = None,
) -> list[HearingAttendance]:
    """H1: whether the people of these hearings attended or failed to appear — court staff from the
    docket (any hearing of a case they see), or CBP at the reporting port. Only once the report time has
    come; someone checked in did not fail to appear; the same answer again is a no-op, another one is
    refused (``appearance_recorded``). Records ``hearing_day.attended`` / ``hearing_day.failed_to_appear``
    and emits the same. Raises NotPermitted, CaseNotFound, InvalidInput (appearance, reason),
    IllegalTransition."""
    _require_port_role(actor, APPEARANCE_ROLES)
    reason = require_reason(reason)
    if appearance not in (
        HearingAttendance.Appearance.ATTENDED,
        HearingAttendance.Appearance.FAILED_TO_APPEAR,
    ):
        raise InvalidInput("Choose attended or failed to appear.", field="appearance")
    now = now or timezone.now()
    hearings, attendances = _locked_hearings(hearing_ids=hearing_ids, actor=actor, court_may=True)
    for hearing in hearings:
        _record_appearance(
            hearing=hearing,
            attendance=attendances[hearing.pk],
            appearance=appearance,
            actor=actor,
            reason=reason,
            now=now,
        )
    return [attendances[h.pk] for h in hearings]


@transaction.atomic
def failed_to_appear_at_port(
    *, hearing_ids: Sequence[int], actor: User, reason: str, now: dt.datetime | None = None
) -> list[HearingAttendance]:
    """H1: the people of these hearings did not report at the port: only once the report time on the
    tear sheet has passed, and not for anyone checked in. CBP at the reporting port; as
    ``appearance_record``."""
    _require_port_role(actor)
    return appearance_record(
        hearing_ids=hearing_ids,
        appearance=HearingAttendance.Appearance.FAILED_TO_APPEAR,
        actor=actor,
        reason=reason,
        now=now,
    )


# --- a night in CBP custody (H1) ----------------------------------------------------------------------


@transaction.atomic
def overnight_in(
    *,
    hearing_ids: Sequence[int],
    actor: User,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[HearingAttendance]:
    """H1: processing did not end the same day; the people of these hearings stay overnight in CBP
    custody from ``at`` (default now). Already in custody: left as is. Records ``hearing_day.overnight_in``.
    Raises NotPermitted, CaseNotFound, IllegalTransition (not checked in, returned, a night already
    recorded), InvalidInput (``at``)."""
    _require_port_role(actor)
    moment = _moment(at, now=now or timezone.now(), field="at")
    hearings, attendances = _locked_hearings(hearing_ids=hearing_ids, actor=actor)
    for hearing in hearings:
        attendance = attendances[hearing.pk]
        checked_in_at = _require_checked_in(hearing, attendance, "custody overnight")
        if attendance.overnight_in_at is not None:
            if attendance.overnight_out_at is None:
                continue
            raise IllegalTransition(
                f"{_name(hearing.case)}'s night in custody for this hearing is already recorded (in and out).",
                code="h1_overnight_recorded",
            )
        if attendance.returned_at is not None:
            raise IllegalTransition(
                f"{_name(hearing.case)} was already returned to Mexico.", code="h1_returned"
            )
        if moment < checked_in_at:
            raise InvalidInput("Custody cannot begin before the check-in.", field="at")
        port = hearing.hearing_location.reporting_port
        why = f"Held overnight in CBP custody from {local_words(moment, port.time_zone)}"
        attendance.overnight_in_at = moment
        attendance.overnight_by = actor
        history_stamp(attendance, actor=actor, reason=why)
        attendance.save()
        _event(
            hearing=hearing,
            attendance=attendance,
            type="hearing_day.overnight_in",
            actor=actor,
            reason=why,
            data={"overnight_in_at": moment.isoformat()},
        )
    return [attendances[h.pk] for h in hearings]


@transaction.atomic
def overnight_out(
    *,
    hearing_ids: Sequence[int],
    actor: User,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[HearingAttendance]:
    """H1: the people of these hearings leave overnight CBP custody at ``at`` (default now). Already out:
    left as is. Records ``hearing_day.overnight_out``. Raises NotPermitted, CaseNotFound,
    IllegalTransition (``h1_not_in_custody``), InvalidInput (``at``)."""
    _require_port_role(actor)
    moment = _moment(at, now=now or timezone.now(), field="at")
    hearings, attendances = _locked_hearings(hearing_ids=hearing_ids, actor=actor)
    for hearing in hearings:
        attendance = attendances[hearing.pk]
        if attendance.overnight_in_at is None:
            raise IllegalTransition(
                f"{_name(hearing.case)} is not in overnight custody for this hearing.",
                code="h1_not_in_custody",
            )
        if attendance.overnight_out_at is not None:
            continue
        if moment < attendance.overnight_in_at:
            raise InvalidInput("Custody cannot end before it began.", field="at")
        port = hearing.hearing_location.reporting_port
        why = f"Released from overnight CBP custody at {local_words(moment, port.time_zone)}"
        attendance.overnight_out_at = moment
        attendance.overnight_by = actor
        history_stamp(attendance, actor=actor, reason=why)
        attendance.save()
        _event(
            hearing=hearing,
            attendance=attendance,
            type="hearing_day.overnight_out",
            actor=actor,
            reason=why,
            data={"overnight_out_at": moment.isoformat()},
        )
    return [attendances[h.pk] for h in hearings]


# --- the return to Mexico (H1, F4) ---------------------------------------------------------------------

RETURN_FROM = (CaseStatus.IN_US_FOR_HEARING, CaseStatus.ENROLLED, CaseStatus.REOPENED)


@transaction.atomic
def return_to_mexico(
    *,
    case_ids: Sequence[int],
    port_id: int,
    actor: User,
    reason: str,
    now: dt.datetime | None = None,
) -> list[Case]:
    """H1: the people of ``case_ids`` are returned to Mexico at ``port_id`` — after their hearing (the
    open attendance gets the time and port) or after the NTA was served (no attendance). A family returned
    together is one transaction: F4 refuses every member while anyone's fear claim in the family is pending
    (``case_move``'s fear-claim hold: ``family_fear_pending`` / ``fear_claim_pending``, naming who has the
    claim), and then nobody is returned. Refused while a night in CBP custody is open
    (``h1_overnight_open``: release first). A case already in Mexico is left as is.

    Locks the family units, then the cases, then the attendance rows, each in id order. Records
    ``hearing_day.returned`` (the edge's event, through ``case_move``) and emits ``case.status_changed``.
    Raises NotPermitted, CaseNotFound, InvalidInput (reason, cases), IllegalTransition, PolicyRefusal."""
    port = _require_posted_at(actor, port_id)
    reason = require_reason(reason)
    now = now or timezone.now()
    ids = sorted(set(case_ids))
    if not ids:
        raise InvalidInput("Choose at least one person.", field="cases")
    _lock_families_and_cases(ids)
    cases = list(Case.objects.select_related("alien", "encounter").filter(pk__in=ids).order_by("pk"))
    if len(cases) != len(ids) or not all(case_is_visible_to(actor, c) for c in cases):
        raise CaseNotFound("A chosen case does not exist or is not one you can see.")
    open_rows: dict[int, HearingAttendance] = {}
    for row in (
        HearingAttendance.objects.select_for_update()
        .filter(case_id__in=ids, checked_in_at__isnull=False, returned_at__isnull=True)
        .exclude(appearance=HearingAttendance.Appearance.FAILED_TO_APPEAR)
        .order_by("pk")
    ):
        latest = open_rows.get(row.case_id)
        if latest is None or row.checked_in_at > latest.checked_in_at:  # type: ignore[operator]
            open_rows[row.case_id] = row
    moved = []
    for case in cases:
        name = _name(case)
        if case.status == CaseStatus.IN_MEXICO:
            moved.append(case)
            continue
        attendance = open_rows.get(case.pk) if case.status == CaseStatus.IN_US_FOR_HEARING else None
        if attendance is not None:
            if attendance.overnight_in_at is not None and attendance.overnight_out_at is None:
                raise PolicyRefusal(
                    f"{name} is in overnight CBP custody since "
                    f"{local_words(attendance.overnight_in_at, port.time_zone)}: record the release from "
                    "custody before the return (H1).",
                    code="h1_overnight_open",
                    rule="H1",
                )
            if attendance.checked_in_at and now < attendance.checked_in_at:
                raise InvalidInput("The return cannot be before the check-in.", field="at")
        why = f"Returned to Mexico at {port.name} at {local_words(now, port.time_zone)}: {reason}"
        if attendance is not None:
            attendance.returned_at = now
            attendance.returned_by = actor
            attendance.returned_port = port
            history_stamp(attendance, actor=actor, reason=why)
            attendance.save()
        try:
            moved.append(
                case_move(
                    case_id=case.pk,
                    to_status=CaseStatus.IN_MEXICO,
                    actor=actor,
                    reason=why,
                    workflow=HEARING_DAY,
                    subject=attendance,
                    data={
                        "port_id": port.pk,
                        "port": port.name,
                        "returned_at": now.isoformat(),
                        "hearing_id": attendance.hearing_id if attendance is not None else None,
                        "attendance_id": attendance.pk if attendance is not None else None,
                        "rule": "H1",
                    },
                )
            )
        except DomainError as exc:
            exc.message = f"{name}: {exc.message}"
            raise
    return moved
