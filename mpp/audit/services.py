"""Writes of the audit app, and the one helper that stamps actor and reason on a tracked model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model

from mpp.audit.models import AccessLog

if TYPE_CHECKING:
    from mpp.accounts.models import User


def history_stamp(instance: Model, *, actor: User | None, reason: str) -> None:
    """Set who and why on the history row the next save of ``instance`` writes.

    Works with or without a request (Celery tasks, management commands): simple-history reads these
    attributes before falling back to the request's user.
    """
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


def access_log_record(*, user: User, channel: str, object_type: str, object_id: object, path: str) -> None:
    AccessLog.objects.create(
        user=user, channel=channel, object_type=object_type, object_id=str(object_id), path=path[:500]
    )


def access_log_record_many(
    *, user: User, channel: str, object_type: str, object_ids: list[object], path: str
) -> None:
    """One INSERT for a list of records shown together (search results)."""
    AccessLog.objects.bulk_create(
        [
            AccessLog(user=user, channel=channel, object_type=object_type, object_id=str(pk), path=path[:500])
            for pk in object_ids
        ]
    )
