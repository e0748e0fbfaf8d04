from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "mpp.outbox"
    label = "outbox"
    verbose_name = "Outbox events and notifications"
