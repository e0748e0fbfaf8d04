"""``/healthz``: 200 when PostgreSQL and Redis answer, 503 naming the one that failed.

Anyone may call it (the compose health check, a load balancer), so the answer says only which service is
down. Why it is down (host, port, the exception) goes to the server log.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return False
    return True


def _redis_answers() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception:
        logger.exception("Health check: Redis did not answer")
        return False
    return True


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    services = {
        "database": "ok" if _database_answers() else "fail",
        "redis": "ok" if _redis_answers() else "fail",
    }
    healthy = all(state == "ok" for state in services.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "services": services}, status=200 if healthy else 503
    )
