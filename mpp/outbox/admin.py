from django.contrib import admin

from mpp.outbox.models import Notification, OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "case_id", "created_at", "processed_at", "attempts")
    list_filter = ("event",)
    readonly_fields = ("event", "payload", "case_id", "created_at", "processed_at", "attempts", "last_error")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "message", "created_at", "read_at")
    raw_id_fields = ("user", "event")
