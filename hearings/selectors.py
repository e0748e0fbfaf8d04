"""Every read of the hearings app used by pages, the API and the print task: querysets with what they
show already joined, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast
from django.utils import timezone

from cases.models import Case, FamilyMember, Language
from cases.selectors import case_is_visible_to, user_sees_cases
from hearings.documents import NtaMemberData, NtaRecordData, ProBonoEntry, TearSheetData
from hearings.models import (
    AddressInMexico,
    Charge,
    Hearing,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    NtaCharge,
    PrintBatch,
    PrintBatchItem,
    ProBonoProvider,
    TearSheet,
    TearSheetPrint,
)
from hearings.rules import nta_allegations
from hearings.workflow import PRINT_ROLES, READ_ROLES
from mpp.accounts.models import Location, User
from mpp.db import in_order_of


def may_read_hearings(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and isinstance(user, User) and user.has_role(*READ_ROLES))


def _scope_cases(qs: QuerySet, user: User, path: str = "case__") -> QuerySet:
    if not user_sees_cases(user) or not may_read_hearings(user):
        return qs.none()
    if user.is_location_scoped:
        return qs.filter(**{f"{path}location_id__in": sorted(user.duty_location_ids)})
    return qs


def hearing_locations() -> QuerySet[HearingLocation]:
    return HearingLocation.objects.filter(is_active=True).select_related(
        "court", "reporting_port", "facility"
    )


def local_day_bounds(day: dt.date, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    zone = zoneinfo.ZoneInfo(tz_name)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def slots_list(
    *,
    hearing_location_id: int | None = None,
    start: dt.date | None = None,
    days: int = 14,
    with_room: int = 0,
) -> QuerySet[HearingSlot]:
    """Slots from ``start`` (now when None) for ``days`` days, soonest first; with ``with_room`` only
    future slots with at least that many places left (booking)."""
    now = timezone.now()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) if start else now
    if with_room:
        low = max(low, now)
    qs = HearingSlot.objects.select_related(
        "hearing_location", "hearing_location__court", "hearing_location__reporting_port"
    ).filter(starts_at__gte=low, starts_at__lt=low + dt.timedelta(days=days))
    if hearing_location_id is not None:
        qs = qs.filter(hearing_location_id=hearing_location_id)
    if with_room:
        qs = qs.filter(capacity__gte=F("booked") + with_room)
    return qs.order_by("starts_at", "hearing_location__name", "id")


# What a docket row shows: not the case's and the person's search words, nor every column of the joins.
DOCKET_COLUMNS = (
    *(f.name for f in Hearing._meta.concrete_fields),
    *(f"replaced_by__{f.name}" for f in Hearing._meta.concrete_fields),
    "case__id",
    "case__alien_id",
    "case__location_id",
    "case__status",
    "case__location__id",
    "case__location__code",
    "case__location__name",
    "case__location__time_zone",
    "case__alien__id",
    "case__alien__a_number",
    "case__alien__family_name",
    "case__alien__given_names",
    "case__alien__preferred_language_id",
    "case__alien__preferred_language__id",
    "case__alien__preferred_language__code",
    "case__alien__preferred_language__name",
)


def filing_queue(*, user: User, court_id: int | None = None) -> QuerySet[NoticeToAppear]:
    """Served NTAs not yet confirmed as filed (M3/M4 count only filed ones), oldest first."""
    qs = NoticeToAppear.objects.filter(filed_on__isnull=True).select_related(
        "case__alien", "court", "served_location", "initial_hearing__hearing_location", "served_by"
    )
    if court_id:
        qs = qs.filter(court_id=court_id)
    return _scope_cases(qs, user).order_by("served_at", "id")


# What a row of the filing queue shows (hearings.views.filing_queue, filing_rows).
FILING_ROW_COLUMNS = (
    "id",
    "case_id",
    "served_at",
    "case__alien__given_names",
    "case__alien__family_name",
    "case__alien__a_number",
    "served_location__name",
    "served_location__time_zone",
    "served_by__username",
    "served_by__first_name",
    "served_by__last_name",
    "court__name",
    "initial_hearing__starts_at",
    "initial_hearing__hearing_location__name",
    "initial_hearing__hearing_location__time_zone",
)


def filing_rows(nta_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The columns a filing-queue row shows for ``nta_ids`` (already scoped to the user by the page's
    query), as plain values in the order of ``nta_ids``; one query."""
    rows = NoticeToAppear.objects.filter(pk__in=list(nta_ids)).values(*FILING_ROW_COLUMNS)
    return in_order_of(nta_ids, rows, key=lambda row: row["id"])


