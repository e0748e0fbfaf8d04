"""The event bus: events written in the same transaction as the change they report, one delivery per
subscriber of the event, and the in-app notifications that subscribers create."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from mpp.exceptions import IllegalTransition


class OutboxEvent(models.Model):
    """A fact about a change, written in the transaction that makes the change.

    It carries its name, the case it concerns and ``payload`` (the emitter's ``data``); it says nothing
    about who reacts to it. Whoever subscribed to the name (``mpp.outbox.services.subscribe``) gets one
    ``Delivery`` row, written with the event, which the relay works through.

    Events written before the bus (migration 0002) have no deliveries: the old relay had already turned
    them into notifications. Their payload keeps its old shape, ``{"data": {...}, "notify": {...}}``.
    """

    event = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    case_id = models.BigIntegerField(null=True, blank=True, help_text="The case this event concerns, if any.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case_id"], name="outbox_case_idx")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead (gave up; retry by hand)"


# The moves a delivery's status may make, checked in one place (Delivery.transition_to). pending → pending
# is a retry by hand of a delivery that is still being retried (its count of attempts starts again).
DELIVERY_TRANSITIONS = frozenset(
    {
        (DeliveryStatus.PENDING, DeliveryStatus.DELIVERED),
        (DeliveryStatus.PENDING, DeliveryStatus.DEAD),
        (DeliveryStatus.PENDING, DeliveryStatus.PENDING),
        (DeliveryStatus.DEAD, DeliveryStatus.PENDING),
    }
)


class Delivery(models.Model):
    """One subscriber's handling of one event: pending until its handler ran once without raising.

    A failed attempt is retried later, with a growing delay; after the last attempt the delivery is dead
    and waits in the dead-letter list (the admin, filtered on dead) for someone to retry it.
    """

    # No index of its own: the unique (event, subscriber) index serves lookups by event.
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    subscriber = models.CharField(max_length=200, help_text="The name the subscriber registered under.")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retried_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscriber"], name="delivery_once_per_event_subscriber"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=DeliveryStatus.DELIVERED, delivered_at__isnull=False)
                | (~models.Q(status=DeliveryStatus.DELIVERED) & models.Q(delivered_at__isnull=True)),
                name="delivery_delivered_at_iff_delivered",
            ),
        ]
        indexes = [
            # The relay's query: due pending rows, in the order it takes them.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="delivery_due_idx",
                condition=models.Q(status=DeliveryStatus.PENDING),
            ),
            # The dead-letter list stays cheap however many delivered rows pile up.
            models.Index(
                fields=["id"], name="delivery_dead_idx", condition=models.Q(status=DeliveryStatus.DEAD)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} ← event #{self.event_id} ({self.status})"

    def transition_to(self, status: DeliveryStatus) -> None:
        """Set ``status`` if the move is in DELIVERY_TRANSITIONS; raise IllegalTransition naming both if not."""
        if (self.status, status) not in DELIVERY_TRANSITIONS:
            raise IllegalTransition(
                f"A delivery cannot go from {self.get_status_display().lower()} to {status.label.lower()}.",
                code="illegal_delivery_transition",
            )
        self.status = status


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="notifications")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Delivering an event twice (a retried delivery, two relays) creates each notification once.
            models.UniqueConstraint(fields=["event", "user"], name="notification_once_per_event_user"),
        ]
        indexes = [
            # The notifications page: a user's notifications newest first, 50 a page by keyset (filter and
            # order, the id included, in one index range).
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_page_idx"),
            # The header's unread badge, counted on every page: only the unread rows are in it.
            models.Index(
                fields=["user"], name="notification_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.message
