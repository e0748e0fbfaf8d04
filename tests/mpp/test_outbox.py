"""The transactional outbox: events commit with their change, and the relay turns them into notifications."""

import pytest
from django.db import transaction

from cases.models import CaseStatus
from cases.services import case_move
from mpp.accounts.roles import Role
from mpp.outbox.models import Notification, OutboxEvent
from mpp.outbox.services import outbox_emit, outbox_relay
from tests.factories import CaseFactory, EncounterFactory, location, user_with_role

pytestmark = pytest.mark.django_db


def test_an_event_rolls_back_with_its_change(case, officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_move(case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screened")
        raise RuntimeError("the rest of the request failed")

    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING
    assert not OutboxEvent.objects.filter(event="case.status_changed").exists()


def test_a_case_waiting_for_review_tells_that_ports_supervisors_only(case, officer):
    here = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe"])
    elsewhere = user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"])
    another_officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    case_move(case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screened")

    processed = outbox_relay()

    assert processed >= 1
    assert Notification.objects.filter(user=here).count() == 1
    note = Notification.objects.get(user=here)
    assert "waiting for amenability review" in note.message
    assert note.url == f"/cases/{case.pk}/"
    assert not Notification.objects.filter(user__in=[elsewhere, another_officer]).exists()
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()


def test_inactive_users_are_not_notified(case, officer):
    user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe"], is_active=False)
    case_move(case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screened")

    outbox_relay()

    assert not Notification.objects.exists()


def test_delivering_an_event_twice_creates_each_notification_once(officer):
    supervisor = user_with_role(Role.CBP_SUPERVISOR)
    event = outbox_emit(
        event="test.ping",
        notify_roles=[Role.CBP_SUPERVISOR],
        notify_location_id=location("sys-poe").pk,
        message="hi",
    )
    outbox_relay()
    OutboxEvent.objects.filter(pk=event.pk).update(
        processed_at=None
    )  # as if the relay died before marking it

    outbox_relay()

    assert Notification.objects.filter(user=supervisor, event=event).count() == 1


def test_national_notifications_reach_every_holder_of_the_role(officer):
    asylum_1, asylum_2 = user_with_role(Role.ASYLUM_OFFICER), user_with_role(Role.ASYLUM_OFFICER)
    case = CaseFactory(
        encounter=EncounterFactory(location=location("sys-poe")), status=CaseStatus.IN_US_FOR_HEARING
    )
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.FEAR_CLAIM_PENDING,
        actor=officer,
        reason="States fear of return",
    )

    outbox_relay()

    assert set(Notification.objects.values_list("user_id", flat=True)) == {asylum_1.pk, asylum_2.pk}


def test_the_relay_works_in_bounded_batches(officer):
    for _ in range(5):
        outbox_emit(event="test.batch", notify_user_ids=[officer.pk], message="x")

    assert outbox_relay(batch_size=3) == 3
    assert outbox_relay(batch_size=3) == 2
    assert outbox_relay(batch_size=3) == 0
    assert Notification.objects.filter(user=officer).count() == 5


def _use_broker(app, url):
    """Point the Celery app at ``url`` and drop its cached connection pools so the change takes effect."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


def test_events_survive_an_unreachable_broker_at_commit_time(
    settings, officer, django_capture_on_commit_callbacks
):
    """If Redis is down when the change commits, the event stays in the database for the scheduled relay."""
    from mpp.celery import app

    _use_broker(app, "redis://127.0.0.1:1/0")  # nothing listens on port 1: a real refused connection
    try:
        with django_capture_on_commit_callbacks(execute=True):
            event = outbox_emit(
                event="test.offline", notify_user_ids=[officer.pk], message="queued while offline"
            )
    finally:
        _use_broker(app, settings.CELERY_BROKER_URL)

    event.refresh_from_db()
    assert event.processed_at is None
    outbox_relay()
    assert Notification.objects.filter(user=officer, message="queued while offline").exists()


def test_one_transaction_with_many_events_asks_for_one_relay_run(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(4):
            outbox_emit(event="test.many", notify_user_ids=[officer.pk], message="x")

    assert OutboxEvent.objects.filter(event="test.many").count() == 4
    assert len(callbacks) == 1