# The states of a tear sheet in the print queue and the API's lists: waiting (current, never printed: new
# and reissued), printed (current, printed at least once: reprint from there), superseded (N5).
SHEET_STATES: dict[str, Q] = {
    "waiting": Q(superseded_at__isnull=True, printed_at__isnull=True),
    "printed": Q(superseded_at__isnull=True, printed_at__isnull=False),
    "superseded": Q(superseded_at__isnull=False),
}


# What a queue row shows (page and API): reading every column of the seven joined tables (the case's and
# the person's search words, the places' addresses) cost 10-12 ms a page at 500k cases, against 5 for these.
QUEUE_COLUMNS = (
    *(f.name for f in TearSheet._meta.concrete_fields),
    "case__id",
    "case__alien_id",
    "case__location_id",
    "case__alien__id",
    "case__alien__a_number",
    "case__alien__family_name",
    "case__alien__given_names",
    "hearing__id",
    "hearing__starts_at",
    "hearing__status",
    "hearing__hearing_location_id",
    "hearing__hearing_location__id",
    "hearing__hearing_location__code",
    "hearing__hearing_location__name",
    "hearing__hearing_location__time_zone",
    "hearing__hearing_location__court_id",
    "hearing__hearing_location__court__id",
    "hearing__hearing_location__court__code",
    "hearing__hearing_location__court__name",
    "location__id",
    "location__code",
    "location__name",
    "location__time_zone",
    "superseded_by__id",
    "superseded_by__version",
)


# What a print queue row shows as plain values (hearings.print_views._queue_rows).
QUEUE_ROW_VALUES = (
    "id",
    "version",
    "reason",
    "print_count",
    "language_code",
    "issued_at",
    "superseded_at",
    "superseded_by__version",
    "case__alien__given_names",
    "case__alien__family_name",
    "case__alien__a_number",
    "hearing__starts_at",
    "hearing__hearing_location__name",
    "hearing__hearing_location__time_zone",
    "hearing__hearing_location__court__name",
    "location__time_zone",
)


