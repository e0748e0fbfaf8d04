"""Reads of the accounts app."""

from __future__ import annotations

from mpp.accounts.models import ApiToken


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The token whose secret this is, with its user, or None. Looked up by the secret's hash only."""
    return ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_secret(secret)).first()
