"""Reads of the accounts app."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet

from mpp.accounts.models import ApiToken, Location, User


def _access_arrays(user_ref: str) -> dict[str, ArraySubquery]:
    """The user's role (group) names and duty location ids as two arrays, for one query per request."""
    return {
        "access_roles": ArraySubquery(
            Group.objects.filter(user=OuterRef(user_ref)).order_by("name").values("name")
        ),
        "access_location_ids": ArraySubquery(
            Location.objects.filter(staff=OuterRef(user_ref)).order_by("pk").values("pk")
        ),
    }


def users_with_access() -> QuerySet[User]:
    """Users with their roles and duty locations loaded in the same query (``User.role_names`` and
    ``User.duty_location_ids`` read them): what the sign-in backend loads on every request."""
    return User.objects.annotate(**_access_arrays("pk"))


# The tables of User, Group and the two many-to-many relations (tests/mpp/test_request_cost.py checks that
# this loads what ``users_with_access`` loads).
# The columns of a user ``u`` with its access arrays (also read with the session: mpp.sessions).
USER_WITH_ACCESS_COLUMNS = """u.*,
    ARRAY(SELECT g.name FROM auth_group g JOIN accounts_user_groups ug ON ug.group_id = g.id
          WHERE ug.user_id = u.id ORDER BY g.name) AS access_roles,
    ARRAY(SELECT dl.location_id FROM accounts_user_duty_locations dl
          WHERE dl.user_id = u.id ORDER BY dl.location_id) AS access_location_ids"""
_USER_WITH_ACCESS_SQL = f"SELECT {USER_WITH_ACCESS_COLUMNS} FROM accounts_user u WHERE u.id = %s"  # noqa: S608


def user_with_access(user_id: int) -> User | None:
    """One user with roles and duty locations, as ``users_with_access`` loads them, in plain SQL: this runs
    on every signed-in request, and compiling the ORM query cost more than running it (step 5)."""
    return next(iter(User.objects.raw(_USER_WITH_ACCESS_SQL, [user_id])), None)


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The token whose secret this is, with its user and the user's roles and duty locations, or None (one
    query). Looked up by the secret's hash only."""
    token = (
        ApiToken.objects.select_related("user")
        .annotate(**_access_arrays("user_id"))
        .filter(key_hash=ApiToken.hash_secret(secret))
        .first()
    )
    if token is not None:
        token.user.access_roles = token.access_roles  # type: ignore[attr-defined]
        token.user.access_location_ids = token.access_location_ids  # type: ignore[attr-defined]
    return token
