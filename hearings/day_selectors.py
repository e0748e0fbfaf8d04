"""Reads of the hearing day at the port (H1): the expected arrivals of a port on a day, 50 to a page in
report-time order (keyset), and the same rows as a one-page manifest. A fixed number of queries whatever
the rows: the port, its hearing locations, one page of hearings with everything a row shows (the person,
language, counsel of record, open holds, attendance, and the family members who share its slot)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from cases.models import Case
from cases.registry import hold_kind
from cases.subscribers import local_time_words
from hearings.day_services import DAY_STATUSES
from hearings.models import Hearing, HearingAttendance
from hearings.workflow import PORT_ROLES
from mpp.accounts.models import Location, User
from mpp.db import in_order_of, sql_list

PAGE_SIZE = 50
MANIFEST_MAX = 400


@dataclass(frozen=True)
class FamilyMate:
    hearing_id: int
    case_id: int
    name: str
    checked_in: bool


@dataclass
class ArrivalRow:
    hearing_id: int
    case_id: int
    case_status: str
    family_unit_id: int
    slot_id: int
    name: str
    a_number: str
    language: str
    report_at: dt.datetime
    report_words: str  # in the port's zone, named
    port_time_zone: str
    place_name: str
    hearing_words: str  # in the hearing location's zone, named
    hearing_status: str
    counsel: str  # the counsel of record's name, "" when none (H3)
    holds: list[str]  # open holds of the case, by label
    family_holds: list[str]  # open holds of other members of the family (F4)
    checked_in_at: dt.datetime | None
    transported_at: dt.datetime | None
    appearance: str
    returned_at: dt.datetime | None
    overnight_in_at: dt.datetime | None
    overnight_out_at: dt.datetime | None
    family: list[FamilyMate] = field(default_factory=list)  # others of the family in the same slot

    @property
    def state(self) -> str:
        """Where the person is in the day (H1), in words."""
        if self.appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR:
            return "Failed to appear"
        if self.checked_in_at is None:
            return "Expected"
        if self.returned_at is not None:
            return "Returned to Mexico"
        if self.overnight_in_at is not None and self.overnight_out_at is None:
            return "In CBP custody overnight"
        if self.appearance == HearingAttendance.Appearance.ATTENDED:
            return "Attended"
        if self.transported_at is not None:
            return "Transported"
        return "Checked in"

    @property
    def state_code(self) -> str:
        return self.state.lower().replace(" ", "_")

    @property
    def family_waiting(self) -> list[FamilyMate]:
        return [m for m in self.family if not m.checked_in]


@dataclass
class ArrivalsPage:
    port: Location
    day: dt.date
    rows: list[ArrivalRow]
    next_after: str | None  # the keyset position after the last row, when more rows follow
    more: bool  # the manifest: more rows than it prints


def ports_of(user: User) -> list[Location]:
    """The ports of entry the user is posted at, by name: where they see expected arrivals (H1)."""
    if not user.has_role(*PORT_ROLES):
        return []
    cached: list[Location] | None = getattr(user, "_port_locations", None)
    if cached is None:  # read once per request (the user object is the request's)
        cached = list(
            Location.objects.filter(pk__in=user.duty_location_ids, kind=Location.Kind.PORT_OF_ENTRY).order_by(
                "name", "pk"
            )
        )
        user._port_locations = cached  # type: ignore[attr-defined]
    return cached


def port_today(port: Location, now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now(), zoneinfo.ZoneInfo(port.time_zone))


def after_encode(report_at: dt.datetime, hearing_id: int) -> str:
    return f"{report_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}.{hearing_id}"


def after_decode(value: str | None) -> tuple[dt.datetime, int] | None:
    """A keyset position ``after_encode`` gave out, or None for anything else (the first page)."""
    if not value or len(value) > 40:
        return None
    moment, _, pk = value.partition(".")
    try:
        at = dt.datetime.strptime(moment, "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    if not pk.isdigit() or len(pk) > 12:
        return None
    return at, int(pk)


def _port_for(user: User, port_id: int) -> Location | None:
    return next((p for p in ports_of(user) if p.pk == port_id), None)


# The two reads of a page of arrivals, as SQL text: their ORM querysets (the rows' with four subqueries) cost
# about 7 ms a page to build and compile, on every request, where running them costs 2-4 (2026-12-06, 500k
# cases, the busiest day at San Ysidro). tests/hearings/test_day_*.py cover what the rows hold.
#
# First the page's hearings by report time (the hearing's start less the location's lead) on the day, keyset
# from ``after``: the day's hearings at the port's places from the index (hearing_location, starts_at, id)
# with the status included, sorted without their joins. Report leads are hours, so the hearings reporting on
# the day start on it or the next.
_PAGE_SQL = f"""
SELECT h.id FROM hearings_hearing h JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id
WHERE l.reporting_port_id = %(port)s AND h.status IN {sql_list(DAY_STATUSES)}
  AND h.starts_at >= %(start)s AND h.starts_at < %(until)s
  AND h.starts_at - l.report_lead >= %(start)s AND h.starts_at - l.report_lead < %(end)s
  {{after}}
