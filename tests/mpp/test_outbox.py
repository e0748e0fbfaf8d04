"""The event bus: events commit with their change, each subscriber gets a delivery, and the relay runs them
with retries, back-off and a dead-letter list. Only this file's own events and subscribers are used."""

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mpp.accounts.roles import Role
from mpp.exceptions import IllegalTransition
from mpp.outbox import services
from mpp.outbox.models import Delivery, DeliveryStatus, Notification, OutboxEvent
from mpp.outbox.services import (
    delivery_retry,
    notify,
    outbox_emit,
    outbox_relay,
    subscribe,
    subscribers_for,
)
from mpp.outbox.tasks import relay_outbox
from tests.factories import location, user_with_role

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:outbox_delivery_changelist"


@pytest.fixture(autouse=True)
def bus(monkeypatch):
    """A copy of the subscriber registry for the test; the process's own comes back afterwards."""
    copy = {event: dict(by_name) for event, by_name in services._SUBSCRIBERS.items()}
    monkeypatch.setattr(services, "_SUBSCRIBERS", copy)
    return copy


class Subscriber:
    """A test subscriber: notifies the user named in the event, and raises instead while ``broken``."""

    def __init__(self, *, broken: bool = False, message: str = "handled"):
        self.broken = broken
        self.message = message

    def __call__(self, event: OutboxEvent) -> None:
        if self.broken:
            raise RuntimeError("the subscriber is broken")
        notify(event=event, message=self.message, user_ids=[event.payload["user_id"]])


def subscribed(event_name: str, name: str, **kwargs) -> Subscriber:
    handler = Subscriber(**kwargs)
    subscribe(event_name, handler, name=name)
    return handler


def told(user, message: str = "handled") -> int:
    return Notification.objects.filter(user=user, message=message).count()


