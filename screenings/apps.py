from django.apps import AppConfig


class ScreeningsConfig(AppConfig):
    name = "screenings"
    verbose_name = "Screenings: amenability, medical, fear assessments"

    def ready(self) -> None:
        from screenings import subscribers
        from screenings.workflow import register

        register()
        subscribers.register()
