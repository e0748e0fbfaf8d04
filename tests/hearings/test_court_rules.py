"""The in-court rules by ID: H2 (a continued hearing issues a new tear sheet), H3 (one counsel of record,
substitution), H4 (the hand-off to ICE ERO only on a final order of removal), H5 (initial versus later
completions, as M3 counts them) and F6 (a split family: those not granted go to ICE's custody queue)."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.exceptions import IllegalTransition, PolicyRefusal
from cases.models import CaseEvent, CaseStatus, CustodyReferral, EroHandoff
from cases.selectors import custody_queue, ero_handoffs_due
from cases.services import custody_determine, ero_handoff_record
from hearings import court_services as court
from hearings.models import Completion, Hearing, Representation, TearSheet
from hearings.services import hearings_move
from mpp.accounts.roles import Role
from mpp.outbox.services import outbox_relay
from tests.factories import location, user_with_role
from tests.hearings.court_helpers import family_on_docket, port_today
from tests.hearings.factories import slot

pytestmark = pytest.mark.django_db


def deliver_everything() -> None:
    while outbox_relay():
        pass


def _decide(case, hearing, clerk, decision, *, day=None, appeal="none", due=None, reason="Decided"):
    return court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk if hearing else None,
        decision=decision,
        decided_on=day or port_today(case),
        appeal=appeal,
        appeal_due_on=due,
        actor=clerk,
        reason=reason,
    )


# --- H2 ---------------------------------------------------------------------------------------------------


def test_h2_a_held_hearing_continued_to_another_day_issues_a_new_tear_sheet(court_clerk):
    (_case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    deliver_everything()
    court.hearing_held(hearing_ids=[hearing.pk], actor=court_clerk, reason="Pleadings taken")
    later = slot(days_ahead=30, hour=9, minute=0, publisher=court_clerk)

    (new,) = hearings_move(
        hearing_ids=[hearing.pk], slot_id=later.pk, mode="continued", actor=court_clerk, reason="For merits"
    )
    deliver_everything()

    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.CONTINUED
    old_sheet = TearSheet.objects.get(hearing=hearing)
    new_sheet = TearSheet.objects.get(hearing=new)
    assert old_sheet.superseded_by == new_sheet
    assert new_sheet.version == 2 and new_sheet.reason == TearSheet.Reason.REISSUED


# --- H3 ---------------------------------------------------------------------------------------------------


def test_h3_a_new_counsel_substitutes_the_one_of_record_in_the_same_transaction(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    first = court.representation_record(
        case_id=case.pk,
        kind="attorney",
        name="Ana Ruiz",
        eoir28_filed_on=port_today(case) - dt.timedelta(days=5),
        actor=court_clerk,
        reason="EOIR-28",
    )

    second = court.representation_record(
        case_id=case.pk,
        kind="accredited_representative",
        name="Luis Paz",
        eoir28_filed_on=port_today(case),
        actor=court_clerk,
        reason="New EOIR-28",
    )
    court.hearing_held(hearing_ids=[hearing.pk], actor=court_clerk, reason="Held")

    first.refresh_from_db()
    hearing.refresh_from_db()
    assert first.ended_on == port_today(case) and first.end_reason.startswith("Substituted by Luis Paz")
    assert list(Representation.objects.filter(case=case, ended_on__isnull=True)) == [second]
    assert hearing.counsel == second  # H3: recorded per hearing


# --- H4 ---------------------------------------------------------------------------------------------------


def test_h4_a_removal_order_with_an_appeal_reserved_is_not_final_no_hand_off(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    ice = user_with_role(Role.ICE_OFFICER)

    _decide(
        case,
        hearing,
        court_clerk,
        "removal_order",
        appeal="reserved",
        due=port_today(case) + dt.timedelta(days=30),
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED_REMOVAL_ORDER
    assert not EroHandoff.objects.filter(case=case).exists()
    assert list(ero_handoffs_due(user=ice)) == []


def test_h4_appeal_not_filed_by_the_deadline_makes_the_order_final(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk, days_ago=45)
    today = port_today(case)
    completion = _decide(
        case,
        hearing,
        court_clerk,
        "removal_order",
        day=today - dt.timedelta(days=40),
        appeal="reserved",
        due=today - dt.timedelta(days=10),
    )

    court.appeal_record(
        completion_id=completion.pk, appeal="not_filed", actor=court_clerk, reason="Deadline passed"
    )

    handoff = EroHandoff.objects.get(case=case)
    assert handoff.final_on == today - dt.timedelta(days=10)
    assert handoff.order_ref == f"completion:{completion.pk}"


def test_h4_not_filed_refused_before_the_deadline(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    completion = _decide(
        case,
        hearing,
        court_clerk,
        "removal_order",
        appeal="reserved",
        due=port_today(case) + dt.timedelta(days=30),
    )

    with pytest.raises(IllegalTransition) as refused:
        court.appeal_record(
            completion_id=completion.pk, appeal="not_filed", actor=court_clerk, reason="Too soon"
        )

    assert refused.value.code == "appeal_deadline_not_passed"


def test_h4_bia_dismissed_makes_the_order_final(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk, days_ago=45)
    today = port_today(case)
    completion = _decide(
        case,
        hearing,
        court_clerk,
        "removal_order",
        day=today - dt.timedelta(days=40),
        appeal="reserved",
        due=today - dt.timedelta(days=10),
    )
    court.appeal_record(
        completion_id=completion.pk,
        appeal="filed",
        filed_on=today - dt.timedelta(days=20),
        actor=court_clerk,
        reason="EOIR-26 filed",
    )
    assert not EroHandoff.objects.filter(case=case).exists()  # filed: still not final

    court.appeal_record(
        completion_id=completion.pk,
        appeal="decided",
        decided_on=today,
        outcome="dismissed",
        actor=court_clerk,
        reason="BIA dismissed",
    )

    assert EroHandoff.objects.get(case=case).final_on == today


def test_h4_in_absentia_is_final_at_once_and_ice_records_the_hand_off(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    court.failure_to_appear(hearing_ids=[hearing.pk], actor=court_clerk, reason="No show")
    ice = user_with_role(Role.ICE_OFFICER)

    _decide(case, hearing, court_clerk, "removal_in_absentia")
    (handoff,) = ero_handoffs_due(user=ice)
    ero_handoff_record(
        handoff_id=handoff.pk,
        handed_location_id=location("sys-poe").pk,
        received_by_name="Officer Ortega",
        actor=ice,
        reason="Taken into ERO custody",
    )

    case.refresh_from_db()
    handoff.refresh_from_db()
    assert case.status == CaseStatus.HANDED_TO_ICE
    assert handoff.handed_by == ice and handoff.received_by_name == "Officer Ortega"
    assert handoff.location_id == location("sys-poe").pk  # the port the person reports to
    assert CaseEvent.objects.filter(case=case, type="ero.handed_off").count() == 1


def test_h4_a_reopened_order_cancels_the_hand_off_and_it_is_refused(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    _decide(case, hearing, court_clerk, "removal_in_absentia")
    handoff = EroHandoff.objects.get(case=case)
    court.reopening_record(
        case_id=case.pk,
        kind="motion_to_reopen",
        granted_on=port_today(case),
        actor=court_clerk,
        reason="Notice never received",
    )
    ice = user_with_role(Role.ICE_OFFICER)

    with pytest.raises(PolicyRefusal) as refused:
        ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=location("sys-poe").pk,
            received_by_name="Officer Ortega",
            actor=ice,
            reason="Too late",
        )

    handoff.refresh_from_db()
    assert handoff.cancelled_at is not None
    assert refused.value.code == "h4_not_final" and refused.value.rule == "H4"


# --- H5 ---------------------------------------------------------------------------------------------------


def test_h5_initial_then_later_completion_after_a_reopen_and_m3_counts_the_initial_only(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    first = _decide(case, hearing, court_clerk, "removal_in_absentia")
    reopening = court.reopening_record(
        case_id=case.pk, kind="motion_to_reopen", granted_on=port_today(case), actor=court_clerk, reason="MTR"
    )

    second = _decide(case, None, court_clerk, "withholding", reason="Withholding granted after reopening")

    assert first.is_initial and first.reopening is None
    assert not second.is_initial and second.reopening == reopening
    assert Completion.objects.filter(case=case).count() == 2
    assert Completion.objects.filter(case=case, is_initial=True).count() == 1  # M3
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED_RELIEF


def test_h5_a_second_decision_without_a_reopening_is_refused(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk)
    _decide(case, hearing, court_clerk, "termination")

    with pytest.raises(IllegalTransition) as refused:
        _decide(case, None, court_clerk, "asylum")

    assert refused.value.code == "h5_not_reopened"


def test_h5_a_sustained_appeal_remands_the_case(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk, days_ago=45)
    today = port_today(case)
    completion = _decide(
        case,
        hearing,
        court_clerk,
        "removal_order",
        day=today - dt.timedelta(days=40),
        appeal="reserved",
        due=today - dt.timedelta(days=10),
    )
    court.appeal_record(
        completion_id=completion.pk,
        appeal="filed",
        filed_on=today - dt.timedelta(days=20),
        actor=court_clerk,
        reason="Filed",
    )

    court.appeal_record(
        completion_id=completion.pk,
        appeal="decided",
        decided_on=today,
        outcome="sustained",
        actor=court_clerk,
        reason="Remanded",
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED
    assert completion.reopened_by.kind == "remand"
    assert not EroHandoff.objects.filter(case=case).exists()


# --- F6 ---------------------------------------------------------------------------------------------------


def test_f6_split_family_the_members_not_granted_go_to_ice_which_determines_with_a_reason(court_clerk):
    cases, hearings = family_on_docket(3, clerk=court_clerk)
    granted, denied, pending = cases
    ice = user_with_role(Role.ICE_OFFICER)

    _decide(granted, hearings[0], court_clerk, "asylum")
    _decide(
        denied,
        hearings[1],
        court_clerk,
        "removal_order",
        appeal="reserved",
        due=port_today(denied) + dt.timedelta(days=30),
    )

    referrals = {r.case_id: r for r in CustodyReferral.objects.filter(determined_at__isnull=True)}
    assert set(referrals) == {denied.pk, pending.pk}
    assert {(r.rule, r.code) for r in referrals.values()} == {("F6", "family_member_granted_relief")}
    assert {row.case_id for row in custody_queue(user=ice, tab="open", params={}).rows} == {
        denied.pk,
        pending.pk,
    }

    determination = custody_determine(
        case_id=pending.pk, actor=ice, decision="parole", reason="Child with parent"
    )

    assert determination.referral == referrals[pending.pk]
    assert {row.case_id for row in custody_queue(user=ice, tab="open", params={}).rows} == {denied.pk}


def test_f6_no_referral_when_nobody_is_granted(court_clerk):
    cases, hearings = family_on_docket(2, clerk=court_clerk)

    _decide(cases[0], hearings[0], court_clerk, "removal_order")

    assert not CustodyReferral.objects.exists()


def test_f6_cat_deferral_counts_as_protection_granted(court_clerk):
    cases, hearings = family_on_docket(2, clerk=court_clerk)

    _decide(cases[0], hearings[0], court_clerk, "cat_deferral")

    assert list(CustodyReferral.objects.values_list("case_id", flat=True)) == [cases[1].pk]