ORDER BY h.starts_at - l.report_lead, h.id LIMIT %(limit)s
"""  # noqa: S608
PAGE_SQL = _PAGE_SQL.format(after="")
PAGE_AFTER_SQL = _PAGE_SQL.format(after="AND (h.starts_at - l.report_lead, h.id) > (%(at)s, %(pk)s)")

# Then what those rows show: the person, the place, the counsel of record (H3), the open holds of the case and
# of the rest of the family (F4), the attendance, and the others of the family with a hearing in the same slot
# (H1: a family that came together is checked in at once), one array per row.
ROWS_SQL = f"""
SELECT h.id, h.case_id, h.slot_id, h.starts_at, h.status, l.name AS place_name, l.time_zone AS place_zone,
  h.starts_at - l.report_lead AS report_time,
  (SELECT r.name FROM hearings_representation r WHERE r.case_id = h.case_id AND r.ended_on IS NULL
   ORDER BY r.case_id, r.eoir28_filed_on, r.id LIMIT 1) AS counsel_name,
  ARRAY(SELECT k.kind FROM cases_hold k WHERE k.case_id = h.case_id AND k.released_at IS NULL
        ORDER BY k.opened_at, k.id) AS hold_kinds,
  ARRAY(SELECT k.kind FROM cases_hold k JOIN cases_case kc ON kc.id = k.case_id
        JOIN cases_encounter ke ON ke.id = kc.encounter_id
        WHERE ke.family_unit_id = e.family_unit_id AND k.released_at IS NULL AND k.case_id <> h.case_id
        ORDER BY k.opened_at, k.id) AS family_hold_kinds,
  ARRAY(SELECT jsonb_build_object('hearing_id', m.id, 'case_id', m.case_id, 'family_name', ma.family_name,
                                  'given_names', ma.given_names, 'checked_in', mt.checked_in_at IS NOT NULL)
        FROM hearings_hearing m JOIN cases_case mc ON mc.id = m.case_id
        JOIN cases_encounter me ON me.id = mc.encounter_id JOIN cases_alien ma ON ma.id = mc.alien_id
        LEFT JOIN hearings_hearingattendance mt ON mt.hearing_id = m.id
        WHERE me.family_unit_id = e.family_unit_id AND m.slot_id = h.slot_id
          AND m.status IN {sql_list(DAY_STATUSES)} AND m.id <> h.id
        ORDER BY m.case_id) AS family,
  c.status AS case_status, e.family_unit_id, a.family_name, a.given_names, a.a_number,
  lang.name AS language, t.checked_in_at, t.transported_at, t.appearance, t.returned_at, t.overnight_in_at,
  t.overnight_out_at
