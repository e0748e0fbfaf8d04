from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (``manage.py seed_demo``). It drives every domain app's services, so it lives at the top of
    the dependency order: it may import everything; nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
