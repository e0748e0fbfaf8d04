"""Settings shared by every environment. Every value comes from the environment (django-environ).

``DEBUG`` is off unless the environment says otherwise. The development defaults for the database and
Redis point at the local services; production.py refuses to start without real values.
"""

import datetime as dt
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Only used for local development and tests; production.py requires SECRET_KEY from the environment.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "mpp.accounts",
    "mpp.audit",
    "mpp.outbox",
    "cases",
    "screenings",
    "hearings",
    "metrics",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policy too (an SVG opened directly cannot run script).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mpp.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mpp.urls"
WSGI_APPLICATION = "mpp.wsgi.application"
ASGI_APPLICATION = "mpp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "mpp.accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mpp")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Prepared statements: psycopg prepares a query it has run DB_PREPARE_THRESHOLD times on a connection
# (server-side binding), so PostgreSQL stops planning it on every request. Planning the case page's query
# (eight tables joined) took 5–9 ms against 0.3–0.5 ms to run it at 500k cases; with this the case page went
# from about 64 to 48 ms p50 (step 5, docs/performance.md). Off behind a transaction-pooling PgBouncer:
# DB_SERVER_SIDE_BINDING=false.
DATABASE_OPTIONS = {
    "server_side_binding": env.bool("DB_SERVER_SIDE_BINDING", default=True),
    "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=5),
}
DATABASES["default"]["OPTIONS"] = dict(DATABASE_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes first: it refuses a locked-out username or address before any password is checked.
# The session and its user (roles, duty locations, the unread badge) in one query: mpp.sessions.
SESSION_ENGINE = "mpp.sessions"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "mpp.accounts.backends.AccessLoadingBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mpp.accounts.validators.DistinctCharactersValidator", "OPTIONS": {"min_distinct": 5}},
]

# Login lockout (django-axes, database handler: the attempts are rows, listed in the admin). A username is
# locked after AXES_FAILURE_LIMIT failures from any address, and an address after as many failures for any
# usernames; either lock lifts AXES_COOLOFF_MINUTES after the failure that set it. Further attempts during the
# lock are refused without extending it, so "try again in 15 minutes" stays true.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The sign-in page with the lockout explained (429), not axes' plain-text answer.
AXES_LOCKOUT_CALLABLE = "mpp.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mpp.accounts.lockout.client_ip_address"
# Behind a reverse proxy REMOTE_ADDR is the proxy's: every failure would count against one address and lock
# everyone out. Set this to the number of proxies you run that append to X-Forwarded-For (0: none, the client
# connects to gunicorn directly). Never more than you run: the client writes the rest of that header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# The tear sheet's page size (hearings.documents): "letter" or "a4".
TEAR_SHEET_PAPER = env("TEAR_SHEET_PAPER", default="letter")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content Security Policy (Django's own middleware): only this site's scripts, styles and images, scripts and
# <style> blocks written inline only with the per-response nonce ({{ csp_nonce }}), no plugins, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Celery: JSON only; a task is acknowledged after it ran and re-queued if its worker dies (STYLE rule 7).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Bound every wait on Redis: after a commit, the request publishes the relay kick and must not hang when
# Redis is down (refused at once) or accepts but does not answer (socket timeout). The worker and beat
# reconnect on their own schedule; these only cap how long each attempt may take.
_broker_timeout = env.float("BROKER_SOCKET_TIMEOUT", default=0.5)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": _broker_timeout,
    "socket_timeout": _broker_timeout,
}
CELERY_BROKER_CONNECTION_TIMEOUT = _broker_timeout
CELERY_TIMEZONE = "UTC"
# The relay runs after every commit that wrote deliveries, and again on this schedule, so an event written
# while Redis was down is still delivered once Redis is back, and failed deliveries are retried when due.
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "mpp.outbox.relay", "schedule": env.float("OUTBOX_RELAY_SECONDS", default=30.0)},
}
# A failed delivery is tried again after BASE, 2×BASE, 4×BASE … seconds (at most CAP apart); after
# MAX_ATTEMPTS attempts it is dead and waits in the admin's dead-letter list for a retry by hand.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_CAP_SECONDS = env.int("OUTBOX_RETRY_CAP_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# API tokens (manage.py api_token_create): valid this many days unless --days says otherwise, never longer
# than the maximum. A token also stops working when revoked or when its user is deactivated.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Expiring, revocable tokens; only a SHA-256 of each secret is stored (mpp.accounts.models.ApiToken).
        "mpp.accounts.authentication.ApiTokenAuthentication",
    ],
    # Deny by default: every view must name the roles it admits (mpp.accounts.permissions.RolePermission).
    "DEFAULT_PERMISSION_CLASSES": ["mpp.accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mpp.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MPP case management API",
    "DESCRIPTION": (
        "Cases of the Migrant Protection Protocols. Every endpoint names the roles it admits; "
        "everyone else gets 403. Illegal status changes get 409 with a reason code."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO: seven lines per tear sheet in the worker's log.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