FROM hearings_hearing h JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id
JOIN cases_case c ON c.id = h.case_id JOIN cases_encounter e ON e.id = c.encounter_id
JOIN cases_alien a ON a.id = c.alien_id JOIN cases_language lang ON lang.id = a.preferred_language_id
LEFT JOIN hearings_hearingattendance t ON t.hearing_id = h.id
WHERE h.id = ANY(%(ids)s)
"""  # noqa: S608


def _fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _rows(
    *, port: Location, day: dt.date, after: tuple[dt.datetime, int] | None, limit: int
) -> list[ArrivalRow]:
    zone = zoneinfo.ZoneInfo(port.time_zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    params: dict[str, Any] = {
        "port": port.pk,
        "start": start,
        "end": end,
        "until": end + dt.timedelta(days=1),
        "limit": limit,
    }
    if after is not None:
        params["at"], params["pk"] = after
    page = [v["id"] for v in _fetch(PAGE_SQL if after is None else PAGE_AFTER_SQL, params)]
    if not page:
        return []
    values = in_order_of(page, _fetch(ROWS_SQL, {"ids": page}), key=lambda v: v["id"])
    rows = []
    for v in values:
        rows.append(
            ArrivalRow(
                hearing_id=v["id"],
                case_id=v["case_id"],
                case_status=v["case_status"],
                family_unit_id=v["family_unit_id"],
                slot_id=v["slot_id"],
                name=f"{v['family_name']}, {v['given_names']}",
                a_number=v["a_number"] or "",
                language=v["language"] or "",
                report_at=v["report_time"],
                report_words=local_time_words(v["report_time"], port.time_zone),
                port_time_zone=port.time_zone,
                place_name=v["place_name"],
                hearing_words=local_time_words(v["starts_at"], v["place_zone"]),
                hearing_status=v["status"],
                counsel=v["counsel_name"] or "",
                holds=_hold_labels(v["hold_kinds"]),
                family_holds=_hold_labels(v["family_hold_kinds"]),
                checked_in_at=v["checked_in_at"],
                transported_at=v["transported_at"],
                appearance=v["appearance"] or "",
                returned_at=v["returned_at"],
                overnight_in_at=v["overnight_in_at"],
                overnight_out_at=v["overnight_out_at"],
                family=[
                    FamilyMate(
                        hearing_id=m["hearing_id"],
                        case_id=m["case_id"],
                        name=f"{m['family_name']}, {m['given_names']}",
                        checked_in=m["checked_in"],
                    )
                    for m in map(json.loads, v["family"] or [])
                ],
            )
        )
    return rows


def _hold_labels(kinds: list[str] | None) -> list[str]:
    labels = []
    for code in sorted(set(kinds or [])):
        kind = hold_kind(code)
        labels.append(f"{kind.label} ({kind.rule})" if kind is not None else code)
    return labels


def expected_arrivals(
    *, user: User, port_id: int, day: dt.date, after: str | None = None, size: int = PAGE_SIZE
) -> ArrivalsPage | None:
    """H1: everyone whose hearing (scheduled, continued or held — not rescheduled) reports at the port on
    ``day`` (its report time, the hearing's start less the location's lead, on that day in the port's
    zone), oldest report time first, ``size`` to a page from the keyset position ``after``. None when the
    user is not posted at the port (the page answers 404)."""
    port = _port_for(user, port_id)
    if port is None:
        return None
    rows = _rows(port=port, day=day, after=after_decode(after), limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    next_after = after_encode(rows[-1].report_at, rows[-1].hearing_id) if more and rows else None
    return ArrivalsPage(port=port, day=day, rows=rows, next_after=next_after, more=more)


def arrivals_manifest(*, user: User, port_id: int, day: dt.date) -> ArrivalsPage | None:
    """The day's arrivals on one printable page: every row up to ``MANIFEST_MAX`` (``more`` says when
    there are more)."""
    port = _port_for(user, port_id)
    if port is None:
        return None
    rows = _rows(port=port, day=day, after=None, limit=MANIFEST_MAX + 1)
    more = len(rows) > MANIFEST_MAX
    return ArrivalsPage(port=port, day=day, rows=rows[:MANIFEST_MAX], next_after=None, more=more)


def port_case(*, user: User, case_id: int) -> tuple[Case, list[Hearing]] | None:
    """A case's hearing-day page at the port: the case (visible to the user, a port role) and its
    hearings with their attendance and place. None when not visible (404)."""
    from cases.selectors import case_is_visible_to

    if not user.has_role(*PORT_ROLES):
        return None
    case = (
        Case.objects.select_related("alien", "encounter", "location", "reporting_port")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not case_is_visible_to(user, case):
        return None
    hearings = list(
        Hearing.objects.select_related("hearing_location__reporting_port", "attendance")
        .filter(case=case)
        .order_by("starts_at", "pk")
    )
    return case, hearings