def make_due(delivery: Delivery) -> None:
    """As if its back-off had passed."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def tell_by_default_name(event: OutboxEvent) -> None:
    notify(event=event, message="default name", user_ids=[event.payload["user_id"]])


# Writing events


def test_an_event_and_its_deliveries_roll_back_with_the_callers_transaction(officer):
    subscribed("test.rollback", "tests.rollback")

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_emit(event="test.rollback", data={"user_id": officer.pk})
        raise RuntimeError("the rest of the request failed")

    assert not OutboxEvent.objects.filter(event="test.rollback").exists()
    assert not Delivery.objects.filter(subscriber="tests.rollback").exists()


def test_an_event_carries_its_name_case_and_data_and_gets_one_delivery_per_subscriber(officer):
    subscribed("test.fanout", "tests.first")
    subscribed("test.fanout", "tests.second")
    subscribed("test.other", "tests.elsewhere")

    event = outbox_emit(event="test.fanout", case_id=42, data={"user_id": officer.pk})

    event.refresh_from_db()
    assert (event.event, event.case_id, event.payload) == ("test.fanout", 42, {"user_id": officer.pk})
    deliveries = Delivery.objects.filter(event=event).order_by("subscriber")
    assert [(d.subscriber, d.status, d.attempts) for d in deliveries] == [
        ("tests.first", DeliveryStatus.PENDING, 0),
        ("tests.second", DeliveryStatus.PENDING, 0),
    ]


def test_an_event_nobody_subscribes_to_is_recorded_and_asks_for_no_relay_run(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        event = outbox_emit(event="test.unheard", data={"x": 1})

    assert OutboxEvent.objects.filter(pk=event.pk).exists()
    assert not Delivery.objects.filter(event=event).exists()
    assert callbacks == []


def test_one_transaction_with_many_events_asks_for_one_relay_run(officer, django_capture_on_commit_callbacks):
    subscribed("test.many", "tests.many")

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(4):
            outbox_emit(event="test.many", data={"user_id": officer.pk})

    assert Delivery.objects.filter(subscriber="tests.many").count() == 4
    assert len(callbacks) == 1


# The registry


def test_a_subscriber_is_named_by_its_dotted_path_unless_named_and_subscribing_again_is_a_no_op():
    first = subscribe("test.names", tell_by_default_name)
    again = subscribe("test.names", tell_by_default_name)

    assert first == again == "tests.mpp.test_outbox.tell_by_default_name"
    assert [s.name for s in subscribers_for("test.names")] == ["tests.mpp.test_outbox.tell_by_default_name"]


def test_another_handler_under_a_name_already_taken_is_refused():
    subscribe("test.names", tell_by_default_name, name="tests.taken")

    with pytest.raises(ImproperlyConfigured, match=r"tests\.taken"):
        subscribe("test.names", Subscriber(), name="tests.taken")

    assert [s.handler for s in subscribers_for("test.names")] == [tell_by_default_name]


# The relay


def test_the_relay_delivers_each_subscriber_once(officer):
    subscribed("test.ping", "tests.ping")
    event = outbox_emit(event="test.ping", data={"user_id": officer.pk})

    delivered = outbox_relay()
    again = outbox_relay()

    assert (delivered, again) == (1, 0)
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.delivered_at is not None
    assert told(officer) == 1


def test_a_poison_event_does_not_delay_the_good_event_behind_it(officer):
    subscribed("test.poison", "tests.poison", broken=True)
    subscribed("test.good", "tests.good")
    poison = outbox_emit(event="test.poison", data={"user_id": officer.pk})
    good = outbox_emit(event="test.good", data={"user_id": officer.pk})

    delivered = outbox_relay()

    assert delivered == 1
    assert Delivery.objects.get(event=good).status == DeliveryStatus.DELIVERED
    assert told(officer) == 1
    stuck = Delivery.objects.get(event=poison)
    assert (stuck.status, stuck.attempts) == (DeliveryStatus.PENDING, 1)
    assert stuck.last_error == "RuntimeError('the subscriber is broken')"
    assert stuck.next_attempt_at > timezone.now()


def test_a_failing_subscriber_does_not_hold_back_another_subscriber_of_the_same_event(officer):
    subscribed("test.shared", "tests.a_broken_one", broken=True)
    subscribed("test.shared", "tests.a_working_one")
    event = outbox_emit(event="test.shared", data={"user_id": officer.pk})

    delivered = outbox_relay()

    assert delivered == 1
    statuses = dict(Delivery.objects.filter(event=event).values_list("subscriber", "status"))
    assert statuses == {
        "tests.a_broken_one": DeliveryStatus.PENDING,
        "tests.a_working_one": DeliveryStatus.DELIVERED,
    }
    assert told(officer) == 1


def test_a_handler_that_breaks_the_database_transaction_does_not_spoil_the_rest_of_the_batch(officer):
    def writes_then_breaks_the_transaction(event: OutboxEvent) -> None:
        notify(event=event, message="half done", user_ids=[officer.pk])
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    subscribe("test.db_error", writes_then_breaks_the_transaction, name="tests.db_error")
    subscribed("test.after", "tests.after")
    broken = outbox_emit(event="test.db_error", data={})
    outbox_emit(event="test.after", data={"user_id": officer.pk})

    delivered = outbox_relay()

    assert delivered == 1
    assert told(officer) == 1
    assert told(officer, "half done") == 0  # the failed handler's own writes were rolled back
    failed = Delivery.objects.get(event=broken)
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 1)
    assert "division by zero" in failed.last_error


def test_a_delivery_whose_subscriber_is_no_longer_registered_fails_with_a_clear_error(bus, officer):
    subscribed("test.gone", "tests.gone")
    event = outbox_emit(event="test.gone", data={"user_id": officer.pk})
    del bus["test.gone"]["tests.gone"]  # as if a deploy removed or renamed it

    delivered = outbox_relay()

    assert delivered == 0
    delivery = Delivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "No subscriber named 'tests.gone' is registered for 'test.gone'" in delivery.last_error


def _fail_once_more(delivery: Delivery) -> tuple[float, float]:
    """Make ``delivery`` due, run the relay (it fails) and bracket the wait it was given, in seconds.

    The wait is counted from the failure, some moment between ``before`` and ``after``.
    """
    make_due(delivery)
    before = timezone.now()
    outbox_relay()
    after = timezone.now()
    delivery.refresh_from_db()
    return (
        (delivery.next_attempt_at - after).total_seconds(),
        (delivery.next_attempt_at - before).total_seconds(),
    )


def test_failed_attempts_are_counted_and_back_off_exponentially_and_the_eighth_failure_is_dead(
    officer, admin_client
):
    subscribed("test.backoff", "tests.backoff", broken=True)
    event = outbox_emit(event="test.backoff", data={"user_id": officer.pk})
    delivery = Delivery.objects.get(event=event)

    # OUTBOX_RETRY_BASE_SECONDS = 30, doubling after each failure; the 8th (OUTBOX_MAX_ATTEMPTS) is final.
    for attempt, seconds in enumerate([30, 60, 120, 240, 480, 960, 1920], start=1):
        low, high = _fail_once_more(delivery)

        assert low <= seconds <= high
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, attempt)
    make_due(delivery)
    outbox_relay()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 8)
    assert outbox_relay() == 0  # a dead delivery is not tried again
    page = admin_client.get(reverse(CHANGELIST), {"status__exact": DeliveryStatus.DEAD})
    assert page.status_code == 200
    assert [d.pk for d in page.context["cl"].result_list] == [delivery.pk]
    assert "tests.backoff" in page.content.decode()


def test_the_back_off_stops_growing_at_the_cap(settings, officer):
    settings.OUTBOX_RETRY_CAP_SECONDS = 200
    settings.OUTBOX_MAX_ATTEMPTS = 10
    subscribed("test.capped", "tests.capped", broken=True)
    delivery = Delivery.objects.get(event=outbox_emit(event="test.capped", data={"user_id": officer.pk}))

    for seconds in [30, 60, 120, 200, 200, 200]:
        low, high = _fail_once_more(delivery)

        assert low <= seconds <= high


def test_the_dead_letter_list_shows_only_dead_deliveries(officer, admin_client):
    subscribed("test.mixed", "tests.dies", broken=True)
    subscribed("test.mixed", "tests.lives")
    event = outbox_emit(event="test.mixed", data={"user_id": officer.pk})
    Delivery.objects.filter(event=event, subscriber="tests.dies").update(
        status=DeliveryStatus.DEAD, attempts=8, last_error="RuntimeError('x')"
    )
    outbox_relay()

    page = admin_client.get(reverse(CHANGELIST), {"status__exact": DeliveryStatus.DEAD})

    assert [d.subscriber for d in page.context["cl"].result_list] == ["tests.dies"]


def test_retrying_a_dead_delivery_queues_it_and_a_fixed_handler_then_delivers_it(
    officer, admin_user, django_capture_on_commit_callbacks
):
    handler = subscribed("test.retry", "tests.retry", broken=True)
    delivery = Delivery.objects.create(
        event=OutboxEvent.objects.create(event="test.retry", payload={"user_id": officer.pk}),
        subscriber="tests.retry",
        status=DeliveryStatus.DEAD,
        attempts=8,
        last_error="RuntimeError('the subscriber is broken')",
    )

    with django_capture_on_commit_callbacks() as kicks:
        retried = delivery_retry(delivery_id=delivery.pk, actor=admin_user)
    handler.broken = False  # the fix is deployed
    delivered = outbox_relay()

    assert (retried.status, retried.attempts, retried.retried_by) == (DeliveryStatus.PENDING, 0, admin_user)
    assert retried.retried_at is not None
    assert len(kicks) == 1
    assert delivered == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert told(officer) == 1


def test_retrying_a_pending_delivery_starts_its_count_again_and_makes_it_due_now(officer, admin_user):
    subscribed("test.early", "tests.early", broken=True)
    delivery = Delivery.objects.get(event=outbox_emit(event="test.early", data={"user_id": officer.pk}))
    outbox_relay()

    retried = delivery_retry(delivery_id=delivery.pk, actor=admin_user)

    assert (retried.status, retried.attempts) == (DeliveryStatus.PENDING, 0)
    assert retried.next_attempt_at <= timezone.now()


def test_a_delivered_delivery_cannot_be_retried(officer, admin_user):
    subscribed("test.done", "tests.done")
    delivery = Delivery.objects.get(event=outbox_emit(event="test.done", data={"user_id": officer.pk}))
    outbox_relay()

    with pytest.raises(IllegalTransition, match="from delivered to pending"):
        delivery_retry(delivery_id=delivery.pk, actor=admin_user)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.retried_by is None


def test_the_admin_action_retries_the_selected_deliveries_and_leaves_delivered_ones(
    officer, admin_client, admin_user
):
    handler = subscribed("test.admin", "tests.admin", broken=True)
    dead = Delivery.objects.get(event=outbox_emit(event="test.admin", data={"user_id": officer.pk}))
    Delivery.objects.filter(pk=dead.pk).update(status=DeliveryStatus.DEAD, attempts=8)
    subscribed("test.admin_done", "tests.admin_done")
    done = Delivery.objects.get(event=outbox_emit(event="test.admin_done", data={"user_id": officer.pk}))
    outbox_relay()

    page = admin_client.post(
        reverse(CHANGELIST),
        {"action": "retry_deliveries", "_selected_action": [dead.pk, done.pk]},
        follow=True,
    )
    handler.broken = False
    delivered = outbox_relay()

    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert shown == ["1 delivery(ies) queued again.", f"Already delivered, not retried: {done.pk}."]
    dead.refresh_from_db()
    assert (dead.status, dead.retried_by) == (DeliveryStatus.DELIVERED, admin_user)
    assert delivered == 1


def test_events_and_deliveries_cannot_be_added_or_deleted_in_the_admin(officer, admin_client):
    subscribed("test.locked", "tests.locked")
    delivery = Delivery.objects.get(event=outbox_emit(event="test.locked", data={"user_id": officer.pk}))

    pages = [
        admin_client.get(reverse("admin:outbox_delivery_add")),
        admin_client.get(reverse("admin:outbox_delivery_delete", args=[delivery.pk])),
        admin_client.get(reverse("admin:outbox_outboxevent_add")),
        admin_client.get(reverse("admin:outbox_outboxevent_delete", args=[delivery.event_id])),
    ]

    assert [p.status_code for p in pages] == [403, 403, 403, 403]


def test_an_events_admin_page_links_to_its_deliveries(officer, admin_client):
    subscribed("test.linked", "tests.linked_a")
    subscribed("test.linked", "tests.linked_b")
    event = outbox_emit(event="test.linked", data={"user_id": officer.pk})
    outbox_emit(event="test.linked", data={"user_id": officer.pk})

    events = admin_client.get(reverse("admin:outbox_outboxevent_changelist"))
    deliveries = admin_client.get(reverse(CHANGELIST), {"event__id__exact": event.pk})

    assert f'href="{reverse(CHANGELIST)}?event__id__exact={event.pk}"' in events.content.decode()
    assert deliveries.status_code == 200
    assert sorted(d.subscriber for d in deliveries.context["cl"].result_list) == [
        "tests.linked_a",
        "tests.linked_b",
    ]


def test_the_deliveries_changelist_reads_in_a_fixed_number_of_queries(officer, admin_client):
    subscribed("test.count", "tests.count")
    outbox_emit(event="test.count", data={"user_id": officer.pk})
    admin_client.get(reverse(CHANGELIST))  # warm the session and content types

    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse(CHANGELIST))
    for _ in range(6):
        outbox_emit(event="test.count", data={"user_id": officer.pk})
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(reverse(CHANGELIST))

    assert len(page.context["cl"].result_list) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_relay_works_in_bounded_batches(officer):
    subscribed("test.batch", "tests.batch")
    for _ in range(5):
        outbox_emit(event="test.batch", data={"user_id": officer.pk})

    assert outbox_relay(batch_size=3) == 3
    assert relay_outbox() == 2  # the Celery task, called as a function
    assert outbox_relay(batch_size=3) == 0
    assert told(officer) == 5


@pytest.mark.django_db(transaction=True)
def test_a_delivery_locked_by_another_relay_is_skipped_not_waited_for(officer):
    subscribed("test.locked_elsewhere", "tests.locked_elsewhere")
    taken = Delivery.objects.get(
        event=outbox_emit(event="test.locked_elsewhere", data={"user_id": officer.pk})
    )
    free = Delivery.objects.get(
        event=outbox_emit(event="test.locked_elsewhere", data={"user_id": officer.pk})
    )
    locked, release = threading.Event(), threading.Event()

    def other_relay_holding_the_row() -> None:
        with transaction.atomic():
            Delivery.objects.select_for_update().get(pk=taken.pk)
            locked.set()
            release.wait(timeout=30)
        connection.close()

    other = threading.Thread(target=other_relay_holding_the_row)
    other.start()
    try:
        assert locked.wait(timeout=30)
        delivered = outbox_relay()
    finally:
        release.set()
        other.join(timeout=30)

    assert delivered == 1
    assert Delivery.objects.get(pk=free.pk).status == DeliveryStatus.DELIVERED
    assert Delivery.objects.get(pk=taken.pk).status == DeliveryStatus.PENDING


# notify


def test_notifying_twice_about_one_event_creates_each_notification_once(officer):
    event = outbox_emit(event="test.notify_twice", data={})

    first = notify(event=event, message="hi", user_ids=[officer.pk])
    second = notify(event=event, message="hi again", user_ids=[officer.pk])

    assert (first, second) == (1, 0)
    assert list(Notification.objects.filter(event=event).values_list("user_id", "message")) == [
        (officer.pk, "hi")
    ]


def test_notify_reaches_the_role_holders_at_the_location_and_the_named_users(officer):
    here = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe"])
    elsewhere = user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"])
    user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe"], is_active=False)
    named_elsewhere = user_with_role(Role.ASYLUM_OFFICER)
    event = outbox_emit(event="test.notify_roles", data={})

    created = notify(
        event=event,
        message="A family is waiting for review.",
        url="/screenings/reviews/1/",
        roles=[Role.CBP_SUPERVISOR],
        location_id=location("sys-poe").pk,
        user_ids=[named_elsewhere.pk],
    )

    assert created == 2
    assert set(Notification.objects.filter(event=event).values_list("user_id", flat=True)) == {
        here.pk,
        named_elsewhere.pk,
    }
    assert not Notification.objects.filter(user__in=[elsewhere, officer]).exists()
    note = Notification.objects.get(event=event, user=here)
    assert (note.message, note.url) == ("A family is waiting for review.", "/screenings/reviews/1/")


def test_notify_without_a_location_reaches_every_active_holder_of_the_role():
    asylum_1, asylum_2 = user_with_role(Role.ASYLUM_OFFICER), user_with_role(Role.ASYLUM_OFFICER)
    user_with_role(Role.ASYLUM_OFFICER, is_active=False)
    user_with_role(Role.COURT_STAFF)
    event = outbox_emit(event="test.notify_national", data={})

    created = notify(event=event, message="A fear claim is pending.", roles=[Role.ASYLUM_OFFICER])

    assert created == 2
    assert set(Notification.objects.filter(event=event).values_list("user_id", flat=True)) == {
        asylum_1.pk,
        asylum_2.pk,
    }


# The broker


def _use_broker(app, url):
    """Point the Celery app at ``url`` and drop its cached connection pools so the change takes effect."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


def test_deliveries_survive_an_unreachable_broker_at_commit_time(
    settings, officer, django_capture_on_commit_callbacks
):
    """If Redis is down when the change commits, the kick gives up quietly and the relay delivers later."""
    from mpp.celery import app

    subscribed("test.offline", "tests.offline", message="queued while offline")
    _use_broker(app, "redis://127.0.0.1:1/0")  # nothing listens on port 1: a real refused connection
    try:
        with django_capture_on_commit_callbacks(execute=True) as kicks:
            event = outbox_emit(event="test.offline", data={"user_id": officer.pk})
    finally:
        _use_broker(app, settings.CELERY_BROKER_URL)

    assert len(kicks) == 1  # it ran, and did not raise
    assert Delivery.objects.get(event=event).status == DeliveryStatus.PENDING
    assert outbox_relay() == 1
    assert told(officer, "queued while offline") == 1
