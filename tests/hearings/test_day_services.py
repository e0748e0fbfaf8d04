"""Hearing day at the port (H1, N5, F4): check-in by scan and from the arrivals list, transport,
attended / failed to appear, overnight custody, the return to Mexico; by rule id. Every step is given an
explicit moment on the hearing's day (the hearing is days ahead), never the wall clock's."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.exceptions import CaseNotFound, IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import Case, CaseEvent, CaseStatus
from hearings import day_services
from hearings.models import HearingAttendance
from hearings.rules import tear_sheet_barcode
from hearings.services import hearings_move, tear_sheet_reissue
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from tests.factories import user_with_role
from tests.hearings.day_helpers import Day, hearing_day
from tests.hearings.factories import slot
from tests.screenings.factories import fear_claim_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def day() -> Day:
    return hearing_day()


def events(case: Case, type: str) -> int:
    return CaseEvent.objects.filter(case=case, type=type).count()


def status(case: Case) -> str:
    case.refresh_from_db()
    return case.status


# --- H1: check-in by scan -----------------------------------------------------------------------------


def test_h1_scan_of_the_barcode_checks_the_person_in_with_the_time(day: Day) -> None:
    head, child = day.cases
    sheet = day.sheet(head)
    now = day.at(10)

    result = day_services.check_in_scan(
        port_id=day.port.pk,
        code=tear_sheet_barcode(head.alien.a_number, sheet.pk),
        actor=day.officer,
        now=now,
    )

    assert (result.case.pk, result.already, result.warnings) == (head.pk, False, [])
    attendance = HearingAttendance.objects.get(hearing=day.hearings[0])
    assert (attendance.checked_in_at, attendance.checked_in_by, attendance.sheet, attendance.port) == (
        now,
        day.officer,
        sheet,
        day.port,
    )
    assert status(head) == CaseStatus.IN_US_FOR_HEARING
    assert events(head, "hearing_day.checked_in") == 1
    assert attendance.history.first().history_user == day.officer
    assert OutboxEvent.objects.filter(event="hearing_day.checked_in", case_id=head.pk).count() == 1
    # H1: the family member in the same slot is offered next; not checked in by the scan.
    assert [h.case_id for h in result.family] == [child.pk]
    assert status(child) == CaseStatus.IN_MEXICO


def test_h1_a_typed_a_number_in_any_spelling_checks_in_the_same(day: Day) -> None:
    head = day.cases[0]
    digits = head.alien.a_number[1:]

    result = day_services.check_in_scan(
        port_id=day.port.pk,
        code=f" a {digits[:3]}-{digits[3:6]}-{digits[6:]} ",
        actor=day.officer,
        now=day.at(),
    )

    assert result.case.pk == head.pk
    assert result.attendance.sheet is None


def test_h1_scanning_someone_already_checked_in_is_a_no_op(day: Day) -> None:
    head = day.cases[0]
    first = day_services.check_in_scan(
        port_id=day.port.pk, code=head.alien.a_number, actor=day.officer, now=day.at(5)
    )

    again = day_services.check_in_scan(
        port_id=day.port.pk, code=head.alien.a_number, actor=day.officer, now=day.at(20)
    )

    assert again.already is True
    assert again.attendance.checked_in_at == first.attendance.checked_in_at == day.at(5)
    assert events(head, "hearing_day.checked_in") == 1


# --- N5: the wrong day, too early, a superseded sheet ---------------------------------------------------


def test_n5_the_wrong_day_is_refused_naming_the_day_and_time_to_report(day: Day) -> None:
    head = day.cases[0]

    with pytest.raises(PolicyRefusal) as refused:
        day_services.check_in_scan(
            port_id=day.port.pk,
            code=head.alien.a_number,
            actor=day.officer,
            now=day.at() - dt.timedelta(days=1),
        )

    assert (refused.value.code, refused.value.rule) == ("n5_wrong_day", "N5")
    local = day.report_at.astimezone(day.port_zone())
    assert f"{local:%Y-%m-%d %H:%M}" in refused.value.message
    assert "not expected today" in refused.value.message
    assert status(head) == CaseStatus.IN_MEXICO
    assert not HearingAttendance.objects.exists()


def test_n5_before_the_time_on_the_tear_sheet_is_told_when_to_come_back(day: Day) -> None:
    head = day.cases[0]

    with pytest.raises(PolicyRefusal) as refused:
        day_services.check_in_scan(
            port_id=day.port.pk, code=head.alien.a_number, actor=day.officer, now=day.at(-45)
        )

    local = day.report_at.astimezone(day.port_zone())
    assert refused.value.code == "n5_too_early"
    assert f"come back at {local:%H:%M} (America/Los_Angeles)" in refused.value.message
    assert status(head) == CaseStatus.IN_MEXICO


def test_n5_a_superseded_sheet_still_finds_the_person_and_says_it_is_outdated(day: Day) -> None:
    """N5: the hearing was moved to a later slot (v2 issued); the person comes on the new day with the
    old sheet: found, told the sheet is outdated, checked in for the current hearing."""
    head = day.cases[0]
    clerk = user_with_role(Role.COURT_STAFF)
    old_sheet = day.sheet(head)
    later = slot(days_ahead=14, hour=9, publisher=clerk)
    (new,) = hearings_move(
        hearing_ids=[day.hearings[0].pk],
        slot_id=later.pk,
        mode="rescheduled",
        actor=clerk,
        reason="Judge ill",
    )
    tear_sheet_reissue(old_hearing_id=day.hearings[0].pk, new_hearing_id=new.pk)
    new_day_now = new.report_at + dt.timedelta(minutes=5)

    result = day_services.check_in_scan(
        port_id=day.port.pk,
        code=tear_sheet_barcode(head.alien.a_number, old_sheet.pk),
        actor=day.officer,
        now=new_day_now,
    )

    assert result.hearing.pk == new.pk
    assert [w.code for w in result.warnings] == ["n5_sheet_superseded"]
    assert "outdated" in result.warnings[0].message
    assert "v1 was superseded by v2" in result.warnings[0].message
    assert status(head) == CaseStatus.IN_US_FOR_HEARING


def test_n5_a_superseded_sheet_on_the_old_day_is_refused_as_the_wrong_day_and_says_outdated(day: Day) -> None:
    head = day.cases[0]
    clerk = user_with_role(Role.COURT_STAFF)
    old_sheet = day.sheet(head)
    later = slot(days_ahead=14, hour=9, publisher=clerk)
    (new,) = hearings_move(
        hearing_ids=[day.hearings[0].pk],
        slot_id=later.pk,
        mode="rescheduled",
        actor=clerk,
        reason="Judge ill",
    )
    tear_sheet_reissue(old_hearing_id=day.hearings[0].pk, new_hearing_id=new.pk)

    with pytest.raises(PolicyRefusal) as refused:
        day_services.check_in_scan(
            port_id=day.port.pk,
            code=tear_sheet_barcode(head.alien.a_number, old_sheet.pk),
            actor=day.officer,
            now=day.at(),
        )

    assert refused.value.code == "n5_wrong_day"
    assert "outdated" in refused.value.message
    local = new.report_at.astimezone(day.port_zone())
    assert f"{local:%Y-%m-%d %H:%M}" in refused.value.message


def test_h1_the_case_reporting_port_follows_the_scheduled_hearing() -> None:
    """H1: Case.reporting_port is the scheduled hearing's reporting port — set when the NTA is served,
    moved with the hearing (El Paso's court hears people reporting at El Paso or at Nogales)."""
    day = hearing_day(size=1, place="elp-ic-mpp")
    head = day.cases[0]
    clerk = user_with_role(Role.COURT_STAFF)
    nogales = slot(place="elp-ic-nog", days_ahead=14, publisher=clerk)

    assert head.reporting_port.code == "elp-poe"
    hearings_move(hearing_ids=day.ids, slot_id=nogales.pk, mode="rescheduled", actor=clerk, reason="Room")

    head.refresh_from_db()
    assert head.reporting_port.code == "nog-poe"
    assert head.history.first().history_change_reason.startswith("Hearing rescheduled")


# --- H1: the whole family at once; permissions -----------------------------------------------------------


def test_h1_the_family_is_checked_in_at_once_from_the_list(day: Day) -> None:
    results = day_services.check_in(hearing_ids=day.ids, actor=day.officer, now=day.at())

    assert [r.already for r in results] == [False, False]
    assert [status(c) for c in day.cases] == [CaseStatus.IN_US_FOR_HEARING] * 2


def test_h1_a_family_check_in_is_all_or_nothing(day: Day) -> None:
    other = hearing_day(size=1, days_ahead=11)

    with pytest.raises(PolicyRefusal):
        day_services.check_in(hearing_ids=[*day.ids, *other.ids], actor=day.officer, now=day.at())

    assert not HearingAttendance.objects.exists()
    assert [status(c) for c in day.cases] == [CaseStatus.IN_MEXICO] * 2


def test_h1_an_officer_at_another_port_does_not_find_the_hearing(day: Day) -> None:
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["cxl-poe"])

    with pytest.raises(CaseNotFound):
        day_services.check_in(hearing_ids=day.ids, actor=elsewhere, now=day.at())
    with pytest.raises(CaseNotFound):
        day_services.check_in_scan(
            port_id=day.port.pk, code=day.cases[0].alien.a_number, actor=elsewhere, now=day.at()
        )


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.PRINT_STAFF, Role.ICE_OFFICER])
def test_h1_other_roles_do_not_check_people_in(day: Day, role: str) -> None:
    with pytest.raises(NotPermitted):
        day_services.check_in(hearing_ids=day.ids, actor=user_with_role(role), now=day.at())


