"""Who the event bus tells about fear claims: each subscriber called directly with the OutboxEvent the
service wrote. S1: the referral → that asylum office's officers only; S3: submitted → the office's
supervisors, returned → the assessor; S4: concurred → the CBP supervisors and ICE officers at the case's
location; custody.referred → ICE there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from cases.subscribers import notify_custody_referred
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.outbox.models import Notification, OutboxEvent
from mpp.outbox.services import subscribers_for
from screenings.fear_services import fear_assessment_review
from screenings.models import FearClaim
from screenings.services import family_submit_for_review
from screenings.subscribers import (
    notify_fear_assessment_returned,
    notify_fear_assessment_submitted,
    notify_fear_claim_referred,
    notify_fear_concurred,
)
from tests.factories import user_with_role
from tests.screenings.factories import mixed_family, screen_all
from tests.screenings.test_fear_services import (
    HOU,
    LAX,
    LRD,
    STATEMENT,
    SYS,
    assess,
    cbp,
    concur,
    decide,
    family,
    record,
    uscis,
)

pytestmark = pytest.mark.django_db

S = CaseStatus


def _told(event: OutboxEvent) -> set[User]:
    return {n.user for n in Notification.objects.filter(event=event).select_related("user")}


def _event(name: str, **payload: object) -> OutboxEvent:
    events = [
        e
        for e in OutboxEvent.objects.filter(event=name).order_by("id")
        if payload.items() <= e.payload.items()
    ]
    assert len(events) == 1, events
    return events[0]


def test_s1_every_fear_event_has_its_subscriber():
    for name, subscriber in (
        ("fear.claim_referred", "screenings.notify_fear_claim_referred"),
        ("fear.assessment_submitted", "screenings.notify_fear_assessment_submitted"),
        ("fear.assessment_returned", "screenings.notify_fear_assessment_returned"),
        ("fear.concurred", "screenings.notify_fear_concurred"),
        ("custody.referred", "cases.notify_custody_referred"),
    ):
        assert subscriber in [s.name for s in subscribers_for(name)]


def test_s1_the_referral_tells_that_asylum_offices_officers_only():
    ao, sao = uscis(), uscis(Role.SUPERVISORY_ASYLUM_OFFICER)
    houston_ao = uscis(office=HOU)
    unposted_ao = user_with_role(Role.ASYLUM_OFFICER, locations=[])
    inactive_ao = uscis()
    User.objects.filter(pk=inactive_ao.pk).update(is_active=False)
    officer, supervisor = cbp(), cbp(Role.CBP_SUPERVISOR)
    (case,) = family(S.ENROLLED)
    claim = record(case, by=officer)
    event = _event("fear.claim_referred")

    notify_fear_claim_referred(event)
    notify_fear_claim_referred(event)  # delivered twice: still one notice each

    assert _told(event) == {ao, sao}
    assert houston_ao not in _told(event) and unposted_ao not in _told(event)
    assert not {officer, supervisor, inactive_ao} & _told(event)
    notice = Notification.objects.get(event=event, user=ao)
    assert case.alien.full_name in notice.message and "Los Angeles Asylum Office" in notice.message
    assert "San Ysidro" in notice.message and "(S1" in notice.message
    assert STATEMENT not in notice.message
    assert notice.url == reverse("screenings:fear-claim", args=[claim.pk])
    assert Notification.objects.filter(event=event).count() == 2


def test_s1_a_laredo_referral_tells_houston_not_los_angeles():
    houston_ao, los_angeles_ao = uscis(office=HOU), uscis(office=LAX)
    (case,) = family(S.ENROLLED, at=LRD)
    record(case)
    event = _event("fear.claim_referred")

    notify_fear_claim_referred(event)

    assert _told(event) == {houston_ao}
    assert los_angeles_ao not in _told(event)


def test_s3_a_submitted_assessment_tells_the_offices_supervisors():
    sao, ao = uscis(Role.SUPERVISORY_ASYLUM_OFFICER), uscis()
    houston_sao = uscis(Role.SUPERVISORY_ASYLUM_OFFICER, office=HOU)
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim, ao=ao)
    event = _event("fear.assessment_submitted")

    notify_fear_assessment_submitted(event)

    assert _told(event) == {sao}
    assert houston_sao not in _told(event) and ao not in _told(event)
    assert Notification.objects.get(event=event).url == reverse("screenings:fear-claim", args=[claim.pk])


def test_s3_a_returned_assessment_tells_the_assessor():
    ao, colleague = uscis(), uscis()
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim, ao=ao)
    fear_assessment_review(
        claim_id=claim.pk,
        actor=uscis(Role.SUPERVISORY_ASYLUM_OFFICER),
        decision="return",
        reason="Check dates",
    )
    event = _event("fear.assessment_returned")

    notify_fear_assessment_returned(event)

    assert _told(event) == {ao}
    assert colleague not in _told(event)
    assert (
        "Check dates" not in Notification.objects.get(event=event).message
    )  # the reason is USCIS's, on the page


@pytest.mark.parametrize("outcome", ["positive", "negative"])
def test_s4_the_concurred_result_tells_the_cbp_supervisors_and_ice_at_the_cases_location(outcome):
    supervisor, ice = cbp(Role.CBP_SUPERVISOR), user_with_role(Role.ICE_OFFICER, locations=[SYS])
    laredo_supervisor = cbp(Role.CBP_SUPERVISOR, at=LRD)
    laredo_ice = user_with_role(Role.ICE_OFFICER, locations=[LRD])
    unposted_ice = user_with_role(Role.ICE_OFFICER, locations=[])
    officer = cbp()
    ao, sao = uscis(), uscis(Role.SUPERVISORY_ASYLUM_OFFICER)
    ana, _ = family(S.ENROLLED, S.ENROLLED)
    claim = record(ana, by=officer)
    assess(claim, outcome, ao=ao)
    concur(claim, sao=sao)
    event = _event("fear.concurred")

    notify_fear_concurred(event)

    assert _told(event) == {supervisor, ice}
    assert not {laredo_supervisor, laredo_ice, unposted_ice, officer, ao, sao} & _told(event)
    notice = Notification.objects.get(event=event, user=ice)
    assert ana.alien.full_name in notice.message and "concurred" in notice.message
    assert ("2 case(s)" in notice.message) == (outcome == "positive")
    assert ("nobody was moved" in notice.message) == (outcome == "negative")
    assert notice.url == reverse("cases:detail", args=[ana.pk])


def test_s4_each_custody_referral_tells_ice_at_the_cases_location():
    ice = user_with_role(Role.ICE_OFFICER, locations=[SYS])
    laredo_ice = user_with_role(Role.ICE_OFFICER, locations=[LRD])
    supervisor = cbp(Role.CBP_SUPERVISOR)
    ana, son = family(S.ENROLLED, S.ENROLLED)
    decide(ana, "positive")

    for case in (ana, son):
        event = _event("custody.referred", referral_id=case.custody_referrals.get().pk)
        assert event.case_id == case.pk
        notify_custody_referred(event)
        assert _told(event) == {ice}
        assert laredo_ice not in _told(event) and supervisor not in _told(event)
        notice = Notification.objects.get(event=event)
        assert case.alien.full_name in notice.message and "(S4)" in notice.message
        assert notice.url == reverse("cases:custody", args=[case.pk])


def test_s4_a_negative_result_refers_nobody_to_ice():
    (case,) = family(S.ENROLLED)

    decide(case, "negative")

    assert not OutboxEvent.objects.filter(event="custody.referred").exists()


def test_s4_a_positive_result_for_a_family_awaiting_review_tells_the_supervisors_they_decide_not_amenable():
    supervisor = cbp(Role.CBP_SUPERVISOR)
    officer = cbp()
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    claim = FearClaim.objects.get()
    assess(claim, "positive")
    concur(claim)
    event = _event("fear.concurred")

    notify_fear_concurred(event)

    notice = Notification.objects.get(event=event, user=supervisor)
    assert "0 case(s)" not in notice.message
    assert "not amenable when decided" in notice.message
