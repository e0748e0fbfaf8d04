"""Case events, the case's timeline: recorded in the change's transaction, append-only in the database,
and read with field-level privacy (medical and fear content only for the roles that may read it)."""

import datetime as dt

import pytest
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus
from cases.selectors import case_timeline
from cases.services import case_event_record, case_move
from hearings.workflow import HEARING_DAY
from mpp.accounts.roles import Role
from tests.factories import CaseFactory, user_with_role

pytestmark = pytest.mark.django_db


def _record(case, *, type="screening.facts_saved", actor=None, reason="", data=None, sensitivities=()):
    with transaction.atomic():
        return case_event_record(
            case=case, type=type, actor=actor, reason=reason, data=data, sensitivities=sensitivities
        )


def _medical_event(case, officer):
    return _record(
        case,
        actor=officer,
        reason="Seven months pregnant; cleared to travel by the medical officer (A4)",
        data={"fields": ["pregnant", "medical_clearance"], "review_id": 12},
        sensitivities=["medical"],
    )


def _fear_event(case, officer):
    return _record(
        case,
        type="hold.opened",
        actor=officer,
        reason="States she was threatened by a cartel in Reynosa",
        data={"hold_id": 7, "kind": "fear_claim", "rule": "S1", "location": "San Ysidro Port of Entry"},
        sensitivities=["fear"],
    )


# --- recording -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_event_is_never_recorded_outside_the_transaction_of_the_change_it_records():
    case = CaseFactory()

    with pytest.raises(RuntimeError, match="inside the transaction"):
        case_event_record(case=case, type="status.changed", actor=None, reason="On its own")

    assert not CaseEvent.objects.filter(case=case).exists()


def test_an_event_records_type_actor_reason_data_and_sorted_unique_sensitivities(officer):
    case = CaseFactory()

    event = _record(
        case,
        actor=officer,
        reason="Facts updated",
        data={"fields": ["fear_of_return_expressed", "pregnant"]},
        sensitivities=["medical", "fear", "medical"],
    )

    event.refresh_from_db()
    assert (event.case, event.type, event.actor, event.reason) == (
        case,
        "screening.facts_saved",
        officer,
        "Facts updated",
    )
    assert event.data == {"fields": ["fear_of_return_expressed", "pregnant"]}
    assert event.sensitivities == ["fear", "medical"]
    assert event.subject is None


# --- append-only -------------------------------------------------------------------------------------


def test_an_update_of_a_case_event_is_refused_by_the_database(officer):
    event = _record(CaseFactory(), actor=officer, reason="Facts updated")

    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE cases_caseevent SET reason = 'rewritten' WHERE id = %s", [event.pk])

    event.refresh_from_db()
    assert event.reason == "Facts updated"


def test_a_delete_of_a_case_event_is_refused_by_the_database(officer):
    case = CaseFactory()
    event = _record(case, actor=officer, reason="Facts updated")

    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])

    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_orm_updates_and_deletes_of_case_events_are_refused_too(officer):
    case = CaseFactory()
    _record(case, actor=officer, reason="Facts updated")

    with pytest.raises(ProgrammingError), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(reason="tampered")
    with pytest.raises(ProgrammingError), transaction.atomic():
        CaseEvent.objects.filter(case=case).delete()

    assert list(CaseEvent.objects.filter(case=case).values_list("reason", flat=True)) == ["Facts updated"]


# --- the timeline and who reads what -------------------------------------------------------------------


def test_the_timeline_lists_what_happened_oldest_first_with_status_words(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Tear sheet served",
        workflow=HEARING_DAY,
    )
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_US_FOR_HEARING,
        actor=officer,
        reason="Reported",
        workflow=HEARING_DAY,
    )

    entries = case_timeline(case=case, user=officer)

    assert [(e.type, e.label, e.from_status, e.to_status, e.reason) for e in entries] == [
        ("hearing_day.returned", "Returned to Mexico (H1)", "enrolled", "in_mexico", "Tear sheet served"),
        (
            "hearing_day.checked_in",
            "Checked in at the port for a hearing (H1)",
            "in_mexico",
            "in_us_for_hearing",
            "Reported",
        ),
    ]
    assert entries[0].from_label == "Enrolled: NTA served"
    assert entries[0].to_label == "In Mexico awaiting hearing"
    assert entries[0].actor == officer.display_name
    assert entries[0].restricted == ()


def test_an_event_without_an_actor_reads_as_the_system():
    case = CaseFactory()
    _record(case, type="alien.a_number_assigned", actor=None, reason="Assigned by the nightly import")

    (entry,) = case_timeline(case=case, user=user_with_role(Role.COURT_STAFF))

    assert (entry.actor, entry.label) == ("system", "A-number assigned")


def test_a_legacy_fear_claim_pending_status_still_reads_in_words():
    case = CaseFactory()
    _record(case, type="status.changed", data={"from": "screening", "to": "fear_claim_pending"})

    (entry,) = case_timeline(case=case, user=user_with_role(Role.COURT_STAFF))

    assert entry.to_label == "Fear claim pending (a former status; now a hold on the case)"


