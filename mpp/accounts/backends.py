"""The sign-in backend: Django's ModelBackend, loading the user of a session with its roles and duty
locations in one query (``mpp.accounts.selectors.user_with_access``) instead of three — or in none, when the
session store read the user with the session (``mpp.sessions``) and offered it for this request.

Issue step 5 asked that the fixed cost of a request not be 3–4 queries (session, user, groups, duty
locations). Roles are read with the user on every request rather than cached across requests, so taking a
role or a duty location away takes effect on the user's next request, with nothing to invalidate.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.signals import request_finished

from mpp.accounts.models import User
from mpp.accounts.selectors import user_with_access

# The user the session store read with this request's session (mpp.sessions), until the backend takes it.
_offered: ContextVar[User | None] = ContextVar("mpp_session_user", default=None)


def offer_user(user: User | None) -> None:
    """The session store's hand-over: the user whose id the session row names, read with the session, with
    roles and duty locations (``users_with_access``' arrays). None withdraws an earlier offer."""
    _offered.set(user)


def _offered_user(pk: int) -> User | None:
    """The offered user when it is the one asked for (taken once: a later ask reads the database)."""
    user = _offered.get()
    _offered.set(None)
    return user if user is not None and user.pk == pk else None


def _withdraw(**_: Any) -> None:
    _offered.set(None)


# Nothing offered outlives its request (the session store offers again when the next request loads its own).
request_finished.connect(_withdraw, dispatch_uid="mpp.accounts.backends.withdraw")


class AccessLoadingBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):  # a session that does not hold a user id: signed out
            return None
        user = _offered_user(pk) or user_with_access(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
