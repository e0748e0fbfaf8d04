"""The transactional outbox and the in-app notifications it feeds."""

from django.conf import settings
from django.db import models


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it reports; the relay delivers it later.

    ``payload["notify"]`` (optional) says who is told: ``{"roles": [...], "location_id": id|None,
    "user_ids": [...], "message": str, "url": str}``. Keeping the audience in the event keeps ``mpp``
    free of imports from the domain apps.
    """

    event = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    case_id = models.BigIntegerField(null=True, blank=True, help_text="The case this event concerns, if any.")
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], name="outbox_pending_idx", condition=models.Q(processed_at__isnull=True)
            ),
            models.Index(fields=["case_id"], name="outbox_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


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
            # Delivering an event twice (a retried task, two relays) creates each notification once.
            models.UniqueConstraint(fields=["event", "user"], name="notification_once_per_event_user"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_idx")]

    def __str__(self) -> str:
        return self.message
