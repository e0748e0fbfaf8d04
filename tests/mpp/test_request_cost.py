"""Step 5: the fixed cost of a signed-in request. The user's roles and duty locations are read with the user
in one query (mpp.accounts.backends.AccessLoadingBackend), not in queries of their own on every request; and
they are fresh on every request, so a role taken away stops working on the next one."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mpp.accounts.models import ApiToken, Location, Session
from mpp.accounts.roles import Role
from mpp.accounts.selectors import api_token_for_secret, users_with_access
from mpp.accounts.services import api_token_create
from mpp.outbox.models import Notification, OutboxEvent
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_page_reads_its_session_user_roles_locations_and_badge_in_one_query(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "lrd-poe"])
    client.force_login(officer)

    response, queries = _queries_of(client, "/search/")

    assert response.status_code == 200
    first = queries[0]
    assert "accounts_session" in first and "accounts_user_groups" in first
    assert "accounts_user_duty_locations" in first and "outbox_notification" in first
    # Nothing after it reads the user, its groups, its duty locations or its unread count again.
    later = queries[1:]
    assert not [
        q
        for q in later
        if "accounts_user_groups" in q
        or "accounts_user_duty_locations" in q
        or "outbox_notification" in q
        or 'FROM "accounts_user"' in q
    ], later


def test_the_session_row_names_its_user_and_an_anonymous_session_nobody(client):
    from mpp.sessions import SessionStore

    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    anonymous = SessionStore()
    anonymous["seen"] = True  # a session nobody signed in to, saved
    anonymous.save()

    client.force_login(officer)

    assert Session.objects.get(session_key=anonymous.session_key).user_id is None
    assert Session.objects.get(session_key=client.session.session_key).user_id == officer.pk


def test_the_session_data_not_the_column_says_who_is_signed_in(client):
    # The column only spares a query: a session row whose column names someone else (edited by hand, say)
    # still signs in the user of the session data, read on its own.
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    other = user_with_role(Role.COURT_STAFF)
    client.force_login(officer)
    Session.objects.filter(session_key=client.session.session_key).update(user=other)

    response, queries = _queries_of(client, "/notifications/")

    assert response.status_code == 200
    assert response.wsgi_request.user.pk == officer.pk
    assert any("FROM accounts_user u WHERE u.id" in q for q in queries)  # read apart: the offer refused


def test_a_changed_password_signs_the_session_out(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    client.force_login(officer)
    officer.set_password("a new passphrase for the test 9")
    officer.save()

    response = client.get("/search/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_expired_session_is_signed_out(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    client.force_login(officer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/search/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_badge_counts_unread_notifications_with_the_session_and_again_after_a_post(client):
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    for i in range(3):
        _notify(officer, f"Message {i}")
    _notify(user_with_role(Role.CBP_OFFICER), "Not yours")
    client.force_login(officer)

    page = client.get("/search/")
    first = Notification.objects.filter(user=officer).order_by("id").first()
    assert first is not None
    marked = client.post(f"/notifications/{first.pk}/read", follow=True)

    assert page.context["request"].user.preloaded_unread == 3
    assert _badge(page) == "3"
    assert marked.status_code == 200 and _badge(marked) == "2"


def test_after_a_post_the_badge_is_counted_again_not_taken_from_the_session(rf):
    from cases.templatetags.ui import unread_notifications

    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    _notify(officer, "Message")
    officer.preloaded_unread = 7  # what the session query counted at the start of the request
    get, post = rf.get("/"), rf.post("/")
    get.user = post.user = officer

    assert unread_notifications({"request": get}) == 7
    assert unread_notifications({"request": post}) == 1


def _notify(user, message: str) -> Notification:
    return Notification.objects.create(
        user=user, event=OutboxEvent.objects.create(event="test.event"), message=message, url="/"
    )


def _badge(response) -> str:
    import re

    found = re.search(r'data-testid="unread-count">(\d+\+?)', response.content.decode())
    assert found, "no unread badge on the page"
    return found.group(1)


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
