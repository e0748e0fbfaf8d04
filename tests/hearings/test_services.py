"""hearings.services against the real database: docket time, serving the NTA (N1, N1a, N3), filing it
(M3/M4), moving hearings (H2), changes of address (N6), printing, and what a tear sheet prints."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.exceptions import (
    CaseNotFound,
    ConcurrentEdit,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)
from cases.models import Case, CaseEvent, CaseStatus, Encounter, Language
from hearings.models import (
    AddressInMexico,
    Hearing,
    HearingSlot,
    NoticeToAppear,
    NtaCharge,
    PrintBatch,
    TearSheet,
    TearSheetPrint,
)
from hearings.selectors import case_hearings, tear_sheet_data_many
from hearings.services import (
    MAX_BATCH,
    AddressInput,
    address_change_record,
    hearings_move,
    nta_file,
    nta_serve_family,
    print_batch_build,
    print_batch_create,
    print_batch_mark_printed,
    slots_publish,
    tear_sheet_reissue,
)
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from tests.factories import CaseFactory, family_with_cases, language, user_with_role
from tests.hearings.factories import ADDRESS, amenable_family, hearing_location, pro_bono, serve, slot
from tests.screenings.factories import fear_claim_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC
LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def speaking(case: Case, code: str) -> Case:
    alien = case.alien
    alien.preferred_language = language(code)
    alien.save(update_fields=["preferred_language"])
    return case


def statuses(cases: list[Case]) -> list[str]:
    return [Case.objects.get(pk=c.pk).status for c in cases]


def events(case: Case, type: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, type=type).order_by("id"))


def sheet_of(case: Case, version: int = 1) -> TearSheet:
    return TearSheet.objects.get(case=case, version=version)


def nothing_served(slot_: HearingSlot, booked: int = 0) -> None:
    assert not NoticeToAppear.objects.exists()
    assert not Hearing.objects.exists()
    assert not TearSheet.objects.exists()
    assert not AddressInMexico.objects.exists()
    slot_.refresh_from_db()
    assert slot_.booked == booked


@pytest.fixture
def room(court_clerk):
    """A slot at the San Diego court (MPP docket) ten days ahead, 08:30 local, 20 places."""
    return slot(publisher=court_clerk)


# --- N1: serving the family's NTA ----------------------------------------------------------------------


def test_n1_serving_a_family_of_three_gives_each_an_nta_an_initial_hearing_and_a_tear_sheet(officer, room):
    cases = amenable_family(3)
    speaking(cases[0], "es")
    speaking(cases[1], "pt")
    speaking(cases[2], "quc")

    ntas = serve(cases, officer=officer, at=room)

    assert sorted(n.case_id for n in ntas) == sorted(c.pk for c in cases)
    room.refresh_from_db()
    assert room.booked == 3
    for case in cases:
        nta = NoticeToAppear.objects.get(case=case)
        hearing = nta.initial_hearing
        assert nta.court.code == "sdg-ic"
        assert nta.classification == NoticeToAppear.Classification.ARRIVING
        assert nta.citizen_of == case.alien.country_of_citizenship
        assert nta.arrived_at.code == "sys-poe"
        assert nta.served_by == officer
        assert nta.filed_on is None
        assert [link.charge.code for link in NtaCharge.objects.filter(nta=nta)] == ["212(a)(7)(A)(i)(I)"]
        assert (hearing.slot, hearing.starts_at, hearing.hearing_location.code) == (
            room,
            room.starts_at,
            "sdg-ic-mpp",
        )
        assert (hearing.kind, hearing.status, hearing.is_initial) == ("master", "scheduled", True)
        address = AddressInMexico.objects.get(case=case)
        assert (address.source, address.how_received) == ("nta", "at_service")
        assert address.address == "Calle Juárez 123, Col. Centro"
        assert address.city == "Tijuana"
        assert [e.data["nta_id"] for e in events(case, "nta.served")] == [nta.pk]
        assert len(events(case, "tear_sheet.issued")) == 1
    # N1a: es and pt have tear sheets; K'iche' has none, so English and Spanish side by side.
    assert [(sheet_of(c).version, sheet_of(c).reason, sheet_of(c).language_code) for c in cases] == [
        (1, "new", "es"),
        (1, "new", "pt"),
        (1, "new", ""),
    ]
    assert {sheet_of(c).location.code for c in cases} == {"sys-poe"}
    assert statuses(cases) == [CaseStatus.ENROLLED] * 3
    assert OutboxEvent.objects.filter(event="nta.served").count() == 1
    assert OutboxEvent.objects.filter(event="tear_sheet.issued").count() == 3


@pytest.mark.parametrize(
    ("language_code", "printed_in"),
    [("en", "en"), ("es", "es"), ("pt", "pt"), ("ht", "ht"), ("quc", ""), ("mam", "")],
)
def test_n1a_the_first_tear_sheet_is_in_the_persons_language_or_english_and_spanish(
    officer, room, language_code, printed_in
):
    cases = amenable_family(1)
    speaking(cases[0], language_code)

    serve(cases, officer=officer, at=room)

    assert sheet_of(cases[0]).language_code == printed_in


def test_n1a_a_language_whose_flag_is_off_prints_english_and_spanish(officer, room):
    Language.objects.filter(code="ht").update(tear_sheet_available=False)
    cases = amenable_family(1)
    speaking(cases[0], "ht")

    serve(cases, officer=officer, at=room)

    assert sheet_of(cases[0]).language_code == ""


def test_n1_serving_a_served_family_again_is_a_no_op(officer, room):
    cases = amenable_family(2)
    first = serve(cases, officer=officer, at=room)
    counts = (Hearing.objects.count(), TearSheet.objects.count(), CaseEvent.objects.count())

    again = serve(cases, officer=officer, at=room)

    assert sorted(n.pk for n in again) == sorted(n.pk for n in first)
    assert (Hearing.objects.count(), TearSheet.objects.count(), CaseEvent.objects.count()) == counts
    room.refresh_from_db()
    assert room.booked == 2
    assert OutboxEvent.objects.filter(event="nta.served").count() == 1


def test_n1_only_the_amenable_members_are_served(officer, room):
    """F2: the Mexican child is not amenable; she is not served and her case stays where it is."""
    cases = amenable_family(2)
    child = CaseFactory(encounter=cases[0].encounter, status=CaseStatus.NOT_AMENABLE, membership="child")

    ntas = serve([*cases, child], officer=officer, at=room)

    assert sorted(n.case_id for n in ntas) == sorted(c.pk for c in cases)
    assert not NoticeToAppear.objects.filter(case=child).exists()
    assert Case.objects.get(pk=child.pk).status == CaseStatus.NOT_AMENABLE
    room.refresh_from_db()
    assert room.booked == 2


def test_n1_serving_again_a_family_with_a_member_who_is_not_amenable_is_a_no_op(officer, room):
    """A double submit after the amenable members were served: the Mexican child is still not amenable,
    which is no reason to refuse what was already done."""
    cases = amenable_family(2)
    child = CaseFactory(encounter=cases[0].encounter, status=CaseStatus.NOT_AMENABLE, membership="child")
    first = serve([*cases, child], officer=officer, at=room)

    again = serve([*cases, child], officer=officer, at=room)

    assert sorted(n.pk for n in again) == sorted(n.pk for n in first)
    room.refresh_from_db()
    assert room.booked == 2
    assert NoticeToAppear.objects.count() == 2


def test_n1_a_family_nobody_in_which_is_amenable_is_refused(officer, room):
    cases = family_with_cases(size=2, status=CaseStatus.AWAITING_REVIEW)

    with pytest.raises(IllegalTransition) as refused:
        serve(cases, officer=officer, at=room)

    assert refused.value.code == "nobody_amenable"
    nothing_served(room)


def test_s1_a_members_pending_fear_claim_refuses_the_whole_familys_service_and_saves_nothing(officer, room):
    """S1/S4: the claimant cannot be enrolled while the claim is pending; the family is served together,
    so nobody is — and no place in the slot is taken."""
    cases = amenable_family(3)
    fear_claim_for(cases[1], actor=officer, statement="States fear of return to Tijuana")

    with pytest.raises(PolicyRefusal) as refused:
        serve(cases, officer=officer, at=room)

    assert (refused.value.rule, refused.value.code) == ("S1", "fear_claim_pending")
    assert cases[1].alien.full_name in refused.value.message
    nothing_served(room)
    assert statuses(cases) == [CaseStatus.AMENABLE] * 3
    assert not CaseEvent.objects.filter(type__in=["nta.served", "tear_sheet.issued"]).exists()


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.PRINT_STAFF, Role.CBP_SUPERVISOR])
def test_n1_only_officers_and_agents_serve_an_nta(room, role):
    cases = amenable_family(2)

    with pytest.raises(NotPermitted):
        serve(cases, officer=user_with_role(role), at=room)

    nothing_served(room)


def test_n1_an_officer_of_another_location_does_not_find_the_family(room):
    cases = amenable_family(2)
    laredo = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])

    with pytest.raises(CaseNotFound):
        serve(cases, officer=laredo, at=room)

    nothing_served(room)


def test_n1_the_nta_records_the_local_days_of_arrival_and_of_the_address(officer, room):
    """An encounter at 20:00 in San Ysidro is already the next day in UTC: the NTA alleges the local date
    of arrival, and the address given at service is dated the local day of service."""
    cases = amenable_family(1)
    day = timezone.localdate(timezone.now(), LA) - dt.timedelta(days=2)
    evening = dt.datetime.combine(day, dt.time(20, 0), tzinfo=LA)
    Encounter.objects.filter(pk=cases[0].encounter_id).update(occurred_at=evening - dt.timedelta(hours=1))

    nta_serve_family(
        encounter_id=cases[0].encounter_id,
        slot_id=room.pk,
        actor=officer,
        classification=NoticeToAppear.Classification.ARRIVING,
        charge_codes=["212(a)(7)(A)(i)(I)"],
        oral_notice_language="es",
        interpretation="none",
        interpreter_language=None,
        address=ADDRESS,
        served_at=evening.astimezone(UTC),
    )

    nta = NoticeToAppear.objects.get(case=cases[0])
    assert nta.arrived_on == day
    assert AddressInMexico.objects.get(case=cases[0]).received_on == day


def test_n1_a_charge_not_on_the_list_is_refused(officer, room):
    cases = amenable_family(1)

    with pytest.raises(InvalidInput) as refused:
        nta_serve_family(
            encounter_id=cases[0].encounter_id,
            slot_id=room.pk,
            actor=officer,
            classification="arriving",
            charge_codes=["999(z)"],
            oral_notice_language="es",
            interpretation="none",
            interpreter_language=None,
            address=ADDRESS,
        )

    assert refused.value.field == "charges"
    assert "999(z)" in refused.value.message
    nothing_served(room)


def _serve_at(cases: list[Case], officer, room, **overrides) -> list[NoticeToAppear]:
    arguments = dict(
        encounter_id=cases[0].encounter_id,
        slot_id=room.pk,
        actor=officer,
        classification="arriving",
        charge_codes=["212(a)(7)(A)(i)(I)"],
        oral_notice_language="es",
        interpretation="none",
        interpreter_language=None,
        address=ADDRESS,
    )
    return nta_serve_family(**{**arguments, **overrides})


def test_n1_the_officer_may_serve_only_the_members_chosen(officer, room):
    cases = amenable_family(3)

    ntas = _serve_at(cases, officer, room, case_ids=[cases[0].pk, cases[2].pk])

    assert sorted(n.case_id for n in ntas) == [cases[0].pk, cases[2].pk]
    assert statuses(cases) == [CaseStatus.ENROLLED, CaseStatus.AMENABLE, CaseStatus.ENROLLED]
    room.refresh_from_db()
    assert room.booked == 2


def test_n1_a_chosen_case_of_another_family_is_refused(officer, room):
    cases, stranger = amenable_family(2), amenable_family(1)[0]

    with pytest.raises(InvalidInput) as refused:
        _serve_at(cases, officer, room, case_ids=[cases[0].pk, stranger.pk])

    assert refused.value.field == "cases"
    nothing_served(room)


@pytest.mark.parametrize(
    ("when", "field"),
    [(dt.timedelta(hours=2), "served_at"), (-dt.timedelta(days=1), "served_at")],
    ids=["in-the-future", "before-the-encounter"],
)
def test_n1_the_time_of_service_is_after_the_encounter_and_not_in_the_future(officer, room, when, field):
    cases = amenable_family(1)

    with pytest.raises(InvalidInput) as refused:
        _serve_at(cases, officer, room, served_at=timezone.now() + when)

    assert refused.value.field == field
    nothing_served(room)


@pytest.mark.parametrize(
    ("address", "field"),
    [
        (AddressInput(address=" ", city="Tijuana", state="Baja California"), "address"),
        (AddressInput(address="Calle 1", city="", state="Baja California"), "address_city"),
        (AddressInput(address="Calle 1", city="Tijuana", state=""), "address_state"),
    ],
)
def test_n6_the_address_in_mexico_given_at_service_is_complete(officer, room, address, field):
    cases = amenable_family(1)

    with pytest.raises(InvalidInput) as refused:
        _serve_at(cases, officer, room, address=address)

    assert refused.value.field == field
    nothing_served(room)


# --- N3: interpretation --------------------------------------------------------------------------------


def test_n3_no_interpreter_with_an_interpreters_language_is_refused(officer, room):
    cases = amenable_family(1)

    with pytest.raises(InvalidInput) as refused:
        serve(cases, officer=officer, at=room, interpretation="none", interpreter_language="quc")

    assert (refused.value.field, refused.value.code) == ("interpreter_language", "n3_interpretation")
    nothing_served(room)


@pytest.mark.parametrize("mode", ["in_person", "telephonic"])
def test_n3_an_interpreter_without_a_language_is_refused(officer, room, mode):
    cases = amenable_family(1)

    with pytest.raises(InvalidInput) as refused:
        serve(cases, officer=officer, at=room, interpretation=mode, interpreter_language=None)

    assert refused.value.field == "interpreter_language"
    nothing_served(room)


def test_n3_a_telephonic_interpreter_and_the_language_are_recorded(officer, room):
    cases = amenable_family(1)
    speaking(cases[0], "quc")

    serve(
        cases,
        officer=officer,
        at=room,
        interpretation="telephonic",
        interpreter_language="quc",
        oral_notice_language="quc",
    )

    nta = NoticeToAppear.objects.select_related("interpreter_language", "oral_notice_language").get(
        case=cases[0]
    )
    assert nta.interpretation == NoticeToAppear.Interpretation.TELEPHONIC
    assert nta.interpreter_language.code == "quc"
    assert nta.oral_notice_language.code == "quc"
    enrolled = events(cases[0], "nta.served")[0]
    assert enrolled.data["interpretation"] == "telephonic"


@pytest.mark.parametrize(
    ("interpretation", "interpreter_code"), [("none", "es"), ("in_person", None), ("telephonic", None)]
)
def test_n3_the_database_refuses_an_interpretation_without_its_language(
    officer, room, interpretation, interpreter_code
):
    cases = amenable_family(1)
    (nta,) = serve(cases, officer=officer, at=room)
    interpreter = Language.objects.get(code=interpreter_code) if interpreter_code else None

    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeToAppear.objects.filter(pk=nta.pk).update(
            interpretation=interpretation, interpreter_language=interpreter
        )


# --- docket time (slots) -------------------------------------------------------------------------------


def _next_offset_change(zone: zoneinfo.ZoneInfo, *, forward: bool) -> dt.date:
    """The next day (from a week ahead) on which the zone's UTC offset grows (forward) or shrinks, at noon."""
    day = timezone.localdate() + dt.timedelta(days=7)
    for _ in range(400):
        before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12), tzinfo=zone).utcoffset()
        after = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
        if before != after and (after > before) == forward:
            return day
        day += dt.timedelta(days=1)
    raise AssertionError(f"{zone} does not change its offset")


