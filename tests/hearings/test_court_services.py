"""In court (hearings.court_services): counsel of record, a hearing held or missed, the decision and its
appeal, a reopening and the hearing a reopened case needs. The rules themselves (H2–H5, F6) are in
test_court_rules.py."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.exceptions import CaseNotFound, IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import CaseEvent, CaseStatus
from hearings import court_services as court
from hearings.models import Completion, Hearing, HearingAttendance, NoticeToAppear, Representation, TearSheet
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from tests.factories import user_with_role
from tests.hearings.court_helpers import checked_in, family_on_docket, port_today
from tests.hearings.factories import slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    return case, hearing


def _counsel(case, clerk, name="Ana Ruiz", day=None):
    return court.representation_record(
        case_id=case.pk,
        kind=Representation.Kind.ATTORNEY,
        name=name,
        organization="Pro Bono Legal Aid",
        eoir_id="EOIR123",
        phone="555-0100",
        eoir28_filed_on=day or port_today(case),
        actor=clerk,
        reason="EOIR-28 received",
    )


def test_representation_is_recorded_with_its_event(heard, court_clerk):
    case, _ = heard

    rep = _counsel(case, court_clerk)

    assert court.counsel_of_record(case.pk) == rep
    assert CaseEvent.objects.filter(case=case, type="representation.recorded").count() == 1


def test_representation_end_keeps_the_record_and_is_a_noop_twice(heard, court_clerk):
    case, _ = heard
    rep = _counsel(case, court_clerk)

    court.representation_end(
        representation_id=rep.pk, ended_on=port_today(case), actor=court_clerk, reason="Withdrew"
    )
    court.representation_end(
        representation_id=rep.pk, ended_on=port_today(case), actor=court_clerk, reason="Again"
    )

    rep.refresh_from_db()
    assert rep.ended_on == port_today(case)
    assert court.counsel_of_record(case.pk) is None
    assert CaseEvent.objects.filter(case=case, type="representation.ended").count() == 1


def test_representation_refuses_a_future_eoir28_and_an_empty_name(heard, court_clerk):
    case, _ = heard

    with pytest.raises(InvalidInput) as future:
        _counsel(case, court_clerk, day=port_today(case) + dt.timedelta(days=2))
    with pytest.raises(InvalidInput) as nameless:
        _counsel(case, court_clerk, name="  ")

    assert future.value.field == "eoir28_filed_on"
    assert nameless.value.field == "name"


def test_only_court_staff_record_counsel(heard):
    case, _ = heard
    officer = user_with_role(Role.CBP_OFFICER)

    with pytest.raises(NotPermitted):
        _counsel(case, officer)


def test_hearing_held_records_attendance_and_the_counsel_of_record(heard, court_clerk):
    case, hearing = heard
    rep = _counsel(case, court_clerk)

    court.hearing_held(hearing_ids=[hearing.pk], actor=court_clerk, reason="Master calendar held")
    court.hearing_held(hearing_ids=[hearing.pk], actor=court_clerk, reason="Double submit")

    hearing.refresh_from_db()
    assert hearing.counsel == rep
    assert hearing.status == Hearing.Status.SCHEDULED  # held, not yet decided: continued or decided next
    assert HearingAttendance.objects.get(hearing=hearing).appearance == "attended"
    assert CaseEvent.objects.filter(case=case, type="hearing.held").count() == 1
    assert CaseEvent.objects.filter(case=case, type="hearing_day.attended").count() == 1


def test_a_future_hearing_cannot_be_held(court_clerk):
    (_case,), (hearing,) = family_on_docket(1, clerk=court_clerk, days_ago=-3)

    with pytest.raises(IllegalTransition) as refused:
        court.hearing_held(hearing_ids=[hearing.pk], actor=court_clerk, reason="Too early")

    assert refused.value.code == "hearing_not_yet"


def test_failure_to_appear_is_recorded(heard, court_clerk):
    case, hearing = heard

    court.failure_to_appear(hearing_ids=[hearing.pk], actor=court_clerk, reason="Called three times")

    assert HearingAttendance.objects.get(hearing=hearing).appearance == "failed_to_appear"
    assert CaseEvent.objects.filter(case=case, type="hearing_day.failed_to_appear").count() == 1


def test_h1_failure_to_appear_refused_for_someone_checked_in(heard, court_clerk):
    _, hearing = heard
    checked_in(hearing)

    with pytest.raises(IllegalTransition) as refused:
        court.failure_to_appear(hearing_ids=[hearing.pk], actor=court_clerk, reason="Not in the room")

    assert refused.value.code == "h1_checked_in"


def test_another_location_cbp_cannot_touch_hearings(heard):
    _, hearing = heard
    stranger = user_with_role(Role.COURT_STAFF)
    officer = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])

    court.hearing_held(hearing_ids=[hearing.pk], actor=stranger, reason="Court staff work nationally")
    with pytest.raises(NotPermitted):
        court.failure_to_appear(hearing_ids=[hearing.pk], actor=officer, reason="Not mine")


def test_h4_relief_completes_the_case_and_the_timeline_says_the_person_stays(heard, court_clerk):
    case, hearing = heard

    completion = court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision=Completion.Decision.ASYLUM,
        decided_on=port_today(case),
        actor=court_clerk,
        reason="Asylum granted from the bench",
    )

    case.refresh_from_db()
    hearing.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED_RELIEF
    assert hearing.status == Hearing.Status.HELD
    assert completion.is_initial
    event = CaseEvent.objects.get(case=case, type="completion.recorded")
    assert "the person stays in the U.S." in event.reason
    assert event.data["stays_in_us"] is True
    assert OutboxEvent.objects.filter(event="completion.recorded", case_id=case.pk).count() == 1


def test_a_decision_records_the_court_of_the_cases_nta_that_m1_and_m3_count_it_by(heard, court_clerk):
    case, hearing = heard
    nta_court_id = NoticeToAppear.objects.get(case=case).court_id

    completion = court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision=Completion.Decision.REMOVAL_ORDER,
        decided_on=port_today(case),
        actor=court_clerk,
        reason="Removal ordered",
    )

    assert nta_court_id is not None
    assert Completion.objects.get(pk=completion.pk).court_id == nta_court_id
    assert completion.history.get().court_id == nta_court_id


def test_a_decision_refuses_bad_input(heard, court_clerk):
    case, hearing = heard

    with pytest.raises(InvalidInput) as decision:
        court.completion_record(
            case_id=case.pk,
            hearing_id=hearing.pk,
            decision="pardon",
            decided_on=port_today(case),
            actor=court_clerk,
            reason="x",
        )
    with pytest.raises(InvalidInput) as due:
        court.completion_record(
            case_id=case.pk,
            hearing_id=hearing.pk,
            decision="removal_order",
            decided_on=port_today(case),
            appeal="reserved",
            appeal_due_on=None,
            actor=court_clerk,
            reason="x",
        )
    with pytest.raises(InvalidInput) as absentia_appeal:
        court.completion_record(
            case_id=case.pk,
            hearing_id=hearing.pk,
            decision="removal_in_absentia",
            decided_on=port_today(case),
            appeal="reserved",
            appeal_due_on=port_today(case) + dt.timedelta(days=30),
            actor=court_clerk,
            reason="x",
        )

    assert decision.value.field == "decision"
    assert due.value.field == "appeal_due_on"
    assert absentia_appeal.value.field == "appeal"


def test_in_absentia_refused_for_someone_who_attended(heard, court_clerk):
    case, hearing = heard
    court.hearing_held(hearing_ids=[hearing.pk], actor=court_clerk, reason="Held")

    with pytest.raises(PolicyRefusal) as refused:
        court.completion_record(
            case_id=case.pk,
            hearing_id=hearing.pk,
            decision="removal_in_absentia",
            decided_on=port_today(case),
            actor=court_clerk,
            reason="In absentia",
        )

    assert refused.value.code == "in_absentia_appeared"


def test_in_absentia_without_a_recorded_fta_records_it(heard, court_clerk):
    case, hearing = heard

    court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision="removal_in_absentia",
        decided_on=port_today(case),
        actor=court_clerk,
        reason="Did not appear",
    )

    assert HearingAttendance.objects.get(hearing=hearing).appearance == "failed_to_appear"


def test_a_case_not_visible_answers_not_found(heard):
    case, hearing = heard
    ice = user_with_role(Role.ICE_OFFICER)

    with pytest.raises(NotPermitted):
        court.completion_record(
            case_id=case.pk,
            hearing_id=hearing.pk,
            decision="asylum",
            decided_on=port_today(case),
            actor=ice,
            reason="x",
        )
    with pytest.raises(CaseNotFound):
        court.reopening_record(
            case_id=10**9,
            kind="remand",
            granted_on=port_today(case),
            actor=user_with_role(Role.COURT_STAFF),
            reason="x",
        )


def test_reopened_case_gets_a_hearing_a_tear_sheet_and_its_reporting_port(heard, court_clerk):
    case, hearing = heard
    court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision="voluntary_departure",
        decided_on=port_today(case),
        actor=court_clerk,
        reason="VD granted",
    )
    court.reopening_record(
        case_id=case.pk,
        kind="motion_to_reopen",
        granted_on=port_today(case),
        actor=court_clerk,
        reason="MTR granted",
    )
    later = slot(days_ahead=20, hour=9, minute=0, publisher=court_clerk)

    new = court.hearing_schedule(
        case_id=case.pk, slot_id=later.pk, kind="individual", actor=court_clerk, reason="Back on the docket"
    )

    case.refresh_from_db()
    later.refresh_from_db()
    assert case.status == CaseStatus.REOPENED
    assert new.status == Hearing.Status.SCHEDULED and new.kind == "individual"
    assert later.booked == 1
    assert case.reporting_port_id == later.hearing_location.reporting_port_id
    assert TearSheet.objects.get(hearing=new, superseded_at__isnull=True).version == 2
    assert CaseEvent.objects.filter(case=case, type="hearing.scheduled").count() == 1
    assert CaseEvent.objects.filter(case=case, type="case.reopened").count() == 1


def test_a_hearing_is_not_scheduled_twice_nor_for_a_completed_case(heard, court_clerk):
    case, hearing = heard
    later = slot(days_ahead=20, hour=9, minute=0, publisher=court_clerk)

    with pytest.raises(IllegalTransition) as twice:
        court.hearing_schedule(case_id=case.pk, slot_id=later.pk, actor=court_clerk, reason="Again")
    court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision="termination",
        decided_on=port_today(case),
        actor=court_clerk,
        reason="Terminated",
    )
    with pytest.raises(IllegalTransition) as closed:
        court.hearing_schedule(case_id=case.pk, slot_id=later.pk, actor=court_clerk, reason="Again")

    assert twice.value.code == "hearing_already_scheduled"
    assert closed.value.code == "case_closed"


def test_appeal_steps_out_of_order_are_refused(heard, court_clerk):
    case, hearing = heard
    completion = court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision="removal_order",
        decided_on=port_today(case),
        actor=court_clerk,
        reason="Ordered removed",
    )

    with pytest.raises(IllegalTransition) as refused:
        court.appeal_record(
            completion_id=completion.pk,
            appeal="decided",
            decided_on=port_today(case),
            outcome="dismissed",
            actor=court_clerk,
            reason="x",
        )

    assert refused.value.code == "appeal_step"
