from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "mpp.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from mpp.audit.triggers import install_append_only_triggers

        # Repeated after every migrate (and after test flushes), so history tables added by later
        # migrations get the trigger too. Idempotent.
        post_migrate.connect(install_append_only_triggers, dispatch_uid="mpp.audit.append_only")