def print_queue_values(sheet_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The values ``QUEUE_ROW_VALUES`` of the sheets ``sheet_ids`` (already scoped by the page's query),
    in that order; one query."""
    rows = TearSheet.objects.filter(pk__in=list(sheet_ids)).values(*QUEUE_ROW_VALUES)
    return in_order_of(sheet_ids, rows, key=lambda row: row["id"])


def print_queue(
    *,
    user: User,
    location_id: int | None = None,
    state: str = "waiting",
    court_id: int | None = None,
    hearing_on: dt.date | None = None,
) -> QuerySet[TearSheet]:
    """Tear sheets at the print staff's duty locations: ``waiting`` (current, never printed: new and
    reissued), ``printed`` (current, printed at least once: reprint from here), or ``superseded``. Oldest
    issued first; filtered by the hearing's court and day."""
    qs = TearSheet.objects.select_related(
        "case__alien", "hearing__hearing_location__court", "location", "superseded_by"
    ).only(*QUEUE_COLUMNS)
    if state in SHEET_STATES:
        qs = qs.filter(SHEET_STATES[state])
    if location_id:
        qs = qs.filter(location_id=location_id)
    if court_id:
        qs = qs.filter(hearing__hearing_location__court_id=court_id)
    if hearing_on:
        # The hearing's day where it is heard (its location's zone, as the page shows it). The UTC window
        # (every hearing location is within UTC-4..-8) bounds the scan; the local date decides.
        start = dt.datetime.combine(hearing_on, dt.time.min, tzinfo=dt.UTC)
        local_day = Cast(
            Func(
                F("hearing__hearing_location__time_zone"),
                F("hearing__starts_at"),
                function="timezone",
                output_field=DateTimeField(),
            ),
            DateField(),
        )
        qs = (
            qs.filter(
                hearing__starts_at__gte=start, hearing__starts_at__lt=start + dt.timedelta(days=1, hours=9)
            )
            .alias(hearing_local_day=local_day)
            .filter(hearing_local_day=hearing_on)
        )
    if not user.has_role("print_staff"):
        return qs.none()
    return qs.filter(location_id__in=sorted(user.duty_location_ids)).order_by("issued_at", "id")


def print_locations(*, user: User) -> QuerySet[Location]:
    """The duty locations whose print queue the user works (print staff only), by name."""
    if not user.has_role(*PRINT_ROLES):
        return Location.objects.none()
    return user.duty_locations.filter(is_active=True).order_by("name")


def hearing_courts() -> list[Location]:
    """The immigration courts that hear cases at an active hearing location, by name (the queue's filter)."""
    return sorted({place.court for place in hearing_locations()}, key=lambda court: (court.name, court.pk))


def print_batches(*, user: User) -> QuerySet[PrintBatch]:
    if not user.has_role("print_staff"):
        return PrintBatch.objects.none()
    return (
        PrintBatch.objects.filter(location_id__in=sorted(user.duty_location_ids))
        .defer("pdf")
        .select_related("requested_by", "location")
        .order_by("-created_at", "-id")
    )


def print_batch_for(*, user: User, batch_id: int) -> PrintBatch | None:
    return print_batches(user=user).filter(pk=batch_id).first()


def print_batch_items(batch: PrintBatch) -> QuerySet[PrintBatchItem]:
    return batch.items.select_related("sheet__case__alien").order_by("position")


def print_batch_print_counts(batch: PrintBatch) -> tuple[int, int]:
    """How many sheets marking the batch printed recorded, and how many of them were reprints."""
    counts = TearSheetPrint.objects.filter(batch=batch).aggregate(
        sheets=Count("id"), reprints=Count("id", filter=Q(is_reprint=True))
    )
    return counts["sheets"], counts["reprints"]


@dataclass(frozen=True)
class CaseHearings:
    nta: NoticeToAppear | None
    hearings: list[Hearing]
    sheets: list[TearSheet]
    addresses: list[AddressInMexico]

    @property
    def current_address(self) -> AddressInMexico | None:
        return self.addresses[0] if self.addresses else None

    @property
    def next_hearing(self) -> Hearing | None:
        return next((h for h in self.hearings if h.status == Hearing.Status.SCHEDULED), None)


def case_hearings(*, user: User, case: Case) -> CaseHearings | None:
    """The NTA, hearings (newest first), tear sheets and addresses of a case, for its page: 4 queries."""
    if not may_read_hearings(user) or not case_is_visible_to(user, case):
        return None
    nta = (
        NoticeToAppear.objects.select_related(
            "court",
            "served_by",
            "filed_by",
            "oral_notice_language",
            "interpreter_language",
            "served_location",
            "arrived_at",
        )
        # The charges' codes in the NTA's row (the page shows only the codes): no query of their own.
        .annotate(
            charge_codes=ArraySubquery(
                NtaCharge.objects.filter(nta_id=OuterRef("pk")).order_by("id").values("charge__code")
            )
        )
        .filter(case=case)
        .first()
    )
    hearings = list(
        Hearing.objects.filter(case=case)
        .select_related("hearing_location__reporting_port", "hearing_location__court")
        .order_by("-starts_at", "-id")
    )
    sheets = list(TearSheet.objects.filter(case=case).select_related("printed_by").order_by("-version"))
    addresses = list(
        AddressInMexico.objects.filter(alien_id=case.alien_id)
        .select_related("recorded_by")
        .order_by("-received_on", "-id")
    )
    return CaseHearings(nta=nta, hearings=hearings, sheets=sheets, addresses=addresses)


def tear_sheet_for(*, user: User, sheet_id: int) -> TearSheet | None:
    qs = _scope_cases(TearSheet.objects.filter(pk=sheet_id), user)
    return qs.select_related("case").first()


def tear_sheet_data_many(sheet_ids: Sequence[int]) -> dict[int, TearSheetData]:
    """What each sheet prints, for any number of sheets in a constant number of queries (4)."""
    sheets = list(
        TearSheet.objects.filter(pk__in=list(sheet_ids)).select_related(
            "case__alien",
            "hearing__hearing_location__court",
            "hearing__hearing_location__reporting_port",
        )
    )
    courts = {s.hearing.hearing_location.court_id for s in sheets}
    providers: dict[int, list[ProBonoEntry]] = {}
    for p in ProBonoProvider.objects.filter(court_id__in=courts, is_active=True).order_by("position", "name"):
        providers.setdefault(p.court_id, []).append(ProBonoEntry(p.name, p.phone, p.address, p.languages))
    addresses: dict[int, str] = {}
    for a in (
        AddressInMexico.objects.filter(alien_id__in={s.case.alien_id for s in sheets})
        .order_by("alien_id", "-received_on", "-id")
        .distinct("alien_id")
    ):
        addresses[a.alien_id] = a.one_line
    out: dict[int, TearSheetData] = {}
    for s in sheets:
        place = s.hearing.hearing_location
        port = place.reporting_port
        alien = s.case.alien
        out[s.pk] = TearSheetData(
            sheet_id=s.pk,
            version=s.version,
            language_code=s.language_code,
            person_name=alien.full_name,
            a_number=alien.a_number or "",
            hearing_starts_at=s.hearing.starts_at,
            hearing_time_zone=place.time_zone,
            hearing_place_name=place.name,
            hearing_place_address=place.address,
            court_name=place.court.name,
            court_address=place.court.address or place.court.name,
            report_port_name=port.name,
            report_port_address=port.address or port.name,
            report_at=s.hearing.starts_at - place.report_lead,
            report_time_zone=port.time_zone,
            pro_bono=tuple(providers.get(place.court_id, [])),
            current_address=addresses.get(alien.pk, ""),
            issued_at=s.issued_at,
            superseded=s.superseded_at is not None,
        )
    return out


def nta_record_data(*, case_ids: Iterable[int]) -> NtaRecordData:
    """The NTA record of each case (a family's, served together), for the PDF."""
    from django_countries import countries

    ntas = (
        NoticeToAppear.objects.filter(case_id__in=list(case_ids))
        .select_related(
            "case__alien",
            "court",
            "initial_hearing__hearing_location",
            "served_by",
            "served_location",
            "arrived_at",
            "oral_notice_language",
            "interpreter_language",
        )
        .prefetch_related(Prefetch("charges", queryset=NtaCharge.objects.select_related("charge")))
        .order_by("case_id")
    )
    addresses = {
        a.case_id: a.one_line
        for a in AddressInMexico.objects.filter(case_id__in=list(case_ids), source=AddressInMexico.Source.NTA)
    }
    members = []
    for nta in ntas:
        alien = nta.case.alien
        country = str(countries.name(str(nta.citizen_of))) if nta.citizen_of else ""
        hearing = nta.initial_hearing
        interpretation = (
            "none"
            if nta.interpretation == NoticeToAppear.Interpretation.NONE
            else f"{nta.get_interpretation_display()}, {nta.interpreter_language}"
        )
        members.append(
            NtaMemberData(
                person_name=alien.full_name,
                a_number=alien.a_number or "",
                date_of_birth=alien.date_of_birth,
                country_of_citizenship=country,
                allegations=nta_allegations(
                    citizen_of=country,
                    arrived_at=nta.arrived_at.name,
                    arrived_on=f"{nta.arrived_on:%B %-d, %Y}",
                    classification=nta.classification,
                ),
                charges=[(link.charge.code, link.charge.text) for link in nta.charges.all()],
                court_name=nta.court.name,
                court_address=nta.court.address,
                hearing_starts_at=hearing.starts_at,
                hearing_time_zone=hearing.hearing_location.time_zone,
                hearing_place_name=hearing.hearing_location.name,
                hearing_place_address=hearing.hearing_location.address,
                served_at=nta.served_at,
                served_time_zone=nta.served_location.time_zone,
                served_by=nta.served_by.display_name,
                service_manner=nta.get_service_manner_display(),
                oral_notice_language=str(nta.oral_notice_language),
                interpretation=interpretation,
                filed_at=dt.datetime.combine(nta.filed_on, dt.time(12), tzinfo=dt.UTC)
                if nta.filed_on
                else None,
                address_in_mexico=addresses.get(nta.case_id, ""),
            )
        )
    return NtaRecordData(members=members)


def family_nta_form_cases(*, user: User, encounter_id: int) -> list[Case]:
    """The family's cases for the NTA page, with an NTA flag (``has_nta``) and the member's relationship to
    the head (``relationship``), in id order."""
    member = FamilyMember.objects.filter(
        family_unit_id=OuterRef("encounter__family_unit_id"), alien_id=OuterRef("alien_id")
    )
    qs = (
        Case.objects.filter(encounter_id=encounter_id)
        .select_related("alien__preferred_language", "location", "encounter__location")
        .annotate(
            has_nta=Exists(NoticeToAppear.objects.filter(case_id=OuterRef("pk"))),
            relationship=Subquery(member.values("relationship")[:1]),
        )
        .order_by("pk")
    )
    if not user_sees_cases(user):
        return []
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=sorted(user.duty_location_ids))
    return list(qs)


