"""The hearings app on the event bus (N5): a moved hearing's new tear sheet is issued by the subscriber of
``hearing.rescheduled`` when the relay delivers it, not by the service that moved it; print staff and
court staff are told. Deliveries run synchronously here by calling the relay, as the worker would."""

from __future__ import annotations

import pytest

from cases.models import CaseEvent
from hearings.models import Hearing, TearSheet
from hearings.services import hearings_move
from hearings.subscribers import reissue_tear_sheet
from mpp.accounts.roles import Role
from mpp.outbox.models import Delivery, DeliveryStatus, Notification, OutboxEvent
from mpp.outbox.services import outbox_relay
from tests.factories import user_with_role
from tests.hearings.factories import amenable_family, serve, slot

pytestmark = pytest.mark.django_db


def deliver_everything() -> int:
    """Run the relay until nothing is due (what the worker does after each commit)."""
    total = 0
    while delivered := outbox_relay():
        total += delivered
    return total


@pytest.fixture
def printers(db):
    """Print staff at San Ysidro (where the family was processed) and at Laredo."""
    return user_with_role(Role.PRINT_STAFF, locations=["sys-poe"]), user_with_role(
        Role.PRINT_STAFF, locations=["lrd-poe"]
    )


@pytest.fixture
def moved(officer, court_clerk, printers):
    """A person served into one slot, whose hearing court staff then rescheduled: (case, old, new)."""
    cases = amenable_family(1)
    (nta,) = serve(cases, officer=officer, at=slot(publisher=court_clerk))
    deliver_everything()
    later = slot(days_ahead=14, hour=10, minute=0, publisher=court_clerk)
    (new,) = hearings_move(
        hearing_ids=[nta.initial_hearing_id],
        slot_id=later.pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Judge on leave",
    )
    return cases[0], Hearing.objects.get(pk=nta.initial_hearing_id), new


def test_n5_moving_a_hearing_issues_no_sheet_until_the_bus_delivers_the_event(moved):
    case, _old, new = moved

    assert not TearSheet.objects.filter(hearing=new).exists()
    assert TearSheet.objects.get(case=case).is_current
    delivery = Delivery.objects.get(subscriber="hearings.reissue_tear_sheet")
    assert delivery.status == DeliveryStatus.PENDING


def test_n5_the_delivery_issues_v2_for_the_new_hearing_and_supersedes_v1(moved):
    case, old, new = moved

    deliver_everything()

    first, second = TearSheet.objects.filter(case=case).order_by("version")
    assert (second.version, second.reason, second.hearing, second.language_code) == (2, "reissued", new, "es")
    assert second.is_current and second.printed_at is None
    assert (first.hearing, first.superseded_by, first.is_current) == (old, second, False)
    assert first.superseded_at is not None
    (event,) = CaseEvent.objects.filter(case=case, type="tear_sheet.reissued")
    assert event.actor is None  # the system acts, on the court's move
    assert event.data == {"tear_sheet_id": second.pk, "version": 2, "superseded": [first.pk], "rule": "N5"}
    delivery = Delivery.objects.get(subscriber="hearings.reissue_tear_sheet")
    assert delivery.status == DeliveryStatus.DELIVERED


def test_n5_the_print_staff_of_the_cases_location_are_told_and_not_those_of_another(moved, printers):
    san_ysidro, laredo = printers
    event = OutboxEvent.objects.get(event="hearing.rescheduled")

    deliver_everything()

    (notice,) = Notification.objects.filter(event=event)
    assert notice.user == san_ysidro
    assert notice.message.startswith("Rescheduled hearing: tear sheet v2 for ")
    assert "San Diego Immigration Court (MPP docket)" in notice.message
    assert notice.url == "/hearings/print/"
    assert not Notification.objects.filter(user=laredo).exists()


def test_n5_a_second_delivery_of_the_same_event_issues_no_third_version_and_tells_nobody_again(moved):
    case, _old, _new = moved
    deliver_everything()
    event = OutboxEvent.objects.get(event="hearing.rescheduled")
    notices = Notification.objects.count()

    reissue_tear_sheet(event)  # as a redelivery after a worker died before recording the first would

    assert TearSheet.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.filter(case=case, type="tear_sheet.reissued").count() == 1
    assert Notification.objects.count() == notices


def test_n5_a_continued_hearing_is_reissued_and_announced_as_continued(officer, court_clerk, printers):
    san_ysidro, _laredo = printers
    cases = amenable_family(1)
    (nta,) = serve(cases, officer=officer, at=slot(publisher=court_clerk))
    hearings_move(
        hearing_ids=[nta.initial_hearing_id],
        slot_id=slot(days_ahead=30, publisher=court_clerk).pk,
        mode="continued",
        actor=court_clerk,
        reason="Time to find counsel",
    )

    deliver_everything()

    assert list(TearSheet.objects.filter(case=cases[0]).values_list("version", "reason")) == [
        (1, "new"),
        (2, "reissued"),
    ]
    event = OutboxEvent.objects.get(event="hearing.rescheduled")
    assert Notification.objects.get(event=event, user=san_ysidro).message.startswith("Continued hearing:")


def test_n1_serving_an_nta_tells_court_staff_to_confirm_the_filing(officer, court_clerk, printers):
    san_ysidro, laredo = printers
    cases = amenable_family(2)
    serve(cases, officer=officer, at=slot(publisher=court_clerk))

    deliver_everything()

    served = OutboxEvent.objects.get(event="nta.served")
    (notice,) = Notification.objects.filter(event=served)
    assert notice.user == court_clerk
    assert "and 1 more" in notice.message
    assert notice.message.endswith("confirm the filing.")
    assert notice.url == "/hearings/filing/"
    issued = OutboxEvent.objects.filter(event="tear_sheet.issued")
    assert issued.count() == 2
    assert set(Notification.objects.filter(event__in=issued).values_list("user", flat=True)) == {
        san_ysidro.pk
    }
    assert not Notification.objects.filter(user=laredo).exists()


def test_every_hearings_delivery_succeeds(moved):
    deliver_everything()

    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
