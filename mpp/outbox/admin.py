"""Events and deliveries are records of what happened: read-only here, no add, no delete. The one action is
retrying deliveries (the dead-letter list is the deliveries filtered on dead)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mpp.accounts.auth import signed_in_user
from mpp.exceptions import IllegalTransition
from mpp.outbox.models import Delivery, Notification, OutboxEvent
from mpp.outbox.services import delivery_retry, subscriber_names

DELIVERY_FIELDS = (
    "event",
    "subscriber",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "delivered_at",
    "retried_by",
    "retried_at",
    "created_at",
    "updated_at",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("subscriber", "status", "attempts", "next_attempt_at", "delivered_at", "last_error")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "case_id", "created_at", "deliveries_link")
    list_filter = ("event",)
    readonly_fields = ("event", "payload", "case_id", "created_at", "deliveries_link")
    inlines = (DeliveryInline,)
    show_full_result_count = False

    @admin.display(description="deliveries")
    def deliveries_link(self, event: OutboxEvent) -> SafeString:
        url = reverse("admin:outbox_delivery_changelist")
        return format_html('<a href="{}?event__id__exact={}">deliveries</a>', url, event.pk)


class SubscriberFilter(admin.SimpleListFilter):
    """The subscribers registered in this process (no DISTINCT over the whole table)."""

    title = "subscriber"
    parameter_name = "subscriber"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(name, name) for name in subscriber_names()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(subscriber=self.value()) if self.value() else queryset


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "event_name",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error_short",
    )
    list_filter = ("status", SubscriberFilter)
    list_select_related = ("event",)
    readonly_fields = DELIVERY_FIELDS
    fields = DELIVERY_FIELDS
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("retry_deliveries",)

    @admin.display(description="event", ordering="event__event")
    def event_name(self, delivery: Delivery) -> str:
        return f"{delivery.event.event} #{delivery.event_id}"

    @admin.display(description="last error")
    def last_error_short(self, delivery: Delivery) -> str:
        error = delivery.last_error
        return error if len(error) <= 80 else f"{error[:79]}…"

    @admin.action(description="Retry the selected deliveries", permissions=["change"])
    def retry_deliveries(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        actor = signed_in_user(request)
        retried, refused = 0, []
        for delivery_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                delivery_retry(delivery_id=delivery_id, actor=actor)
            except IllegalTransition:
                refused.append(delivery_id)
            else:
                retried += 1
        if retried:
            self.message_user(request, f"{retried} delivery(ies) queued again.", messages.SUCCESS)
        if refused:
            ids = ", ".join(str(pk) for pk in refused)
            self.message_user(request, f"Already delivered, not retried: {ids}.", messages.WARNING)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "message", "created_at", "read_at")
    raw_id_fields = ("user", "event")
