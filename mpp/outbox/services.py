"""Writing events, and delivering them to their consumers (in-app notifications)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from mpp.outbox.models import Notification, OutboxEvent

if TYPE_CHECKING:
    from mpp.accounts.models import User

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 100


def outbox_emit(
    *,
    event: str,
    case_id: int | None = None,
    data: dict[str, Any] | None = None,
    notify_roles: list[str] | None = None,
    notify_location_id: int | None = None,
    notify_user_ids: list[int] | None = None,
    message: str = "",
    url: str = "",
) -> OutboxEvent:
    """Write an event in the caller's transaction and ask for a relay run once it commits.

    Must be called inside the transaction that makes the change, so the change and its event commit or
    roll back together. If Redis is down at commit time the kick fails quietly and the scheduled relay
    delivers the event later.
    """
    payload: dict[str, Any] = {"data": data or {}}
    if notify_roles or notify_user_ids:
        payload["notify"] = {
            "roles": list(notify_roles or []),
            "location_id": notify_location_id,
            "user_ids": list(notify_user_ids or []),
            "message": message,
            "url": url,
        }
    created = OutboxEvent.objects.create(event=event, case_id=case_id, payload=payload)
    # One relay run per transaction is enough, however many events it wrote.
    if not any(callback is _kick_relay for _, callback, *_ in connection.run_on_commit):
        transaction.on_commit(_kick_relay)
    return created


def _kick_relay() -> None:
    from mpp.outbox.tasks import relay_outbox

    try:
        relay_outbox.delay()
    except Exception:  # broker unreachable: the periodic relay picks the event up later
        logger.warning("outbox: could not reach the broker; the scheduled relay will deliver", exc_info=True)


def notification_recipients(notify: dict[str, Any]) -> list[User]:
    user_model = get_user_model()
    who = Q(pk__in=notify.get("user_ids") or [])
    roles = notify.get("roles") or []
    if roles:
        by_role = Q(groups__name__in=roles)
        if notify.get("location_id"):
            by_role &= Q(duty_locations__pk=notify["location_id"])
        who |= by_role
    return list(user_model.objects.filter(who, is_active=True).distinct().order_by("pk"))


def outbox_event_deliver(*, event: OutboxEvent) -> int:
    """Create the event's notifications; safe to repeat (one per event and user). Returns how many are new."""
    notify = event.payload.get("notify")
    if not notify:
        return 0
    recipients = notification_recipients(notify)
    existing = set(Notification.objects.filter(event=event).values_list("user_id", flat=True))
    new = [
        Notification(
            user=user, event=event, message=notify.get("message", "")[:500], url=notify.get("url", "")
        )
        for user in recipients
        if user.pk not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def outbox_relay(*, batch_size: int = RELAY_BATCH_SIZE) -> int:
    """Deliver pending events, oldest first, in one bounded batch. Returns how many were processed.

    Each event is locked with SKIP LOCKED, so two relays running at once never deliver the same event
    concurrently; a failing event records its error and is retried by the next run.
    """
    processed = 0
    for _ in range(batch_size):
        with transaction.atomic():
            event = (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(processed_at__isnull=True)
                .order_by("id")
                .first()
            )
            if event is None:
                break
            try:
                with transaction.atomic():
                    outbox_event_deliver(event=event)
            except Exception as exc:
                logger.exception("outbox: delivering %s failed", event)
                event.attempts += 1
                event.last_error = repr(exc)[:2000]
                event.save(update_fields=["attempts", "last_error"])
                continue
            event.attempts += 1
            event.processed_at = timezone.now()
            event.save(update_fields=["attempts", "processed_at"])
            processed += 1
    return processed


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