def test_slots_are_published_at_local_times_in_the_hearing_locations_zone(court_clerk):
    place = hearing_location("elp-ic-mpp")  # America/Denver
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=5)

    slots = slots_publish(
        hearing_location_id=place.pk,
        day=day,
        times=[dt.time(13, 0), dt.time(8, 30)],
        capacity=15,
        actor=court_clerk,
    )

    denver = zoneinfo.ZoneInfo("America/Denver")
    assert [s.starts_at for s in slots] == [
        dt.datetime.combine(day, dt.time(8, 30), tzinfo=denver),
        dt.datetime.combine(day, dt.time(13, 0), tzinfo=denver),
    ]
    assert all((s.capacity, s.booked, s.published_by) == (15, 0, court_clerk) for s in slots)
    assert HearingSlot.objects.filter(hearing_location=place).count() == 2


@pytest.mark.parametrize("forward", [True, False], ids=["spring-forward", "fall-back"])
def test_slots_across_a_daylight_saving_change_keep_their_local_time(court_clerk, forward):
    """08:30 in San Diego is 16:30 UTC in winter and 15:30 UTC in summer: a slot on each side of the
    change is 08:30 local, so their UTC times are 23 or 25 hours apart, not 24."""
    place = hearing_location("sdg-ic-mpp")
    change = _next_offset_change(LA, forward=forward)
    before, after = change - dt.timedelta(days=1), change

    (first,) = slots_publish(
        hearing_location_id=place.pk, day=before, times=[dt.time(8, 30)], capacity=10, actor=court_clerk
    )
    (second,) = slots_publish(
        hearing_location_id=place.pk, day=after, times=[dt.time(8, 30)], capacity=10, actor=court_clerk
    )

    first, second = (HearingSlot.objects.get(pk=s.pk) for s in (first, second))  # as stored: UTC
    standard, daylight = dt.time(16, 30), dt.time(15, 30)
    expected = (standard, daylight) if forward else (daylight, standard)
    assert first.starts_at == dt.datetime.combine(before, expected[0], tzinfo=UTC)
    assert second.starts_at == dt.datetime.combine(after, expected[1], tzinfo=UTC)
    assert first.starts_at == dt.datetime.combine(before, dt.time(8, 30), tzinfo=LA).astimezone(UTC)
    assert second.starts_at - first.starts_at == dt.timedelta(hours=23 if forward else 25)