def hearing_for(*, user: User, hearing_id: int) -> Hearing | None:
    """One hearing the user may see (another location's answers None, like a missing one), with its
    person, place and the hearing that replaced it."""
    qs = Hearing.objects.filter(pk=hearing_id).select_related(
        "case__alien",
        "case__location",
        "hearing_location__court",
        "hearing_location__reporting_port",
        "replaced_by__hearing_location",
    )
    return _scope_cases(qs, user).first()


def family_hearings_in_slot(*, user: User, hearing: Hearing) -> list[Hearing]:
    """The scheduled hearings of the same family (served together: one encounter) in the same slot as
    ``hearing``, itself included, in id order: a family heard together is moved together (H2)."""
    qs = Hearing.objects.filter(
        slot_id=hearing.slot_id,
        status=Hearing.Status.SCHEDULED,
        case__encounter_id=hearing.case.encounter_id,
    ).select_related("case__alien")
    return list(_scope_cases(qs, user).order_by("pk"))


# --- the REST API's reads (hearings.api) ----------------------------------------------------------------


def hearings_visible_to(
    *,
    user: User | AnonymousUser,
    case_id: int | None = None,
    hearing_location: HearingLocation | None = None,
    day: dt.date | None = None,
) -> QuerySet[Hearing]:
    """Hearings of the cases the user may see, with what one shows (the person, the place, its court and
    reporting port, the hearing that replaced it), in hearing order. ``day`` is read in the zone of
    ``hearing_location`` (the docket of that day) and is ignored without it."""
    if not isinstance(user, User):
        return Hearing.objects.none()
    qs = Hearing.objects.select_related(
        "case__alien",
        "hearing_location__court",
        "hearing_location__reporting_port",
        "replaced_by",
    )
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if hearing_location is not None:
        qs = qs.filter(hearing_location=hearing_location)
        if day is not None:
            start, end = local_day_bounds(day, hearing_location.time_zone)
            qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    return _scope_cases(qs, user).order_by("starts_at", "id")


