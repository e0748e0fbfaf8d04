"""F6 (with H4): a family member referred to ICE because another member was granted relief first is later
granted relief or protection too. They stay in the U.S.: their open custody referral is withdrawn — it leaves
ICE's queue (page and API), the timeline says so with the reason, the custody page shows it withdrawn and ICE
is told. A referral ICE already determined stays determined; a removal order withdraws nothing."""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseEvent, CaseStatus, CustodyDetermination, CustodyReferral
from cases.selectors import case_timeline, custody_queue
from cases.services import custody_determine, custody_refer, custody_referral_withdraw
from hearings import court_services as court
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.exceptions import PolicyRefusal
from mpp.outbox.models import Notification
from mpp.outbox.services import outbox_relay
from tests.factories import user_with_role
from tests.hearings.court_helpers import family_on_docket, port_today

pytestmark = pytest.mark.django_db

QUEUE_API = "/api/v1/custody-referrals/"
F6 = ("F6", "family_member_granted_relief")


def _decide(case, hearing, clerk, decision, *, appeal="none", due=None):
    return court.completion_record(
        case_id=case.pk,
        hearing_id=hearing.pk,
        decision=decision,
        decided_on=port_today(case),
        appeal=appeal,
        appeal_due_on=due,
        actor=clerk,
        reason="Decided at the merits hearing",
    )


def _queued(ice: User) -> set[int]:
    return {row.case_id for row in custody_queue(user=ice, tab="open", params={}).rows}


def _api_queued(ice: User) -> set[int]:
    client = APIClient()
    client.force_login(ice)
    response = client.get(QUEUE_API)
    assert response.status_code == 200
    return {row["case"] for row in response.json()["results"]}


@pytest.fixture
def ice() -> User:
    return user_with_role(Role.ICE_OFFICER, locations=["sys-poe"])


@pytest.fixture
def split_family(court_clerk, ice):
    """F6: a family of two on the docket; the child is granted asylum, so the father goes to ICE's queue."""
    (father, child), (father_hearing, child_hearing) = family_on_docket(2, clerk=court_clerk)
    _decide(child, child_hearing, court_clerk, "asylum")
    referral = CustodyReferral.objects.get(case=father)
    assert (referral.rule, referral.code) == F6 and referral.is_open
    assert _queued(ice) == {father.pk} and _api_queued(ice) == {father.pk}
    return father, father_hearing, referral


def test_f6_the_father_granted_withholding_later_leaves_ices_queue_withdrawn_with_the_reason(
    court_clerk, ice, split_family
):
    father, hearing, referral = split_family

    _decide(father, hearing, court_clerk, "withholding")

    referral.refresh_from_db()
    father.refresh_from_db()
    assert father.status == CaseStatus.COMPLETED_RELIEF
    assert referral.withdrawn_at is not None and referral.determined_at is None
    assert referral.withdrawn_by == court_clerk
    assert referral.withdrawn_reason == (
        f"F6/H4: {father.alien.full_name} granted statutory withholding of removal on "
        f"{port_today(father):%Y-%m-%d}: stays in the U.S.; no custody determination is due."
    )
    assert not referral.is_open
    assert _queued(ice) == set()
    assert _api_queued(ice) == set()
    assert not CustodyDetermination.objects.filter(case=father).exists()
    assert referral.history.latest().history_change_reason == referral.withdrawn_reason


def test_f6_the_withdrawal_is_on_the_fathers_timeline_with_its_reason(court_clerk, ice, split_family):
    father, hearing, referral = split_family

    _decide(father, hearing, court_clerk, "withholding")

    referral.refresh_from_db()
    event = CaseEvent.objects.get(case=father, type="custody.withdrawn")
    assert (event.actor, event.reason, event.data["referral_id"]) == (
        court_clerk,
        referral.withdrawn_reason,
        referral.pk,
    )
    (entry,) = [e for e in case_timeline(case=father, user=ice) if e.type == "custody.withdrawn"]
    assert entry.label == "Referral to ICE withdrawn: no custody determination due (F6/H4)"
    assert entry.reason == referral.withdrawn_reason
    client = Client()
    client.force_login(ice)
    page = html.unescape(client.get(reverse("cases:detail", args=[father.pk])).content.decode())
    assert "Referral to ICE withdrawn: no custody determination due (F6/H4)" in page