def test_a_slot_at_a_time_the_clocks_skip_is_refused(court_clerk):
    place = hearing_location("sdg-ic-mpp")
    change = _next_offset_change(LA, forward=True)

    with pytest.raises(InvalidInput) as refused:
        slots_publish(
            hearing_location_id=place.pk, day=change, times=[dt.time(2, 30)], capacity=10, actor=court_clerk
        )

    assert refused.value.field == "times"
    assert "02:30" in refused.value.message
    assert not HearingSlot.objects.exists()


def test_a_slot_at_a_time_that_occurs_twice_is_the_first_daylight_one(court_clerk):
    place = hearing_location("sdg-ic-mpp")
    change = _next_offset_change(LA, forward=False)

    (early,) = slots_publish(
        hearing_location_id=place.pk, day=change, times=[dt.time(1, 30)], capacity=10, actor=court_clerk
    )

    stored = HearingSlot.objects.get(pk=early.pk).starts_at
    assert stored == dt.datetime.combine(change, dt.time(8, 30), tzinfo=UTC)  # 01:30 PDT, UTC-7


def test_publishing_a_time_that_already_has_a_slot_is_refused_naming_it_and_publishes_nothing(court_clerk):
    place = hearing_location("sdg-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=3)
    slots_publish(
        hearing_location_id=place.pk, day=day, times=[dt.time(8, 30)], capacity=10, actor=court_clerk
    )

    with pytest.raises(InvalidInput) as refused:
        slots_publish(
            hearing_location_id=place.pk,
            day=day,
            times=[dt.time(10, 0), dt.time(8, 30)],
            capacity=10,
            actor=court_clerk,
        )

    assert (refused.value.code, refused.value.field) == ("slot_exists", "times")
    assert f"{day:%Y-%m-%d} 08:30" in refused.value.message
    assert HearingSlot.objects.count() == 1


def test_a_time_given_twice_is_refused(court_clerk):
    place = hearing_location("sdg-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=3)

    with pytest.raises(InvalidInput) as refused:
        slots_publish(
            hearing_location_id=place.pk,
            day=day,
            times=[dt.time(8, 30), dt.time(8, 30)],
            capacity=10,
            actor=court_clerk,
        )

    assert refused.value.field == "times"
    assert not HearingSlot.objects.exists()


@pytest.mark.parametrize("capacity", [0, 501])
def test_a_slot_capacity_outside_1_to_500_is_refused(court_clerk, capacity):
    place = hearing_location("sdg-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=3)

    with pytest.raises(InvalidInput) as refused:
        slots_publish(
            hearing_location_id=place.pk,
            day=day,
            times=[dt.time(8, 30)],
            capacity=capacity,
            actor=court_clerk,
        )

    assert refused.value.field == "capacity"
    assert not HearingSlot.objects.exists()


def test_a_slot_on_a_past_day_is_refused(court_clerk):
    place = hearing_location("sdg-ic-mpp")
    yesterday = timezone.localdate(timezone.now(), place.zone) - dt.timedelta(days=1)

    with pytest.raises(InvalidInput) as refused:
        slots_publish(
            hearing_location_id=place.pk,
            day=yesterday,
            times=[dt.time(8, 30)],
            capacity=10,
            actor=court_clerk,
        )

    assert refused.value.field == "day"
    assert not HearingSlot.objects.exists()


@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.PRINT_STAFF, Role.CBP_SUPERVISOR, Role.ICE_OFFICER])
def test_only_court_staff_publish_slots(role):
    place = hearing_location("sdg-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=3)

    with pytest.raises(NotPermitted):
        slots_publish(
            hearing_location_id=place.pk,
            day=day,
            times=[dt.time(8, 30)],
            capacity=10,
            actor=user_with_role(role),
        )

    assert not HearingSlot.objects.exists()


def test_a_family_larger_than_the_room_left_in_the_slot_is_told_it_is_full(officer, court_clerk):
    small = slot(capacity=2, publisher=court_clerk)
    cases = amenable_family(3)

    with pytest.raises(ConcurrentEdit) as refused:
        serve(cases, officer=officer, at=small)

    assert refused.value.code == "slot_full"
    assert "2 places left; 3 needed" in refused.value.message
    nothing_served(small)
    assert statuses(cases) == [CaseStatus.AMENABLE] * 3


def test_a_slot_that_has_begun_cannot_be_booked(officer, court_clerk):
    begun = slot(days_ahead=-1, publisher=court_clerk)
    cases = amenable_family(1)

    with pytest.raises(InvalidInput) as refused:
        serve(cases, officer=officer, at=begun)

    assert (refused.value.code, refused.value.field) == ("slot_past", "slot")
    nothing_served(begun)


def test_the_database_refuses_to_overbook_a_slot(room):
    with pytest.raises(IntegrityError), transaction.atomic():
        HearingSlot.objects.filter(pk=room.pk).update(booked=F("capacity") + 1)

    room.refresh_from_db()
    assert room.booked == 0


# --- M3/M4: filing the NTA ---------------------------------------------------------------------------


def test_m3_filing_an_nta_records_the_date_and_who(officer, room, court_clerk):
    cases = amenable_family(2)
    ntas = serve(cases, officer=officer, at=room)
    today = timezone.localdate()

    filed = nta_file(nta_ids=[n.pk for n in ntas], filed_on=today, actor=court_clerk)

    assert {(n.filed_on, n.filed_by) for n in filed} == {(today, court_clerk)}
    for case in cases:
        nta = NoticeToAppear.objects.get(case=case)
        assert (nta.filed_on, nta.filed_by) == (today, court_clerk)
        (event,) = events(case, "nta.filed")
        assert (event.actor, event.data["filed_on"], event.data["rule"]) == (
            court_clerk,
            today.isoformat(),
            "M3",
        )
    assert OutboxEvent.objects.filter(event="nta.filed").count() == 2


def test_m3_filing_a_filed_nta_again_changes_nothing(officer, room, court_clerk):
    (nta,) = serve(amenable_family(1), officer=officer, at=room)
    today = timezone.localdate()
    nta_file(nta_ids=[nta.pk], filed_on=today, actor=court_clerk)

    nta_file(nta_ids=[nta.pk], filed_on=today - dt.timedelta(days=1), actor=user_with_role(Role.COURT_STAFF))

    nta.refresh_from_db()
    assert (nta.filed_on, nta.filed_by) == (today, court_clerk)
    assert CaseEvent.objects.filter(type="nta.filed").count() == 1


def test_m3_a_filing_date_in_the_future_is_refused(officer, room, court_clerk):
    (nta,) = serve(amenable_family(1), officer=officer, at=room)

    with pytest.raises(InvalidInput) as refused:
        nta_file(nta_ids=[nta.pk], filed_on=timezone.localdate() + dt.timedelta(days=2), actor=court_clerk)

    assert refused.value.field == "filed_on"
    nta.refresh_from_db()
    assert nta.filed_on is None


def test_m3_a_filing_date_before_the_service_is_refused(officer, room, court_clerk):
    (nta,) = serve(amenable_family(1), officer=officer, at=room)

    with pytest.raises(InvalidInput) as refused:
        nta_file(nta_ids=[nta.pk], filed_on=timezone.localdate() - dt.timedelta(days=5), actor=court_clerk)

    assert refused.value.field == "filed_on"


@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.PRINT_STAFF, Role.CBP_SUPERVISOR])
def test_m4_only_court_staff_confirm_a_filing(officer, room, role):
    (nta,) = serve(amenable_family(1), officer=officer, at=room)

    with pytest.raises(NotPermitted):
        nta_file(nta_ids=[nta.pk], filed_on=timezone.localdate(), actor=user_with_role(role))

    nta.refresh_from_db()
    assert nta.filed_on is None