def ntas_visible_to(
    *, user: User | AnonymousUser, filed: bool | None = None, court_id: int | None = None
) -> QuerySet[NoticeToAppear]:
    """NTAs of the cases the user may see, with what a row shows; ``filed`` False is the filing queue
    (served, not yet confirmed filed: M3/M4 count only filed ones), True the filed ones."""
    if not isinstance(user, User):
        return NoticeToAppear.objects.none()
    if filed is False:
        return filing_queue(user=user, court_id=court_id)
    qs = NoticeToAppear.objects.select_related(
        "case__alien",
        "court",
        "served_location",
        "initial_hearing__hearing_location",
        "served_by",
        "filed_by",
    )
    if filed:
        qs = qs.filter(filed_on__isnull=False)
    if court_id:
        qs = qs.filter(court_id=court_id)
    return _scope_cases(qs, user).order_by("-served_at", "-id")


def nta_records_visible_to(*, user: User | AnonymousUser) -> QuerySet[NoticeToAppear]:
    """NTAs the user may see with everything one record shows: the facts of the allegations, the charges,
    the court and initial hearing, the service (N3) and the filing."""
    if not isinstance(user, User):
        return NoticeToAppear.objects.none()
    qs = NoticeToAppear.objects.select_related(
        "case__alien",
        "court",
        "initial_hearing__hearing_location",
        "served_by",
        "served_location",
        "arrived_at",
        "oral_notice_language",
        "interpreter_language",
        "filed_by",
    ).prefetch_related(Prefetch("charges", queryset=NtaCharge.objects.select_related("charge")))
    return _scope_cases(qs, user).order_by("-served_at", "-id")


def tear_sheets_visible_to(
    *, user: User | AnonymousUser, case_id: int | None = None, state: str | None = None
) -> QuerySet[TearSheet]:
    """Tear sheets of the cases the user may see (every version: superseded ones stay, N5), newest issued
    first; ``state`` one of ``SHEET_STATES``."""
    if not isinstance(user, User):
        return TearSheet.objects.none()
    qs = TearSheet.objects.select_related(
        "case__alien", "hearing__hearing_location__court", "location", "superseded_by"
    )
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if state in SHEET_STATES:
        qs = qs.filter(SHEET_STATES[state])
    return _scope_cases(qs, user).order_by("-issued_at", "-id")


def case_addresses(*, user: User, case_id: int) -> list[AddressInMexico] | None:
    """N6: the person's addresses in Mexico, the current (latest received) first; None when the case is
    not one the user may see (answered like a missing one)."""
    if not may_read_hearings(user):
        return None
    case = Case.objects.filter(pk=case_id).only("id", "alien_id", "location_id").first()
    if case is None or not case_is_visible_to(user, case):
        return None
    return list(
        AddressInMexico.objects.filter(alien_id=case.alien_id)
        .select_related("recorded_by")
        .order_by("-received_on", "-id")
    )


def charges_active() -> list[Charge]:
    """The charges an NTA may bring now, by INA section (the NTA page's checkboxes)."""
    return list(Charge.objects.filter(is_active=True).order_by("code"))


def languages() -> list[Language]:
    """Every language, by name (N3: the oral notice's and the interpreter's language)."""
    return list(Language.objects.order_by("name"))
