"""Who looked at which record: sensitive personal data, so reads are logged too (append-only)."""

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    class Channel(models.TextChoices):
        PAGE = "page", "Browser page"
        API = "api", "REST API"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="accesslog_object_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.object_type}:{self.object_id} at {self.at:%Y-%m-%d %H:%M}"
