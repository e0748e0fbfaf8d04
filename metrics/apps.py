from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """The program metrics (RULES.md M1-M5): read-only selectors and pages. It imports the domain apps;
    nothing imports it."""

    name = "metrics"
    verbose_name = "Metrics: M1-M5, as of a chosen date"
