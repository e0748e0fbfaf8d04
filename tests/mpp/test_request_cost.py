"""Step 5: the fixed cost of a signed-in request. The user's roles and duty locations are read with the user
in one query (mpp.accounts.backends.AccessLoadingBackend), not in queries of their own on every request; and
they are fresh on every request, so a role taken away stops working on the next one."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mpp.accounts.models import ApiToken, Location
from mpp.accounts.roles import Role
from mpp.accounts.selectors import api_token_for_secret, users_with_access
from mpp.accounts.services import api_token_create
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_page_reads_session_then_user_with_roles_and_locations_in_one_query(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "lrd-poe"])
    client.force_login(officer)

    response, queries = _queries_of(client, "/search/")

    assert response.status_code == 200
    assert "django_session" in queries[0]
    assert "accounts_user_groups" in queries[1] and "accounts_user_duty_locations" in queries[1]
    # Nothing after the user query reads the user's groups or duty locations again.
    later = queries[2:]
    assert not [q for q in later if "accounts_user_groups" in q or "accounts_user_duty_locations" in q]


def test_the_loaded_roles_and_locations_are_the_users_own():
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "lrd-poe"])
    officer.groups.add(Group.objects.get(name=Role.PRINT_STAFF))

    loaded = users_with_access().get(pk=officer.pk)

    with CaptureQueriesContext(connection) as ctx:
        roles, locations = loaded.role_names, loaded.duty_location_ids
    assert ctx.captured_queries == []
    assert roles == {Role.CBP_OFFICER, Role.PRINT_STAFF}
    assert locations == set(
        Location.objects.filter(code__in=["sys-poe", "lrd-poe"]).values_list("pk", flat=True)
    )


def test_a_user_without_roles_or_locations_loads_empty_sets():
    from tests.factories import UserFactory

    nobody = users_with_access().get(pk=UserFactory().pk)

    assert nobody.role_names == frozenset()
    assert nobody.duty_location_ids == frozenset()


def test_a_role_taken_away_takes_effect_on_the_next_request(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    client.force_login(officer)
    assert client.get("/search/").status_code == 200

    officer.groups.remove(Group.objects.get(name=Role.CBP_OFFICER))

    assert client.get("/search/").status_code == 403


def test_an_inactive_user_is_signed_out_on_the_next_request(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    client.force_login(officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    response = client.get("/search/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_api_token_loads_its_user_with_roles_and_locations_in_one_query(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    token, secret = api_token_create(user=officer, name="bench")

    with CaptureQueriesContext(connection) as ctx:
        found = api_token_for_secret(secret)
        assert found is not None
        roles, locations = found.user.role_names, found.user.duty_location_ids
    assert len(ctx.captured_queries) == 1
    assert roles == {Role.CBP_OFFICER}
    assert locations == {Location.objects.get(code="sys-poe").pk}
    assert isinstance(token, ApiToken)


def test_the_sign_in_backend_and_the_queryset_load_the_same_roles_and_locations():
    from mpp.accounts.selectors import user_with_access

    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "lrd-poe"])
    officer.groups.add(Group.objects.get(name=Role.PRINT_STAFF))

    raw = user_with_access(officer.pk)
    orm = users_with_access().get(pk=officer.pk)

    assert raw == officer
    assert (raw.role_names, raw.duty_location_ids) == (orm.role_names, orm.duty_location_ids)
    assert user_with_access(10**9) is None
