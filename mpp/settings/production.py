"""Production: no defaults for secrets or hosts; HTTPS everywhere.

``manage.py check --deploy --fail-level WARNING`` passes with real values in the environment.
"""

from django.core.exceptions import ImproperlyConfigured

from mpp.settings.base import *  # noqa: F403
from mpp.settings.base import DATABASE_OPTIONS, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
# Persistent connections, checked before each request reuses one (Django's CONN_HEALTH_CHECKS): a worker keeps
# its connection, so its prepared statements and the PostgreSQL backend's caches serve thousands of requests.
# With a 60 s lifetime, every minute each endpoint's first ~25 requests on the new connection paid for
# preparing its statements and warming the backend again (the API NTA list: 18-30 ms against 11-13 ms once
# warm, 2026-12-04). CONN_MAX_AGE=<seconds> sets a lifetime instead (e.g. behind PgBouncer).
_conn_max_age = env("CONN_MAX_AGE", default="persistent")
DATABASES["default"]["CONN_MAX_AGE"] = None if _conn_max_age == "persistent" else int(_conn_max_age)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["OPTIONS"] = dict(DATABASE_OPTIONS)  # prepared statements: see settings.base
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
