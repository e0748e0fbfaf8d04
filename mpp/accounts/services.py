"""Writes of the accounts app: API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mpp.accounts.models import ApiToken, User
from mpp.exceptions import InvalidInput

# The secret: 32 random bytes, URL-safe base64 (43 characters). Guessing one is not a threat worth a lockout.
SECRET_BYTES = 32
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``user``, valid ``days`` days (default API_TOKEN_TTL_DAYS), and return it with its
    secret. Only the secret's SHA-256 is stored: the caller shows the secret once, it cannot be recovered.

    Raises InvalidInput for an inactive user, an empty name, or days outside 1..API_TOKEN_MAX_DAYS.
    """
    if not user.is_active:
        raise InvalidInput(f"{user.username} is deactivated; a token for them would not work.", field="user")
    name = name.strip()
    if not name:
        raise InvalidInput(
            "Name the token (what it is for, e.g. the integration that holds it).", field="name"
        )
    days = settings.API_TOKEN_TTL_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise InvalidInput(
            f"A token is valid from 1 to {settings.API_TOKEN_MAX_DAYS} days, not {days}.", field="days"
        )
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=ApiToken.hash_secret(secret),
        key_prefix=secret[:8],
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token_id: int, actor: User | None) -> ApiToken:
    """Revoke a token at once; ``actor`` is who did it (None: from the command line without --by).

    Locks the token row. Revoking a revoked token is a no-op and keeps the first revocation's time and actor.
    """
    token = ApiToken.objects.select_for_update().get(pk=token_id)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return token


@transaction.atomic
def api_token_revoke_all(*, user: User, actor: User | None) -> list[ApiToken]:
    """Revoke every token of ``user`` that is not revoked yet (an account thought compromised).

    Locks those token rows in id order; returns the tokens it revoked.
    """
    tokens = list(
        ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True).order_by("pk")
    )
    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return tokens


def api_token_record_use(*, token: ApiToken, at: dt.datetime) -> None:
    """Note that the token was used, at most once per LAST_USED_RESOLUTION (one UPDATE, no lock held).

    ApiToken keeps no history table, so a queryset update skips nothing; the filter makes concurrent
    requests write once.
    """
    if token.last_used_at is not None and token.last_used_at >= at - LAST_USED_RESOLUTION:
        return  # recorded recently: no query at all on most requests
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=at - LAST_USED_RESOLUTION)
    ).update(last_used_at=at)