def test_h1_an_unknown_a_number_is_not_found(day: Day) -> None:
    with pytest.raises(CaseNotFound):
        day_services.check_in_scan(port_id=day.port.pk, code="A999999999", actor=day.officer, now=day.at())
    with pytest.raises(InvalidInput) as bad:
        day_services.check_in_scan(port_id=day.port.pk, code="hello", actor=day.officer, now=day.at())
    assert bad.value.field == "code"


# --- H1: transport, appearance, overnight, return --------------------------------------------------------


def test_h1_each_step_of_the_day_is_recorded_with_an_event(day: Day) -> None:
    head = day.cases[0]
    hearing = day.hearings[0]
    day_services.check_in(hearing_ids=[hearing.pk], actor=day.officer, now=day.at(0))

    day_services.transported(hearing_ids=[hearing.pk], actor=day.officer, now=day.at(30))
    day_services.appearance_record(
        hearing_ids=[hearing.pk],
        appearance="attended",
        actor=user_with_role(Role.COURT_STAFF),
        reason="Present at the master calendar hearing",
        now=day.at(300),
    )
    day_services.overnight_in(hearing_ids=[hearing.pk], actor=day.officer, at=day.at(600), now=day.at(600))
    day_services.overnight_out(hearing_ids=[hearing.pk], actor=day.officer, at=day.at(1200), now=day.at(1200))
    day_services.return_to_mexico(
        case_ids=[head.pk],
        port_id=day.port.pk,
        actor=day.officer,
        reason="Processing ended",
        now=day.at(1300),
    )

    attendance = HearingAttendance.objects.get(hearing=hearing)
    assert attendance.transported_at == day.at(30)
    assert (attendance.appearance, attendance.appearance_at) == ("attended", day.at(300))
    assert (attendance.overnight_in_at, attendance.overnight_out_at) == (day.at(600), day.at(1200))
    assert (attendance.returned_at, attendance.returned_port) == (day.at(1300), day.port)
    assert status(head) == CaseStatus.IN_MEXICO
    for type in (
        "hearing_day.checked_in",
        "hearing_day.transported",
        "hearing_day.attended",
        "hearing_day.overnight_in",
        "hearing_day.overnight_out",
    ):
        assert events(head, type) == 1, type
    # Returned twice: after the NTA, and after the hearing.
    assert events(head, "hearing_day.returned") == 2


