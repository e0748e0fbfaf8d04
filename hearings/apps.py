from django.apps import AppConfig


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = "Hearings: slots, NTAs, tear sheets, printing"

    def ready(self) -> None:
        from hearings import subscribers
        from hearings.workflow import register

        register()
        subscribers.register()
