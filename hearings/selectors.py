"""Every read of the hearings app used by pages, the API and the print task: querysets with what they
show already joined, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.selectors import case_is_visible_to, user_sees_cases
from hearings.documents import NtaMemberData, NtaRecordData, ProBonoEntry, TearSheetData
from hearings.models import (
    AddressInMexico,
    Hearing,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    NtaCharge,
    PrintBatch,
    PrintBatchItem,
    ProBonoProvider,
    TearSheet,
)
from hearings.rules import nta_allegations
from hearings.workflow import READ_ROLES
from mpp.accounts.models import User


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


def docket(*, user: User, hearing_location_id: int, day: dt.date) -> QuerySet[Hearing]:
    """The hearings at a hearing location on a day (in its zone), in hearing order: every one, with the
    person and language, including those moved away that day (shown as moved)."""
    place = HearingLocation.objects.get(pk=hearing_location_id)
    start, end = local_day_bounds(day, place.time_zone)
    qs = (
        Hearing.objects.filter(
            hearing_location_id=hearing_location_id, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("case__alien__preferred_language", "case__location", "replaced_by")
        .order_by("starts_at", "id")
    )
    return _scope_cases(qs, user)


def filing_queue(*, user: User, court_id: int | None = None) -> QuerySet[NoticeToAppear]:
    """Served NTAs not yet confirmed as filed (M3/M4 count only filed ones), oldest first."""
    qs = NoticeToAppear.objects.filter(filed_on__isnull=True).select_related(
        "case__alien", "court", "served_location", "initial_hearing__hearing_location", "served_by"
    )
    if court_id:
        qs = qs.filter(court_id=court_id)
    return _scope_cases(qs, user).order_by("served_at", "id")


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
    )
    if state == "waiting":
        qs = qs.filter(superseded_at__isnull=True, printed_at__isnull=True)
    elif state == "printed":
        qs = qs.filter(superseded_at__isnull=True, printed_at__isnull=False)
    elif state == "superseded":
        qs = qs.filter(superseded_at__isnull=False)
    if location_id:
        qs = qs.filter(location_id=location_id)
    if court_id:
        qs = qs.filter(hearing__hearing_location__court_id=court_id)
    if hearing_on:
        # The hearing's day where it is heard: every hearing location's zone is within UTC-5..-8, so a
        # UTC window of the day plus the widest offset finds it; the page shows local dates.
        start = dt.datetime.combine(hearing_on, dt.time.min, tzinfo=dt.UTC)
        qs = qs.filter(
            hearing__starts_at__gte=start, hearing__starts_at__lt=start + dt.timedelta(days=1, hours=9)
        )
    if not user.has_role("print_staff"):
        return qs.none()
    return qs.filter(location_id__in=sorted(user.duty_location_ids)).order_by("issued_at", "id")


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
        )
        .prefetch_related(Prefetch("charges", queryset=NtaCharge.objects.select_related("charge")))
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
        country = str(countries.name(nta.citizen_of.code)) if nta.citizen_of else ""
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
    """The family's cases for the NTA page, with an NTA flag (``has_nta``), in id order."""
    qs = (
        Case.objects.filter(encounter_id=encounter_id)
        .select_related("alien__preferred_language", "location", "encounter")
        .annotate(has_nta=Exists(NoticeToAppear.objects.filter(case_id=OuterRef("pk"))))
        .order_by("pk")
    )
    if not user_sees_cases(user):
        return []
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=sorted(user.duty_location_ids))
    return list(qs)
