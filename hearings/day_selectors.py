"""Reads of the hearing day at the port (H1): the expected arrivals of a port on a day, 50 to a page in
report-time order (keyset), and the same rows as a one-page manifest. A fixed number of queries whatever
the rows: the port, its hearing locations, one page of hearings with everything a row shows (the person,
language, counsel of record, open holds, attendance, and the family members who share its slot)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, DateTimeField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from cases.models import Case, Hold
from cases.registry import hold_kind
from cases.subscribers import local_time_words
from hearings.day_services import DAY_STATUSES
from hearings.models import Hearing, HearingAttendance, Representation
from hearings.workflow import PORT_ROLES
from mpp.accounts.models import Location, User

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


def _rows(
    *, port: Location, day: dt.date, after: tuple[dt.datetime, int] | None, limit: int
) -> list[ArrivalRow]:
    zone = zoneinfo.ZoneInfo(port.time_zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    hearings = (
        Hearing.objects.filter(
            hearing_location__reporting_port_id=port.pk,
            status__in=DAY_STATUSES,
            # The index (hearing_location, starts_at, id), per hearing location of the port: report leads are
            # hours, so the hearings reporting on the day start on it or the next.
            starts_at__gte=start,
            starts_at__lt=end + dt.timedelta(days=1),
        )
        .annotate(
            report_time=ExpressionWrapper(
                F("starts_at") - F("hearing_location__report_lead"), output_field=DateTimeField()
            )
        )
        .filter(report_time__gte=start, report_time__lt=end)
    )
    if after is not None:
        at, pk = after
        hearings = hearings.filter(Q(report_time__gt=at) | Q(report_time=at, pk__gt=pk))
    counsel = Representation.objects.filter(case_id=OuterRef("case_id"), ended_on__isnull=True).values(
        "name"
    )[:1]
    own_holds = Hold.objects.filter(case_id=OuterRef("case_id"), released_at__isnull=True).values("kind")
    family_holds = (
        Hold.objects.filter(
            case__encounter__family_unit_id=OuterRef("case__encounter__family_unit_id"),
            released_at__isnull=True,
        )
        .exclude(case_id=OuterRef("case_id"))
        .values("kind")
    )
    # The others of the family with a hearing in the same slot (H1: a family that came together is checked
    # in at once), as one array per row: a query of its own cost a round trip and its compiling (2026-12-06).
    family = (
        Hearing.objects.filter(
            slot_id=OuterRef("slot_id"),
            case__encounter__family_unit_id=OuterRef("case__encounter__family_unit_id"),
            status__in=DAY_STATUSES,
        )
        .exclude(pk=OuterRef("pk"))
        .order_by("case_id")
        .values(
            mate=JSONObject(
                hearing_id="pk",
                case_id="case_id",
                family_name="case__alien__family_name",
                given_names="case__alien__given_names",
                checked_in=ExpressionWrapper(
                    Q(attendance__checked_in_at__isnull=False), output_field=BooleanField()
                ),
            )
        )
    )
    # First the page's hearings by report time (narrow rows: the day's hearings at the port sorted without
    # their joins), then what their rows show, for those rows only.
    page = list(hearings.order_by("report_time", "pk").values_list("pk", flat=True)[:limit])
    if not page:
        return []
    position = {pk: i for i, pk in enumerate(page)}
    values = sorted(
        Hearing.objects.filter(pk__in=page)
        .annotate(
            report_time=ExpressionWrapper(
                F("starts_at") - F("hearing_location__report_lead"), output_field=DateTimeField()
            ),
            counsel_name=Subquery(counsel),
            hold_kinds=ArraySubquery(own_holds),
            family_hold_kinds=ArraySubquery(family_holds),
            family=ArraySubquery(family),
        )
        .values(
            "pk",
            "case_id",
            "slot_id",
            "starts_at",
            "status",
            "hearing_location__name",
            "hearing_location__time_zone",
            "report_time",
            "counsel_name",
            "hold_kinds",
            "family_hold_kinds",
            "family",
            "case__status",
            "case__encounter__family_unit_id",
            "case__alien__family_name",
            "case__alien__given_names",
            "case__alien__a_number",
            "case__alien__preferred_language__name",
            "attendance__checked_in_at",
            "attendance__transported_at",
            "attendance__appearance",
            "attendance__returned_at",
            "attendance__overnight_in_at",
            "attendance__overnight_out_at",
        ),
        key=lambda v: position[v["pk"]],
    )
    rows = []
    for v in values:
        rows.append(
            ArrivalRow(
                hearing_id=v["pk"],
                case_id=v["case_id"],
                case_status=v["case__status"],
                family_unit_id=v["case__encounter__family_unit_id"],
                slot_id=v["slot_id"],
                name=f"{v['case__alien__family_name']}, {v['case__alien__given_names']}",
                a_number=v["case__alien__a_number"] or "",
                language=v["case__alien__preferred_language__name"] or "",
                report_at=v["report_time"],
                report_words=local_time_words(v["report_time"], port.time_zone),
                port_time_zone=port.time_zone,
                place_name=v["hearing_location__name"],
                hearing_words=local_time_words(v["starts_at"], v["hearing_location__time_zone"]),
                hearing_status=v["status"],
                counsel=v["counsel_name"] or "",
                holds=_hold_labels(v["hold_kinds"]),
                family_holds=_hold_labels(v["family_hold_kinds"]),
                checked_in_at=v["attendance__checked_in_at"],
                transported_at=v["attendance__transported_at"],
                appearance=v["attendance__appearance"] or "",
                returned_at=v["attendance__returned_at"],
                overnight_in_at=v["attendance__overnight_in_at"],
                overnight_out_at=v["attendance__overnight_out_at"],
                family=[
                    FamilyMate(
                        hearing_id=m["hearing_id"],
                        case_id=m["case_id"],
                        name=f"{m['family_name']}, {m['given_names']}",
                        checked_in=m["checked_in"],
                    )
                    for m in v["family"] or []
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