def test_h1_transport_needs_a_check_in(day: Day) -> None:
    with pytest.raises(IllegalTransition) as refused:
        day_services.transported(hearing_ids=day.ids[:1], actor=day.officer, now=day.at())
    assert refused.value.code == "h1_not_checked_in"


def test_h1_failed_to_appear_only_after_the_report_time_and_not_when_checked_in(day: Day) -> None:
    head, child = day.hearings

    with pytest.raises(IllegalTransition) as early:
        day_services.failed_to_appear_at_port(
            hearing_ids=[head.pk], actor=day.officer, reason="Did not come", now=day.at(-5)
        )
    day_services.check_in(hearing_ids=[child.pk], actor=day.officer, now=day.at(1))
    with pytest.raises(IllegalTransition) as checked_in:
        day_services.failed_to_appear_at_port(
            hearing_ids=[child.pk], actor=day.officer, reason="Did not come", now=day.at(120)
        )
    day_services.failed_to_appear_at_port(
        hearing_ids=[head.pk], actor=day.officer, reason="Did not come by noon", now=day.at(120)
    )

    assert early.value.code == "h1_report_time_not_passed"
    assert checked_in.value.code == "h1_checked_in"
    attendance = HearingAttendance.objects.get(hearing=head)
    assert (attendance.appearance, attendance.checked_in_at) == ("failed_to_appear", None)
    assert events(head.case, "hearing_day.failed_to_appear") == 1
    assert status(head.case) == CaseStatus.IN_MEXICO