@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR])
def test_medical_content_is_shown_to_the_cbp_roles_that_screen_and_decide_a4(role, officer):
    case = CaseFactory()
    _medical_event(case, officer)

    (entry,) = case_timeline(case=case, user=user_with_role(role))

    assert entry.label == "Screening facts updated"
    assert entry.reason == "Seven months pregnant; cleared to travel by the medical officer (A4)"
    assert entry.details == {"fields": ["pregnant", "medical_clearance"], "review_id": 12}
    assert entry.restricted == ()


@pytest.mark.parametrize(
    "role",
    [
        Role.COURT_STAFF,
        Role.ICE_OFFICER,
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
        Role.ADMINISTRATOR,
    ],  # print staff read no timeline at all (tests/cases/test_privacy.py)
)
def test_medical_content_is_withheld_from_other_roles_who_see_only_that_it_happened(role, officer):
    case = CaseFactory()
    _medical_event(case, officer)

    (entry,) = case_timeline(case=case, user=user_with_role(role))

    assert entry.label == "Screening facts updated (medical)"
    assert entry.reason == ""
    assert entry.details == {"review_id": 12}  # which fields changed is itself medical
    assert entry.restricted == ("medical",)
    assert entry.actor == officer.display_name  # who and when stay visible


@pytest.mark.parametrize("role", [Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER, Role.CBP_SUPERVISOR])
def test_fear_content_is_shown_to_uscis_and_the_cbp_supervisor_s1_s3(role, officer):
    case = CaseFactory()
    _fear_event(case, officer)

    (entry,) = case_timeline(case=case, user=user_with_role(role))

    assert entry.label == "Hold opened: Fear claim pending (USCIS assessment)"
    assert entry.reason == "States she was threatened by a cartel in Reynosa"
    assert entry.restricted == ()


@pytest.mark.parametrize(
    "role",
    [
        Role.CBP_OFFICER,
        Role.BORDER_PATROL_AGENT,
        Role.COURT_STAFF,
        Role.ICE_OFFICER,
        Role.ADMINISTRATOR,
    ],  # print staff read no timeline at all (tests/cases/test_privacy.py)
)
def test_fear_content_is_withheld_from_everyone_else_even_the_officer_who_recorded_a_claim(role, officer):
    case = CaseFactory()
    _fear_event(case, officer)

    (entry,) = case_timeline(case=case, user=user_with_role(role))

    assert (
        entry.label == "Hold opened: Fear claim pending (USCIS assessment) (fear)"
    )  # that it exists is public
    assert entry.reason == ""
    assert entry.details == {
        "hold_id": 7,
        "kind": "fear_claim",
        "rule": "S1",
        "location": "San Ysidro Port of Entry",
    }
    assert entry.restricted == ("fear",)


def test_an_event_with_medical_and_fear_content_needs_a_role_for_both(officer):
    case = CaseFactory()
    _record(
        case, actor=officer, reason="Both", data={"fields": ["pregnant"]}, sensitivities=["medical", "fear"]
    )

    supervisor_sees = case_timeline(case=case, user=user_with_role(Role.CBP_SUPERVISOR))
    officer_sees = case_timeline(case=case, user=user_with_role(Role.CBP_OFFICER))
    asylum_officer_sees = case_timeline(case=case, user=user_with_role(Role.ASYLUM_OFFICER))

    assert (supervisor_sees[0].reason, supervisor_sees[0].restricted) == ("Both", ())
    assert (officer_sees[0].reason, officer_sees[0].restricted) == ("", ("fear", "medical"))
    assert officer_sees[0].label == "Screening facts updated (fear, medical)"
    assert (asylum_officer_sees[0].reason, asylum_officer_sees[0].restricted) == ("", ("fear", "medical"))


def test_the_timeline_is_one_query_however_many_events(django_assert_num_queries, officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)
    others = [user_with_role(Role.CBP_OFFICER) for _ in range(3)]
    _medical_event(case, officer)
    _fear_event(case, others[0])
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=others[1],
        reason="Returned",
        workflow=HEARING_DAY,
    )
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_US_FOR_HEARING,
        actor=others[2],
        reason="Reported",
        workflow=HEARING_DAY,
    )
    _record(case, type="alien.a_number_assigned", actor=None, reason="Assigned")
    few_case = CaseFactory()
    _record(few_case, type="alien.a_number_assigned", actor=officer, reason="Assigned")
    reader = user_with_role(Role.COURT_STAFF)
    assert reader.role_names  # the reader's roles are loaded once per request, before the page reads

    with django_assert_num_queries(1):
        few = case_timeline(case=few_case, user=reader)
    with django_assert_num_queries(1):
        many = case_timeline(case=case, user=reader)

    assert len(few) == 1
    assert len(many) == 5
    assert {e.actor for e in many} == {officer.display_name, *(u.display_name for u in others), "system"}


def test_events_at_the_same_moment_keep_the_order_they_were_recorded(officer):
    case = CaseFactory()
    moment = timezone.now() - dt.timedelta(hours=1)
    with transaction.atomic():
        for label in ("first", "second", "third"):
            CaseEvent.objects.create(
                case=case, type="status.changed", actor=officer, reason=label, occurred_at=moment
            )

    entries = case_timeline(case=case, user=officer)

    assert [e.reason for e in entries] == ["first", "second", "third"]
