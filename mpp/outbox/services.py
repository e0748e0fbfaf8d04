"""The event bus: who subscribes to which event, writing events, and delivering them to subscribers.

Domain apps subscribe in their ``AppConfig.ready()``; ``mpp`` never imports them. An event is written
with one Delivery row per subscriber registered for its name at that moment, in the emitter's
transaction; the relay (a Celery task, kicked after commit and run by beat every 30 s) calls each
subscriber's handler until it succeeds, backing off between failed attempts, and gives up after
``OUTBOX_MAX_ATTEMPTS`` (the delivery is then dead, and waits for a retry by hand).

Handlers must be idempotent: a delivery can run more than once (a worker killed after the handler ran and
before the delivery was marked, a retry by hand). ``notify`` is, by its unique (event, user) constraint.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from mpp.outbox.models import Delivery, DeliveryStatus, Notification, OutboxEvent
from mpp.outbox.selectors import notification_recipients

if TYPE_CHECKING:
    from mpp.accounts.models import User

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 100

Handler = Callable[[OutboxEvent], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    handler: Handler


# event name → subscriber name → handler. Filled once per process by the apps' ready(); read-only after.
_SUBSCRIBERS: dict[str, dict[str, Handler]] = {}


def subscribe(event_name: str, handler: Handler, *, name: str | None = None) -> str:
    """Register ``handler`` for ``event_name`` under ``name`` (default: its dotted path). Returns the name.

    The name is what delivery rows record, so it must stay stable across deploys: renaming a handler
    without passing the old ``name`` leaves its pending deliveries without a handler (they fail, and die).
    Subscribing the same handler under the same name again is a no-op (``ready()`` can run twice in
    tests); another handler under a name already taken raises ImproperlyConfigured.
    """
    name = name or f"{handler.__module__}.{handler.__qualname__}"
    taken = _SUBSCRIBERS.setdefault(event_name, {})
    if name in taken and taken[name] != handler:
        raise ImproperlyConfigured(
            f"The subscriber name {name!r} for {event_name!r} is already taken by {taken[name]!r}."
        )
    taken[name] = handler
    return name


def subscribers_for(event_name: str) -> list[Subscriber]:
    """The subscribers of ``event_name`` in the order they subscribed."""
    return [Subscriber(name, handler) for name, handler in _SUBSCRIBERS.get(event_name, {}).items()]


def subscriber_names() -> list[str]:
    """Every subscriber name registered in this process, for any event, sorted."""
    return sorted({name for by_name in _SUBSCRIBERS.values() for name in by_name})


def _handler_for(event_name: str, subscriber: str) -> Handler | None:
    return _SUBSCRIBERS.get(event_name, {}).get(subscriber)


def outbox_emit(*, event: str, case_id: int | None = None, data: dict[str, Any] | None = None) -> OutboxEvent:
    """Write an event, and one Delivery per subscriber of its name, in the caller's transaction.

    Must be called inside the transaction that makes the change, so the change, the event and its
    deliveries commit or roll back together. Asks for one relay run when that transaction commits (once,
    however many events it wrote); if Redis is down then, the scheduled relay delivers later. An event
    nobody subscribes to is still written (it is a record of what happened) and asks for no relay run.
    """
    subscribers = subscribers_for(event)
    # No savepoint when nested (the caller's transaction is the unit); one transaction when called alone.
    with transaction.atomic(savepoint=False):
        created = OutboxEvent.objects.create(event=event, case_id=case_id, payload=data or {})
        if subscribers:
            now = timezone.now()
            Delivery.objects.bulk_create(
                [Delivery(event=created, subscriber=s.name, next_attempt_at=now) for s in subscribers]
            )
            _kick_relay_on_commit()
    return created


def _kick_relay_on_commit() -> None:
    # One relay run per transaction is enough, however many deliveries it wrote.
    if not any(callback is _kick_relay for _, callback, *_ in connection.run_on_commit):
        transaction.on_commit(_kick_relay)


def _kick_relay() -> None:
    """Publish one relay run, or give up at once: the request that committed must not wait for Redis.

    A single attempt (``max_retries=0``): Celery's default publish retries for ~0.6 s, and ``retry=False``
    is worse, kombu then retries the connection until CELERY_BROKER_CONNECTION_TIMEOUT, sleeping 2 s between
    tries. The socket timeouts in CELERY_BROKER_TRANSPORT_OPTIONS bound a Redis that accepts but hangs.
    Nothing is lost when this fails: the deliveries are in the database and beat runs the relay anyway.
    """
    from mpp.outbox.tasks import relay_outbox

    try:
        relay_outbox.apply_async(retry=True, retry_policy={"max_retries": 0})
    except Exception:  # broker unreachable: the periodic relay picks the deliveries up later
        logger.warning("outbox: could not reach the broker; the scheduled relay will deliver", exc_info=True)


def retry_delay(*, attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: BASE, 2×BASE, 4×BASE …, at most CAP."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_CAP_SECONDS))


def outbox_relay(*, batch_size: int = RELAY_BATCH_SIZE) -> int:
    """Run up to ``batch_size`` due deliveries, soonest due first. Returns how many were delivered.

    Each delivery runs in a transaction of its own, its row locked with SKIP LOCKED (two relays never run
    the same delivery at once) and its handler in a savepoint: a handler that raises, even on a database
    error, has its writes rolled back and its failure recorded, and the relay goes on with the next row.
    A failed delivery is due again only after its back-off, so it never holds back the others.
    """
    delivered = 0
    for _ in range(batch_size):
        outcome = _delivery_run_next()
        if outcome is None:
            break
        delivered += outcome
    return delivered


def _delivery_run_next() -> bool | None:
    """Run the next due delivery: True if delivered, False if it failed, None if nothing is due."""
    with transaction.atomic():
        now = timezone.now()
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        try:
            handler = _handler_for(delivery.event.event, delivery.subscriber)
            if handler is None:
                raise LookupError(
                    f"No subscriber named {delivery.subscriber!r} is registered for "
                    f"{delivery.event.event!r} in this process (renamed or removed?)."
                )
            with transaction.atomic():
                handler(delivery.event)
        except Exception as exc:
            logger.exception("outbox: delivery %s failed (attempt %s)", delivery.pk, delivery.attempts)
            delivery.last_error = repr(exc)[:2000]
            if delivery.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                delivery.transition_to(DeliveryStatus.DEAD)
            else:
                # From the failure, not from the start: a slow handler must not be due again at once.
                delivery.next_attempt_at = timezone.now() + retry_delay(attempts=delivery.attempts)
            delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "updated_at"])
            return False
        delivery.transition_to(DeliveryStatus.DELIVERED)
        delivery.delivered_at = timezone.now()
        delivery.save(update_fields=["attempts", "status", "delivered_at", "updated_at"])
        return True


@transaction.atomic
def delivery_retry(*, delivery_id: int, actor: User) -> Delivery:
    """Put a dead (or still pending) delivery back in the queue: due now, its count of attempts at 0.

    Locks the delivery row (waiting for a relay that is running it). Records who retried it and when;
    keeps ``last_error`` until the next attempt replaces it. Asks for a relay run after commit.
    Raises IllegalTransition for a delivery that was delivered; Delivery.DoesNotExist for an unknown id.
    """
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.transition_to(DeliveryStatus.PENDING)
    now = timezone.now()
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.retried_by = actor
    delivery.retried_at = now
    delivery.save(
        update_fields=["status", "attempts", "next_attempt_at", "retried_by", "retried_at", "updated_at"]
    )
    _kick_relay_on_commit()
    return delivery


@transaction.atomic
def notify(
    *,
    event: OutboxEvent,
    message: str,
    url: str = "",
    user_ids: Iterable[int] = (),
    roles: Iterable[str] = (),
    location_id: int | None = None,
) -> int:
    """Tell people about ``event`` in the app; for subscribers. Returns how many notifications are new.

    Recipients are the active users among ``user_ids`` and the active holders of any of ``roles`` — of
    those, only the ones posted at ``location_id`` when it is given (it does not narrow ``user_ids``).
    Safe to repeat: one notification per event and user, so a second subscriber of the same event that
    notifies the same user adds nothing. A message longer than 500 characters is cut.
    """
    recipients = set(
        notification_recipients(user_ids=user_ids, roles=roles, location_id=location_id).values_list(
            "pk", flat=True
        )
    )
    if not recipients:
        return 0
    told = set(
        Notification.objects.filter(event=event, user_id__in=recipients).values_list("user_id", flat=True)
    )
    new = [
        Notification(user_id=user_id, event=event, message=message[:500], url=url)
        for user_id in sorted(recipients - told)
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