def test_f6_the_custody_page_shows_the_referral_withdrawn_and_offers_no_determination(
    court_clerk, ice, split_family
):
    father, hearing, referral = split_family

    _decide(father, hearing, court_clerk, "withholding")

    referral.refresh_from_db()
    client = Client()
    client.force_login(ice)
    response = client.get(reverse("cases:custody", args=[father.pk]))
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    local = timezone.localtime(referral.withdrawn_at, ZoneInfo(father.location.time_zone))
    assert f"Withdrawn {local:%Y-%m-%d %H:%M} {local.tzname()}: {referral.withdrawn_reason}" in text
    assert "determination due" not in text
    assert 'data-testid="custody-form"' not in text
    assert "stays in the U.S. (H4): no custody determination is due" in text


def test_f6_ice_may_not_determine_against_a_withdrawn_referral(court_clerk, ice, split_family):
    father, hearing, referral = split_family
    _decide(father, hearing, court_clerk, "withholding")

    with pytest.raises(PolicyRefusal) as refused:
        custody_determine(case_id=father.pk, actor=ice, decision="detain", reason="Late")

    assert (refused.value.code, refused.value.rule) == ("custody_not_due", "S4")
    referral.refresh_from_db()
    assert referral.determined_at is None and referral.withdrawn_at is not None
    assert not CustodyDetermination.objects.filter(case=father).exists()


def test_f6_ice_at_the_referrals_location_is_told_of_the_withdrawal(court_clerk, ice, split_family):
    father, hearing, _referral = split_family
    elsewhere = user_with_role(Role.ICE_OFFICER, locations=["lrd-poe"])

    _decide(father, hearing, court_clerk, "withholding")
    while outbox_relay():
        pass

    notice = Notification.objects.get(user=ice, event__event="custody.withdrawn")
    assert "referral to ICE withdrawn" in notice.message and "statutory withholding" in notice.message
    assert notice.url == reverse("cases:custody", args=[father.pk])
    assert not Notification.objects.filter(user=elsewhere, event__event="custody.withdrawn").exists()


def test_f6_a_referral_already_determined_stays_determined_when_the_person_is_granted_relief(
    court_clerk, ice, split_family
):
    father, hearing, referral = split_family
    determination = custody_determine(case_id=father.pk, actor=ice, decision="parole", reason="Sponsor")

    _decide(father, hearing, court_clerk, "withholding")

    referral.refresh_from_db()
    determination.refresh_from_db()
    assert referral.determined_at == determination.decided_at and referral.withdrawn_at is None
    assert referral.withdrawn_reason == ""
    assert determination.is_current and determination.decision == "parole"
    assert not CaseEvent.objects.filter(case=father, type="custody.withdrawn").exists()


def test_f6_a_removal_order_for_the_father_does_not_withdraw_his_referral(court_clerk, ice, split_family):
    father, hearing, referral = split_family

    _decide(
        father,
        hearing,
        court_clerk,
        "removal_order",
        appeal="reserved",
        due=port_today(father) + dt.timedelta(days=30),
    )

    referral.refresh_from_db()
    assert referral.is_open and referral.withdrawn_at is None
    assert _queued(ice) == {father.pk} and _api_queued(ice) == {father.pk}
    assert not CaseEvent.objects.filter(case=father, type="custody.withdrawn").exists()


def test_f6_withdrawing_without_an_open_referral_is_a_no_op(court_clerk, split_family):
    father, hearing, _referral = split_family
    _decide(father, hearing, court_clerk, "withholding")

    again = custody_referral_withdraw(case_id=father.pk, actor=court_clerk, reason="Again")

    assert again is None
    assert CaseEvent.objects.filter(case=father, type="custody.withdrawn").count() == 1


def test_f6_a_referral_withdrawn_later_referred_again_is_a_new_open_one(court_clerk, split_family):
    """The open-once constraint counts only open referrals: a withdrawn one does not block a new one."""
    father, _hearing, referral = split_family
    custody_referral_withdraw(case_id=father.pk, actor=court_clerk, reason="F6/H4: granted (test)")

    again = custody_refer(
        case_id=father.pk, actor=court_clerk, rule="F6", code=F6[1], reason="F6: referred again (test)"
    )

    assert again.pk != referral.pk and again.is_open


def test_f6_the_database_refuses_a_referral_both_withdrawn_and_determined(split_family):
    _father, _hearing, referral = split_family
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyReferral.objects.filter(pk=referral.pk).update(
            determined_at=now, withdrawn_at=now, withdrawn_reason="Both"
        )


def test_f6_the_database_refuses_a_withdrawal_without_a_reason_or_before_the_referral(split_family):
    _father, _hearing, referral = split_family

    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyReferral.objects.filter(pk=referral.pk).update(withdrawn_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyReferral.objects.filter(pk=referral.pk).update(
            withdrawn_at=referral.referred_at - dt.timedelta(minutes=1), withdrawn_reason="Too early"
        )
