"""The signed-in user of a request, typed as the project's ``User``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from mpp.accounts.models import User

if TYPE_CHECKING:  # importing rest_framework.request here at run time is not needed (annotations only)
    from rest_framework.request import Request


def signed_in_user(request: HttpRequest | Request) -> User:
    """``request.user`` where sign-in is already required: by ``login_required`` on a page, by
    ``RolePermission`` in the API. Django types ``request.user`` as ``User | AnonymousUser``; past those
    checks it is always a ``User``. Should a view ever lack its check, this refuses (403) instead of handing
    an anonymous user to a service.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