# --- H2: rescheduling and continuing hearings -----------------------------------------------------------


@pytest.fixture
def served(officer, room):
    """One person served into ``room``: (case, initial hearing)."""
    cases = amenable_family(1)
    (nta,) = serve(cases, officer=officer, at=room)
    return cases[0], nta.initial_hearing


def test_h2_rescheduling_moves_the_hearing_and_its_place(served, room, court_clerk):
    case, old = served
    later = slot(days_ahead=12, hour=10, minute=0, publisher=court_clerk)

    (new,) = hearings_move(
        hearing_ids=[old.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="Judge on leave"
    )

    old.refresh_from_db()
    assert old.status == Hearing.Status.RESCHEDULED
    assert old.replaced_by == new
    assert (new.replaces, new.slot, new.starts_at, new.status) == (old, later, later.starts_at, "scheduled")
    assert (new.kind, new.is_initial, new.reason, new.scheduled_by) == (
        "master",
        False,
        "Judge on leave",
        court_clerk,
    )
    room.refresh_from_db()
    later.refresh_from_db()
    assert (room.booked, later.booked) == (0, 1)
    (event,) = events(case, "hearing.rescheduled")
    assert event.data == {
        "old_hearing_id": old.pk,
        "new_hearing_id": new.pk,
        "new_at": later.starts_at.isoformat(),
        "rule": "H2",
    }
    assert "Judge on leave" in event.reason
    emitted = OutboxEvent.objects.get(event="hearing.rescheduled")
    assert emitted.payload == {"old_hearing_id": old.pk, "new_hearing_id": new.pk, "mode": "rescheduled"}
    assert Hearing.objects.get(case=case, status="scheduled") == new


def test_h2_continuing_goes_to_a_later_day_and_the_old_slot_keeps_its_place(served, room, court_clerk):
    """A continued hearing took place: its place in the old slot was used."""
    case, old = served
    next_week = slot(days_ahead=17, publisher=court_clerk)

    (new,) = hearings_move(
        hearing_ids=[old.pk],
        slot_id=next_week.pk,
        mode="continued",
        actor=court_clerk,
        reason="Time to find counsel",
    )

    old.refresh_from_db()
    assert old.status == Hearing.Status.CONTINUED
    assert new.replaces == old
    room.refresh_from_db()
    next_week.refresh_from_db()
    assert (room.booked, next_week.booked) == (1, 1)
    assert len(events(case, "hearing.continued")) == 1
    assert OutboxEvent.objects.get(event="hearing.rescheduled").payload["mode"] == "continued"


def test_h2_a_hearing_continued_to_the_same_day_is_refused(served, room, court_clerk):
    _case, old = served
    afternoon = slot(days_ahead=10, hour=14, minute=0, publisher=court_clerk)

    with pytest.raises(InvalidInput) as refused:
        hearings_move(
            hearing_ids=[old.pk], slot_id=afternoon.pk, mode="continued", actor=court_clerk, reason="Ran late"
        )

    assert (refused.value.code, refused.value.field) == ("h2_later_day", "slot")
    old.refresh_from_db()
    afternoon.refresh_from_db()
    assert (old.status, afternoon.booked) == ("scheduled", 0)


def test_h2_a_hearing_that_was_moved_does_not_move_again(served, court_clerk):
    _case, old = served
    later = slot(days_ahead=12, publisher=court_clerk)
    hearings_move(
        hearing_ids=[old.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="Leave"
    )
    third = slot(days_ahead=14, publisher=court_clerk)

    with pytest.raises(IllegalTransition) as refused:
        hearings_move(
            hearing_ids=[old.pk], slot_id=third.pk, mode="rescheduled", actor=court_clerk, reason="Again"
        )

    assert refused.value.code == "hearing_not_scheduled"
    third.refresh_from_db()
    assert third.booked == 0


def test_h2_a_slot_before_another_court_is_refused(served, court_clerk):
    _case, old = served
    el_paso = slot(place="elp-ic-mpp", days_ahead=12, publisher=court_clerk)

    with pytest.raises(InvalidInput) as refused:
        hearings_move(
            hearing_ids=[old.pk], slot_id=el_paso.pk, mode="rescheduled", actor=court_clerk, reason="x"
        )

    assert refused.value.field == "slot"
    assert "El Paso" in refused.value.message
    old.refresh_from_db()
    assert old.status == "scheduled"


def test_h2_the_same_slot_is_refused(served, room, court_clerk):
    _case, old = served

    with pytest.raises(InvalidInput) as refused:
        hearings_move(
            hearing_ids=[old.pk], slot_id=room.pk, mode="rescheduled", actor=court_clerk, reason="x"
        )

    assert refused.value.field == "slot"


@pytest.mark.parametrize("reason", ["", "   "])
def test_h2_a_move_needs_a_reason(served, court_clerk, reason):
    _case, old = served
    later = slot(days_ahead=12, publisher=court_clerk)

    with pytest.raises(InvalidInput) as refused:
        hearings_move(
            hearing_ids=[old.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason=reason
        )

    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")


@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.PRINT_STAFF, Role.CBP_SUPERVISOR])
def test_h2_only_court_staff_move_hearings(served, court_clerk, role):
    _case, old = served
    later = slot(days_ahead=12, publisher=court_clerk)

    with pytest.raises(NotPermitted):
        hearings_move(
            hearing_ids=[old.pk], slot_id=later.pk, mode="rescheduled", actor=user_with_role(role), reason="x"
        )

    old.refresh_from_db()
    assert old.status == "scheduled"


def test_h2_a_move_into_a_full_slot_is_refused(served, court_clerk):
    _case, old = served
    full = slot(days_ahead=12, capacity=1, publisher=court_clerk)
    HearingSlot.objects.filter(pk=full.pk).update(booked=1)

    with pytest.raises(ConcurrentEdit) as refused:
        hearings_move(
            hearing_ids=[old.pk], slot_id=full.pk, mode="rescheduled", actor=court_clerk, reason="x"
        )

    assert refused.value.code == "slot_full"
    old.refresh_from_db()
    assert old.status == "scheduled"


def test_h2_a_family_heard_together_is_moved_together(officer, room, court_clerk):
    cases = amenable_family(2)
    hearings = [n.initial_hearing for n in serve(cases, officer=officer, at=room)]
    later = slot(days_ahead=12, publisher=court_clerk)

    moved = hearings_move(
        hearing_ids=[h.pk for h in hearings],
        slot_id=later.pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Leave",
    )

    assert sorted(h.case_id for h in moved) == sorted(c.pk for c in cases)
    assert all(h.slot == later for h in moved)
    assert {Hearing.objects.get(pk=h.pk).status for h in hearings} == {"rescheduled"}
    room.refresh_from_db()
    later.refresh_from_db()
    assert (room.booked, later.booked) == (0, 2)
    assert OutboxEvent.objects.filter(event="hearing.rescheduled").count() == 2


# --- N5: reissue (the subscriber's service; the bus itself is in test_subscribers) --------------------


def test_n5_reissuing_supersedes_the_old_sheet_and_a_second_run_issues_nothing_more(served, court_clerk):
    case, old = served
    later = slot(days_ahead=12, publisher=court_clerk)
    (new,) = hearings_move(
        hearing_ids=[old.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="Leave"
    )

    sheet = tear_sheet_reissue(old_hearing_id=old.pk, new_hearing_id=new.pk)
    again = tear_sheet_reissue(old_hearing_id=old.pk, new_hearing_id=new.pk)

    first = sheet_of(case, 1)
    assert (sheet.version, sheet.reason, sheet.hearing, sheet.language_code) == (2, "reissued", new, "es")
    assert again == sheet
    assert (first.superseded_by, first.is_current) == (sheet, False)
    assert TearSheet.objects.filter(case=case).count() == 2
    assert len(events(case, "tear_sheet.reissued")) == 1


def test_n5_deliveries_out_of_order_leave_one_current_sheet_for_the_hearing_now_scheduled(
    served, court_clerk
):
    """Moved twice before the bus caught up, and the second move's delivery ran first (the first one was
    retried): the sheet that stays current is for the hearing the person must attend, never for the
    hearing in between, which no longer takes place."""
    case, first = served
    second = hearings_move(
        hearing_ids=[first.pk],
        slot_id=slot(days_ahead=12, publisher=court_clerk).pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Judge on leave",
    )[0]
    third = hearings_move(
        hearing_ids=[second.pk],
        slot_id=slot(days_ahead=14, publisher=court_clerk).pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Courtroom closed",
    )[0]

    tear_sheet_reissue(old_hearing_id=second.pk, new_hearing_id=third.pk)
    tear_sheet_reissue(old_hearing_id=first.pk, new_hearing_id=second.pk)

    current = TearSheet.objects.filter(case=case, superseded_at__isnull=True)
    assert [(s.hearing_id, s.version) for s in current] == [(third.pk, 2)]
    assert sheet_of(case, 1).superseded_by == sheet_of(case, 2)
    assert TearSheet.objects.filter(case=case).count() == 2


def test_n5_both_moves_delivered_in_order_after_both_happened_issue_no_sheet_for_the_hearing_in_between(
    served, court_clerk
):
    case, first = served
    second = hearings_move(
        hearing_ids=[first.pk],
        slot_id=slot(days_ahead=12, publisher=court_clerk).pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Judge on leave",
    )[0]
    third = hearings_move(
        hearing_ids=[second.pk],
        slot_id=slot(days_ahead=14, publisher=court_clerk).pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Courtroom closed",
    )[0]

    tear_sheet_reissue(old_hearing_id=first.pk, new_hearing_id=second.pk)
    tear_sheet_reissue(old_hearing_id=second.pk, new_hearing_id=third.pk)

    assert not TearSheet.objects.filter(hearing=second).exists()
    current = TearSheet.objects.get(case=case, superseded_at__isnull=True)
    assert (current.hearing_id, current.version) == (third.pk, 2)


# --- N6: change of address -----------------------------------------------------------------------------

NEW_HOME = AddressInput(address="Av. Revolución 45, Zona Centro", city="Tijuana", state="Baja California")


def test_n6_the_latest_address_is_what_the_tear_sheet_prints(served, court_clerk):
    case, _hearing = served
    today = timezone.localdate()

    record = address_change_record(
        case_id=case.pk, address=NEW_HOME, received_on=today, how_received="mail", actor=court_clerk
    )

    assert (record.source, record.how_received, record.recorded_by) == ("eoir33", "mail", court_clerk)
    sheet = sheet_of(case)
    assert tear_sheet_data_many([sheet.pk])[sheet.pk].current_address == (
        "Av. Revolución 45, Zona Centro, Tijuana, Baja California, Mexico"
    )
    assert case_hearings(user=court_clerk, case=case).current_address == record
    (event,) = events(case, "address.changed")
    assert (event.actor, event.data) == (court_clerk, {"address_id": record.pk, "rule": "N6"})
    assert OutboxEvent.objects.filter(event="address.changed", case_id=case.pk).exists()


def test_n6_a_form_received_earlier_but_recorded_later_does_not_replace_the_newer_address(
    served, court_clerk
):
    case, _hearing = served
    today = timezone.localdate()
    address_change_record(
        case_id=case.pk, address=NEW_HOME, received_on=today, how_received="mail", actor=court_clerk
    )

    address_change_record(
        case_id=case.pk,
        address=AddressInput(address="Calle 5 de Mayo 9", city="Mexicali", state="Baja California"),
        received_on=today - dt.timedelta(days=1),
        how_received="in_court",
        actor=court_clerk,
    )

    sheet = sheet_of(case)
    assert tear_sheet_data_many([sheet.pk])[sheet.pk].current_address.startswith("Av. Revolución 45")


@pytest.mark.parametrize("role", [Role.PRINT_STAFF, Role.CBP_SUPERVISOR, Role.ICE_OFFICER])
def test_n6_recording_a_change_of_address_is_for_court_staff_and_officers(served, role):
    case, _hearing = served

    with pytest.raises(NotPermitted):
        address_change_record(
            case_id=case.pk,
            address=NEW_HOME,
            received_on=timezone.localdate(),
            how_received="mail",
            actor=user_with_role(role),
        )

    assert AddressInMexico.objects.filter(case=case).count() == 1


def test_n6_an_officer_records_a_form_handed_in_at_the_port(served, officer):
    case, _hearing = served

    record = address_change_record(
        case_id=case.pk,
        address=NEW_HOME,
        received_on=timezone.localdate(),
        how_received="at_port",
        actor=officer,
    )

    assert record.recorded_by == officer


def test_n6_no_change_of_address_before_the_nta_is_served(officer):
    (case,) = amenable_family(1)

    with pytest.raises(IllegalTransition) as refused:
        address_change_record(
            case_id=case.pk,
            address=NEW_HOME,
            received_on=timezone.localdate(),
            how_received="mail",
            actor=officer,
        )

    assert refused.value.code == "no_nta"
    assert not AddressInMexico.objects.exists()


@pytest.mark.parametrize(
    ("how_received", "days", "field"),
    [("at_service", 0, "how_received"), ("carrier_pigeon", 0, "how_received"), ("mail", 2, "received_on")],
)
def test_n6_how_and_when_the_form_was_received_are_checked(served, court_clerk, how_received, days, field):
    case, _hearing = served

    with pytest.raises(InvalidInput) as refused:
        address_change_record(
            case_id=case.pk,
            address=NEW_HOME,
            received_on=timezone.localdate() + dt.timedelta(days=days),
            how_received=how_received,
            actor=court_clerk,
        )

    assert refused.value.field == field


# --- printing ------------------------------------------------------------------------------------------


@pytest.fixture
def printer(db):
    """Print staff at San Ysidro."""
    return user_with_role(Role.PRINT_STAFF)


def test_a_superseded_sheet_is_not_printed_and_its_replacement_is_named(served, court_clerk, printer):
    case, old = served
    later = slot(days_ahead=12, publisher=court_clerk)
    (new,) = hearings_move(
        hearing_ids=[old.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="x"
    )
    tear_sheet_reissue(old_hearing_id=old.pk, new_hearing_id=new.pk)

    with pytest.raises(InvalidInput) as refused:
        print_batch_create(sheet_ids=[sheet_of(case, 1).pk], actor=printer)

    assert (refused.value.code, refused.value.rule) == ("superseded", "N5")
    assert f"case {case.pk} v1 (superseded by v2)" in refused.value.message
    assert not PrintBatch.objects.exists()


def test_print_staff_cannot_print_another_locations_sheet(served):
    case, _hearing = served
    laredo = user_with_role(Role.PRINT_STAFF, locations=["lrd-poe"])

    with pytest.raises(CaseNotFound):
        print_batch_create(sheet_ids=[sheet_of(case).pk], actor=laredo)

    assert not PrintBatch.objects.exists()


def test_a_batch_of_more_than_the_most_sheets_is_refused(printer):
    with pytest.raises(InvalidInput) as refused:
        print_batch_create(sheet_ids=list(range(1, MAX_BATCH + 2)), actor=printer)

    assert refused.value.field == "sheets"
    assert str(MAX_BATCH) in refused.value.message


@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.COURT_STAFF])
def test_only_print_staff_print(served, role):
    case, _hearing = served

    with pytest.raises(NotPermitted):
        print_batch_create(sheet_ids=[sheet_of(case).pk], actor=user_with_role(role))


def test_marking_a_batch_printed_twice_records_one_printing_and_a_later_print_is_a_reprint(served, printer):
    case, _hearing = served
    sheet = sheet_of(case)
    batch = print_batch_create(sheet_ids=[sheet.pk], actor=printer)
    assert print_batch_build(batch_id=batch.pk).status == PrintBatch.Status.READY

    print_batch_mark_printed(batch_id=batch.pk, actor=printer)
    print_batch_mark_printed(batch_id=batch.pk, actor=printer)

    sheet.refresh_from_db()
    first_printed = sheet.printed_at
    assert (sheet.printed_by, sheet.print_count) == (printer, 1)
    assert [(p.is_reprint, p.printed_by) for p in TearSheetPrint.objects.filter(sheet=sheet)] == [
        (False, printer)
    ]
    assert len(events(case, "tear_sheet.printed")) == 1

    again = print_batch_create(sheet_ids=[sheet.pk], actor=printer)
    assert [item.is_reprint for item in again.items.all()] == [True]
    print_batch_build(batch_id=again.pk)
    print_batch_mark_printed(batch_id=again.pk, actor=printer)

    sheet.refresh_from_db()
    assert (sheet.print_count, sheet.printed_at) == (2, first_printed)
    assert [p.is_reprint for p in TearSheetPrint.objects.filter(sheet=sheet).order_by("id")] == [False, True]
    assert len(events(case, "tear_sheet.reprinted")) == 1


def test_one_batch_prints_one_locations_sheets(officer, room, court_clerk):
    both = user_with_role(Role.PRINT_STAFF, locations=["sys-poe", "lrd-poe"])
    laredo_officer = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])
    serve(amenable_family(1), officer=officer, at=room)
    serve(
        amenable_family(1, location_code="lrd-poe"),
        officer=laredo_officer,
        at=slot(place="lrd-ihf", publisher=court_clerk),
    )

    with pytest.raises(InvalidInput) as refused:
        print_batch_create(sheet_ids=list(TearSheet.objects.values_list("pk", flat=True)), actor=both)

    assert refused.value.field == "sheets"
    assert not PrintBatch.objects.exists()


