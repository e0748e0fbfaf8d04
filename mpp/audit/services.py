"""Writes of the audit app: the access log, and the one helper that stamps actor and reason on a tracked
model."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Model
from django.http import HttpRequest

from mpp.audit.models import AccessLog

if TYPE_CHECKING:
    from rest_framework.request import Request

    from mpp.accounts.models import User


def history_stamp(instance: Model, *, actor: User | None, reason: str) -> None:
    """Set who and why on the history row the next save of ``instance`` writes.

    Works with or without a request (Celery tasks, management commands): simple-history reads these
    attributes before falling back to the request's user.
    """
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


def client_ip(request: HttpRequest | Request) -> str | None:
    """The client's address as the login lockout sees it (``AXES_CLIENT_IP_CALLABLE``: the peer, or the
    address our own proxies forwarded), so the access log and the lockout name the same address."""
    # Imported here: axes.helpers imports axes' models, and history_stamp must stay importable early.
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def access_log_record(
    *,
    user: User,
    request: HttpRequest | Request,
    channel: str,
    object_type: str,
    object_ids: Iterable[object],
) -> AccessLog | None:
    """Record that ``user`` was shown the records ``object_ids`` (one INSERT, one row, for a list too).

    Who, what (the ids in the order shown, each once), when, and from where: the client's address, the
    method and the path of ``request`` (never its query string: searches carry names and A-numbers).
    A read that showed nobody writes no row and returns None.
    """
    ids = list(dict.fromkeys(str(pk) for pk in object_ids))
    if not ids:
        return None
    return AccessLog.objects.create(
        user=user,
        channel=channel,
        method=(request.method or "")[:8],
        object_type=object_type,
        object_ids=ids,
        path=request.path[:500],
        ip_address=client_ip(request),
    )
