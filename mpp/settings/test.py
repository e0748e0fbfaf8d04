"""Settings for the test suite: the real PostgreSQL and Redis, with a Redis database of our own."""

import datetime as dt

from mpp.settings.base import *  # noqa: F403
from mpp.settings.base import env

DEBUG = False
SECRET_KEY = "test-only-key"
# Tests use their own Redis database number and never flush the whole server.
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/13")
CELERY_BROKER_URL = REDIS_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders in tests (the live server for browser tests, no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The lockout and token tests write out the policy (5 failures, 15 minutes, 30 days); a developer's .env must
# not change it under them.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
TRUSTED_PROXY_COUNT = 0
API_TOKEN_TTL_DAYS = 30
API_TOKEN_MAX_DAYS = 365
