"""The MPP platform package: settings, root URLs, the Celery app and the shared platform apps."""

from mpp.celery import app as celery_app

__all__ = ["celery_app"]
