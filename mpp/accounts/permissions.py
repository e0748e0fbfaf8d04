"""Deny-by-default role permissions for the REST API.

Every API view declares ``allowed_roles``: a mapping from a viewset action (``list``, ``retrieve``,
``create``, a custom ``@action`` name) or, for plain API views, an HTTP method in lower case, to the set of
role names admitted. Anything not listed is refused with 403, including for superusers without a role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # importing rest_framework.views here at run time would be circular
    from rest_framework.request import Request
    from rest_framework.views import APIView


def allowed_roles_for(view: APIView, request: Request) -> frozenset[str]:
    table: Mapping[str, frozenset[str] | set[str]] = getattr(view, "allowed_roles", {})
    key = getattr(view, "action", None) or (request.method or "").lower()
    return frozenset(table.get(key, ()))


class RolePermission(BasePermission):
    message = "Your role is not allowed to do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return bool(user.role_names & allowed_roles_for(view, request))
