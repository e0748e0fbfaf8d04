"""Who looked at which records: sensitive personal data, so reads are logged too (append-only)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AccessLog(models.Model):
    """One read: who (``user``), what (``object_type`` and the ids shown, in the order shown), when
    (``at``), from where (``ip_address``) and how (``channel``, ``method``, ``path``).

    One row per request, however many records it showed: a list page or an API page names all of its rows.
    A request that showed no record writes no row. Find who saw a record with
    ``AccessLog.objects.filter(object_type="case", object_ids__contains=[str(pk)])`` (GIN index).
    """

    class Channel(models.TextChoices):
        PAGE = "page", "Browser page"
        API = "api", "REST API"
        ADMIN = "admin", "Django admin"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    method = models.CharField(max_length=8)
    object_type = models.CharField(max_length=64)
    object_ids = ArrayField(models.CharField(max_length=64))
    path = models.CharField(max_length=500)
    # The client's address as the login lockout counts it (settings.AXES_CLIENT_IP_CALLABLE); null when the
    # request carried none that parses.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "-at"], name="accesslog_type_idx"),
            GinIndex(fields=["object_ids"], name="accesslog_object_ids_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="accesslog_names_records", condition=models.Q(object_ids__len__gt=0))
        ]

    def __str__(self) -> str:
        shown = ",".join(self.object_ids[:5]) + ("…" if len(self.object_ids) > 5 else "")
        return f"{self.user_id} {self.object_type}:{shown} at {self.at:%Y-%m-%d %H:%M}"