def test_a_batch_not_built_yet_cannot_be_marked_printed(served, printer):
    case, _hearing = served
    batch = print_batch_create(sheet_ids=[sheet_of(case).pk], actor=printer)

    with pytest.raises(IllegalTransition) as refused:
        print_batch_mark_printed(batch_id=batch.pk, actor=printer)

    assert refused.value.code == "batch_not_ready"
    assert not TearSheetPrint.objects.exists()


# --- what a tear sheet prints ------------------------------------------------------------------------


def test_n1_n4_the_sheet_reports_in_the_ports_zone_before_the_hearing_and_lists_that_courts_providers(
    court_clerk,
):
    """Returned at Nogales, heard in El Paso: the hearing is in Mountain time (America/Denver), the report
    time at the Nogales port in Arizona time (America/Phoenix, no daylight saving), the location's lead
    time before the hearing."""
    pro_bono(
        "elp-ic",
        "Las Americas Immigrant Advocacy Center (demo)",
        "Diocesan Migrant & Refugee Services (demo)",
    )
    pro_bono("sdg-ic", "Casa Cornelia Law Center (demo)")
    nogales = user_with_role(Role.CBP_OFFICER, locations=["nog-poe"])
    cases = amenable_family(1, location_code="nog-poe")
    place = slot(place="elp-ic-nog", days_ahead=10, hour=8, minute=30, publisher=court_clerk)
    serve(cases, officer=nogales, at=place)
    sheet = sheet_of(cases[0])

    data = tear_sheet_data_many([sheet.pk])[sheet.pk]

    denver, phoenix = zoneinfo.ZoneInfo("America/Denver"), zoneinfo.ZoneInfo("America/Phoenix")
    lead = place.hearing_location.report_lead
    assert (data.hearing_time_zone, data.report_time_zone) == ("America/Denver", "America/Phoenix")
    assert data.hearing_starts_at == place.starts_at
    assert timezone.localtime(data.hearing_starts_at, denver).time() == dt.time(8, 30)
    assert data.report_at == place.starts_at.astimezone(UTC) - lead
    # Arizona keeps standard time (UTC-7): Denver's wall clock in winter, an hour behind it in summer.
    in_denver = dt.datetime.combine(dt.date(2000, 1, 1), dt.time(8, 30)) - lead
    summer = bool(timezone.localtime(place.starts_at, denver).dst())
    expected = in_denver - dt.timedelta(hours=1) if summer else in_denver
    assert timezone.localtime(data.report_at, phoenix).time() == expected.time()
    assert data.report_port_name == "Nogales DeConcini Port of Entry"
    assert data.court_name == "El Paso Immigration Court"
    assert [p.name for p in data.pro_bono] == [
        "Las Americas Immigrant Advocacy Center (demo)",
        "Diocesan Migrant & Refugee Services (demo)",
    ]
    assert data.current_address == "Calle Juárez 123, Col. Centro, Tijuana, Baja California, Mexico"
    assert (data.a_number, data.version, data.superseded) == (cases[0].alien.a_number, 1, False)


def test_tear_sheet_data_takes_the_same_queries_for_two_sheets_as_for_ten(officer, court_clerk):
    pro_bono("sdg-ic", "Casa Cornelia Law Center (demo)", "Jewish Family Service of San Diego (demo)")
    big = slot(capacity=30, publisher=court_clerk)
    for size in (1, 1, 4, 4):
        serve(amenable_family(size), officer=officer, at=big)
    ids = list(TearSheet.objects.order_by("id").values_list("pk", flat=True))
    assert len(ids) == 10

    with CaptureQueriesContext(connection) as two:
        few = tear_sheet_data_many(ids[:2])
    with CaptureQueriesContext(connection) as ten:
        many = tear_sheet_data_many(ids)

    assert (len(few), len(many)) == (2, 10)
    assert len(two.captured_queries) == len(ten.captured_queries)
    assert all(len(d.pro_bono) == 2 and d.current_address for d in many.values())
