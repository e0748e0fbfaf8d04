from django.apps import AppConfig
from django.core import checks


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases: people, families, encounters and the case lifecycle"

    def ready(self) -> None:
        from cases import subscribers
        from cases.checks import check_every_move_has_an_owner
        from cases.registry import register_core_event_types

        register_core_event_types()
        subscribers.register()
        checks.register(check_every_move_has_an_owner)