def test_h1_court_staff_record_appearance_wherever_the_port(day: Day) -> None:
    clerk = user_with_role(Role.COURT_STAFF)

    day_services.appearance_record(
        hearing_ids=day.ids[:1], appearance="failed_to_appear", actor=clerk, reason="Absent", now=day.at(300)
    )
    again = day_services.appearance_record(
        hearing_ids=day.ids[:1], appearance="failed_to_appear", actor=clerk, reason="Absent", now=day.at(310)
    )

    assert again[0].appearance_at == day.at(300)
    with pytest.raises(IllegalTransition) as changed:
        day_services.appearance_record(
            hearing_ids=day.ids[:1], appearance="attended", actor=clerk, reason="Oops", now=day.at(320)
        )
    assert changed.value.code == "appearance_recorded"
    with pytest.raises(NotPermitted):
        day_services.appearance_record(
            hearing_ids=day.ids[:1],
            appearance="attended",
            actor=user_with_role(Role.ICE_OFFICER),
            reason="x",
            now=day.at(300),
        )


def test_h1_return_is_refused_while_overnight_custody_is_open(day: Day) -> None:
    head = day.cases[0]
    day_services.check_in(hearing_ids=day.ids[:1], actor=day.officer, now=day.at(0))
    day_services.overnight_in(hearing_ids=day.ids[:1], actor=day.officer, at=day.at(60), now=day.at(60))

    with pytest.raises(PolicyRefusal) as refused:
        day_services.return_to_mexico(
            case_ids=[head.pk], port_id=day.port.pk, actor=day.officer, reason="Done", now=day.at(90)
        )

    assert refused.value.code == "h1_overnight_open"
    assert status(head) == CaseStatus.IN_US_FOR_HEARING


def test_h1_overnight_out_needs_custody_and_in_twice_is_a_no_op(day: Day) -> None:
    day_services.check_in(hearing_ids=day.ids[:1], actor=day.officer, now=day.at(0))
    with pytest.raises(IllegalTransition) as refused:
        day_services.overnight_out(hearing_ids=day.ids[:1], actor=day.officer, at=day.at(60), now=day.at(60))
    day_services.overnight_in(hearing_ids=day.ids[:1], actor=day.officer, at=day.at(60), now=day.at(60))
    day_services.overnight_in(hearing_ids=day.ids[:1], actor=day.officer, at=day.at(70), now=day.at(70))

    assert refused.value.code == "h1_not_in_custody"
    assert HearingAttendance.objects.get(hearing_id=day.ids[0]).overnight_in_at == day.at(60)
    assert events(day.cases[0], "hearing_day.overnight_in") == 1


# --- F4: no return while a family member's fear claim is pending ----------------------------------------


def test_f4_return_of_the_family_is_refused_while_a_member_claim_is_pending_naming_the_claimant(
    day: Day,
) -> None:
    head, child = day.cases
    day_services.check_in(hearing_ids=day.ids, actor=day.officer, now=day.at(0))
    fear_claim_for(child, actor=day.officer, at=day.port.code)

    with pytest.raises(PolicyRefusal) as refused:
        day_services.return_to_mexico(
            case_ids=[head.pk, child.pk],
            port_id=day.port.pk,
            actor=day.officer,
            reason="Done",
            now=day.at(300),
        )

    assert refused.value.code in ("family_fear_pending", "fear_claim_pending")
    assert child.alien.full_name in refused.value.message
    # All or nothing: nobody returned, no attendance marked.
    assert [status(c) for c in day.cases] == [CaseStatus.IN_US_FOR_HEARING] * 2
    assert not HearingAttendance.objects.filter(returned_at__isnull=False).exists()


def test_f4_the_other_member_alone_is_refused_too(day: Day) -> None:
    head, child = day.cases
    day_services.check_in(hearing_ids=day.ids, actor=day.officer, now=day.at(0))
    fear_claim_for(child, actor=day.officer, at=day.port.code)

    with pytest.raises(PolicyRefusal) as refused:
        day_services.return_to_mexico(
            case_ids=[head.pk], port_id=day.port.pk, actor=day.officer, reason="Done", now=day.at(300)
        )

    assert refused.value.code == "family_fear_pending"
    assert refused.value.rule == "F4"
    assert child.alien.full_name in refused.value.message


def test_h1_return_after_the_nta_needs_the_port_and_a_reason() -> None:
    day = hearing_day(returned=False)
    head = day.cases[0]
    assert status(head) == CaseStatus.ENROLLED

    with pytest.raises(InvalidInput):
        day_services.return_to_mexico(case_ids=[head.pk], port_id=day.port.pk, actor=day.officer, reason=" ")
    with pytest.raises(CaseNotFound):
        day_services.return_to_mexico(
            case_ids=[head.pk],
            port_id=day.port.pk,
            actor=user_with_role(Role.CBP_OFFICER, locations=["cxl-poe"]),
            reason="x",
        )
    day_services.return_to_mexico(
        case_ids=[head.pk], port_id=day.port.pk, actor=day.officer, reason="Returned"
    )

    assert status(head) == CaseStatus.IN_MEXICO
    assert events(head, "hearing_day.returned") == 1
