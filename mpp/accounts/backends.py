"""The sign-in backend: Django's ModelBackend, loading the user of a session with its roles and duty
locations in one query (``mpp.accounts.selectors.user_with_access``) instead of three.

Issue step 5 asked that the fixed cost of a request not be 3–4 queries (session, user, groups, duty
locations). Roles are read with the user on every request rather than cached across requests, so taking a
role or a duty location away takes effect on the user's next request, with nothing to invalidate.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from mpp.accounts.models import User
from mpp.accounts.selectors import user_with_access


class AccessLoadingBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):  # a session that does not hold a user id: signed out
            return None
        user = user_with_access(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
