"""H4: the hand-off to ICE ERO (cases.services): due once per order, ICE officers posted at the location
told (and not those elsewhere), recorded by ERO_ROLES only, on a due hand-off only."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.exceptions import CaseNotFound, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import Case, CaseEvent, CaseStatus, EroHandoff
from cases.selectors import ero_handoffs_due
from cases.services import ERO_ROLES, ero_handoff_cancel, ero_handoff_due, ero_handoff_record
from hearings.workflow import ERO_ROLES as HEARINGS_ERO_ROLES
from mpp.accounts.roles import Role
from mpp.outbox.models import Notification, OutboxEvent
from mpp.outbox.services import outbox_relay
from tests.factories import CaseFactory, location, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordered(court_clerk):
    case = CaseFactory(status=CaseStatus.COMPLETED_REMOVAL_ORDER)
    day = dt.date(2026, 3, 2)
    handoff = ero_handoff_due(
        case_id=case.pk,
        order_ref="completion:1",
        ordered_on=day,
        final_on=day,
        order_words="Order of removal in absentia of 2026-03-02.",
        location_id=location("sys-poe").pk,
        actor=court_clerk,
    )
    return case, handoff


def test_one_role_set_for_the_hand_off():
    assert HEARINGS_ERO_ROLES is ERO_ROLES
    assert ERO_ROLES == {Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.ICE_OFFICER}


def test_h4_due_once_per_order(ordered, court_clerk):
    case, handoff = ordered

    again = ero_handoff_due(
        case_id=case.pk,
        order_ref="completion:1",
        ordered_on=handoff.ordered_on,
        final_on=handoff.final_on,
        order_words="again",
        location_id=location("sys-poe").pk,
        actor=court_clerk,
    )

    assert again == handoff
    assert EroHandoff.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, type="ero.handoff_due").count() == 1
    assert OutboxEvent.objects.filter(event="ero.handoff_due", case_id=case.pk).count() == 1


def test_h4_ice_officers_at_the_location_are_told_and_not_elsewhere(ordered):
    _case, _ = ordered
    here = user_with_role(Role.ICE_OFFICER, locations=["sys-poe"])
    elsewhere = user_with_role(Role.ICE_OFFICER, locations=["lrd-poe"])
    cbp_here = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])

    while outbox_relay():
        pass

    told = Notification.objects.filter(event__event="ero.handoff_due")
    assert list(told.values_list("user_id", flat=True)) == [here.pk]
    assert "hand-off to ICE ERO due (H4)" in told.get().message
    assert not Notification.objects.filter(user__in=[elsewhere, cbp_here]).exists()


def test_h4_the_queue_lists_due_hand_offs_by_scope(ordered):
    _, handoff = ordered

    assert list(ero_handoffs_due(user=user_with_role(Role.ICE_OFFICER))) == [handoff]
    assert list(ero_handoffs_due(user=user_with_role(Role.CBP_OFFICER, locations=["sys-poe"]))) == [handoff]
    assert list(ero_handoffs_due(user=user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"]))) == []
    assert list(ero_handoffs_due(user=user_with_role(Role.COURT_STAFF))) == []
    assert list(ero_handoffs_due(user=user_with_role(Role.ANALYST))) == []


def test_h4_recording_moves_the_case_to_handed_to_ice(ordered):
    case, handoff = ordered
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])

    ero_handoff_record(
        handoff_id=handoff.pk,
        handed_location_id=location("sys-poe").pk,
        received_by_name="ERO Officer Diaz",
        actor=officer,
        reason="Handed over at the port",
    )
    ero_handoff_record(
        handoff_id=handoff.pk,
        handed_location_id=location("sys-poe").pk,
        received_by_name="ERO Officer Diaz",
        actor=officer,
        reason="Double submit",
    )

    case.refresh_from_db()
    handoff.refresh_from_db()
    assert case.status == CaseStatus.HANDED_TO_ICE
    assert handoff.handed_location == location("sys-poe") and handoff.handed_at is not None
    assert CaseEvent.objects.filter(case=case, type="ero.handed_off").count() == 1
    assert list(ero_handoffs_due(user=user_with_role(Role.ICE_OFFICER))) == []


def test_h4_recording_is_refused_to_other_roles_locations_and_without_a_name(ordered):
    _, handoff = ordered
    sys = location("sys-poe").pk

    with pytest.raises(NotPermitted):
        ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=sys,
            received_by_name="X",
            actor=user_with_role(Role.COURT_STAFF),
            reason="r",
        )
    with pytest.raises(NotPermitted):
        ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=sys,
            received_by_name="X",
            actor=user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"]),
            reason="r",
        )
    with pytest.raises(InvalidInput) as nameless:
        ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=sys,
            received_by_name=" ",
            actor=user_with_role(Role.ICE_OFFICER),
            reason="r",
        )
    with pytest.raises(CaseNotFound):
        ero_handoff_record(
            handoff_id=10**9,
            handed_location_id=sys,
            received_by_name="X",
            actor=user_with_role(Role.ICE_OFFICER),
            reason="r",
        )
    assert nameless.value.field == "received_by_name"


def test_h4_a_cancelled_hand_off_is_refused_h4_not_final(ordered, court_clerk):
    case, handoff = ordered

    cancelled = ero_handoff_cancel(case_id=case.pk, actor=court_clerk, reason="Motion to reopen granted")
    with pytest.raises(PolicyRefusal) as refused:
        ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=location("sys-poe").pk,
            received_by_name="X",
            actor=user_with_role(Role.ICE_OFFICER),
            reason="r",
        )

    assert cancelled == handoff
    assert refused.value.code == "h4_not_final"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.COMPLETED_REMOVAL_ORDER
    assert CaseEvent.objects.filter(case=case, type="ero.handoff_cancelled").count() == 1
    assert ero_handoff_cancel(case_id=case.pk, actor=court_clerk, reason="again") is None


def _due_for_a_new_case(clerk, n: int) -> EroHandoff:
    case = CaseFactory(status=CaseStatus.COMPLETED_REMOVAL_ORDER)
    day = dt.date(2026, 3, 2)
    return ero_handoff_due(
        case_id=case.pk,
        order_ref=f"completion:{100 + n}",
        ordered_on=day,
        final_on=day,
        order_words="Order of removal of 2026-03-02; no appeal.",
        location_id=location("sys-poe").pk,
        actor=clerk,
    )


def test_h4_the_api_list_of_due_hand_offs_reads_the_same_queries_for_one_row_or_many(ordered, court_clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user_with_role(Role.ICE_OFFICER))

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/ero-handoffs/")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    client.get("/api/v1/ero-handoffs/")  # the first request of a session warms caches
    few, rows = queries()
    assert rows == 1
    for n in range(4):
        _due_for_a_new_case(court_clerk, n)
    many, rows = queries()
    assert rows == 5
    assert many == few
