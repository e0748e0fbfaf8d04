"""API authentication by expiring, revocable tokens (mpp.accounts.models.ApiToken).

A subclass of DRF's TokenAuthentication for its header parsing (``Authorization: Token <secret>``) and its
OpenAPI description; the credentials are checked against ApiToken instead of DRF's plain, eternal tokens.
The refusal says why (code ``token_expired``, ``token_revoked``, ``token_invalid`` or ``user_inactive``, and a
sentence), so an integrator knows to ask for a new token.
Session authentication is listed first in REST_FRAMEWORK, so refusals are 403, as for other missing
credentials.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from mpp.accounts.models import ApiToken, User
from mpp.accounts.selectors import api_token_for_secret
from mpp.accounts.services import api_token_record_use


def _refusal(code: str, detail: str) -> AuthenticationFailed:
    # The reason travels as the detail's code (ErrorDetail.code) for the API's exception handler to show.
    return AuthenticationFailed(detail, code=code)


def _utc(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = api_token_for_secret(key)
        now = timezone.now()
        if token is None:
            raise _refusal("token_invalid", "Invalid token.")
        if token.revoked_at is not None:
            raise _refusal(
                "token_revoked",
                f"This token was revoked on {_utc(token.revoked_at)}. Ask an administrator for a new one.",
            )
        if token.state_at(now) == ApiToken.State.EXPIRED:
            raise _refusal(
                "token_expired",
                f"This token expired on {_utc(token.expires_at)}. Ask an administrator for a new one.",
            )
        if not token.user.is_active:
            raise _refusal("user_inactive", "The account this token belongs to is deactivated.")
        api_token_record_use(token=token, at=now)
        return token.user, token
