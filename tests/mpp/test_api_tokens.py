"""API tokens (mpp.accounts.ApiToken): only a SHA-256 of the secret is stored, the secret is shown once;
a token expires (30 days by default) and can be revoked, and a refused token says why."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from mpp.accounts.authentication import ApiTokenAuthentication
from mpp.accounts.models import ApiToken
from mpp.accounts.roles import Role
from mpp.accounts.services import api_token_create, api_token_revoke, api_token_revoke_all
from mpp.exceptions import InvalidInput
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- create -------------------------------------------------------------------------------------------


def test_only_the_hash_of_the_secret_is_stored(officer):
    token, secret = api_token_create(user=officer, name="Court scheduling sync")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(value) for value in stored.values()}
    assert stored["key_prefix"] == secret[:8]
    assert len(secret) >= 43  # 32 random bytes


def test_a_token_is_valid_30_days_by_default(officer):
    before = timezone.now()

    token, _ = api_token_create(user=officer, name="sync")

    assert before + dt.timedelta(days=30) <= token.expires_at <= timezone.now() + dt.timedelta(days=30)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_validity_outside_1_to_365_days_is_refused(officer, days):
    with pytest.raises(InvalidInput, match="from 1 to 365 days"):
        api_token_create(user=officer, name="sync", days=days)

    assert not ApiToken.objects.exists()


def test_no_token_for_a_deactivated_user(officer):
    officer.is_active = False
    officer.save()

    with pytest.raises(InvalidInput, match="deactivated"):
        api_token_create(user=officer, name="sync")


# --- use ----------------------------------------------------------------------------------------------


def test_the_token_admits_its_holder_and_records_the_use(officer):
    token, secret = api_token_create(user=officer, name="sync")

    response = api(secret).get(CASES)

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert response["Cache-Control"] == "no-store"


def refusal_code(secret: str) -> str:
    """The reason code the authentication gives (the API's exception handler decides how to show it)."""
    with pytest.raises(AuthenticationFailed) as refused:
        ApiTokenAuthentication().authenticate_credentials(secret)
    return refused.value.get_codes()


def test_an_unknown_token_is_refused():
    response = api("x" * 43).get(CASES)

    assert response.status_code == 403
    assert response.json()["detail"] == "Invalid token."
    assert refusal_code("x" * 43) == "token_invalid"


def test_an_expired_token_is_refused_saying_so(officer):
    token, secret = api_token_create(user=officer, name="sync", days=1)
    now = timezone.now()  # a day and a second pass
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - dt.timedelta(days=1, seconds=1), expires_at=now - dt.timedelta(seconds=1)
    )

    response = api(secret).get(CASES)

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith(f"This token expired on {now - dt.timedelta(seconds=1):%Y-%m-%d} ")
    assert detail.endswith(" UTC. Ask an administrator for a new one.")
    assert refusal_code(secret) == "token_expired"


def test_a_token_a_minute_from_expiry_still_works(officer):
    token, secret = api_token_create(user=officer, name="sync", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(minutes=1))

    assert api(secret).get(CASES).status_code == 200


def test_a_revoked_token_is_refused_saying_so(officer):
    token, secret = api_token_create(user=officer, name="sync")
    admin = UserFactory(is_staff=True)

    api_token_revoke(token_id=token.pk, actor=admin)
    response = api(secret).get(CASES)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("This token was revoked on ")
    assert refusal_code(secret) == "token_revoked"
    token.refresh_from_db()
    assert token.revoked_by == admin
    assert token.state_at(timezone.now()) == ApiToken.State.REVOKED


def test_revoking_twice_keeps_the_first_revocation(officer):
    token, _ = api_token_create(user=officer, name="sync")
    first, second = UserFactory(), UserFactory()
    revoked = api_token_revoke(token_id=token.pk, actor=first)

    again = api_token_revoke(token_id=token.pk, actor=second)

    assert again.revoked_by == first
    assert again.revoked_at == revoked.revoked_at


def test_the_token_of_a_deactivated_user_is_refused(officer):
    _, secret = api_token_create(user=officer, name="sync")
    officer.is_active = False
    officer.save()

    response = api(secret).get(CASES)

    assert response.status_code == 403
    assert response.json()["detail"] == "The account this token belongs to is deactivated."
    assert refusal_code(secret) == "user_inactive"


def test_the_role_check_still_applies_to_a_token_holder():
    analyst = user_with_role(Role.ANALYST)
    _, secret = api_token_create(user=analyst, name="reports")

    assert api(secret).get(CASES).status_code == 403


def test_revoking_all_of_a_users_tokens_leaves_other_users_alone(officer):
    _, first = api_token_create(user=officer, name="one")
    _, second = api_token_create(user=officer, name="two")
    other = user_with_role(Role.CBP_OFFICER)
    _, others = api_token_create(user=other, name="theirs")

    revoked = api_token_revoke_all(user=officer, actor=None)

    assert len(revoked) == 2
    assert api(first).get(CASES).status_code == 403
    assert api(second).get(CASES).status_code == 403
    assert api(others).get(CASES).status_code == 200


# --- commands -----------------------------------------------------------------------------------------


def test_api_token_create_prints_a_secret_that_works_once(officer):
    output = run("api_token_create", officer.username, "--days", "7", "--name", "court sync")

    lines = output.splitlines()
    secret = lines[lines.index("The secret, shown only now (store it safely; it cannot be shown again):") + 1]
    assert api(secret).get(CASES).status_code == 200
    token = ApiToken.objects.get()
    assert token.name == "court sync"
    assert f"API token {token.pk} for {officer.username} (court sync), valid until " in output
    assert timezone.now() + dt.timedelta(days=6) < token.expires_at < timezone.now() + dt.timedelta(days=8)


def test_api_token_create_refuses_an_unknown_user_or_too_many_days(officer):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        run("api_token_create", "nobody")
    with pytest.raises(CommandError, match="from 1 to 365 days, not 400"):
        run("api_token_create", officer.username, "--days", "400")


def test_api_token_revoke_by_id_records_who(officer):
    token, secret = api_token_create(user=officer, name="sync")
    admin = UserFactory(username="isso")

    output = run("api_token_revoke", str(token.pk), "--by", "isso")

    assert f"API token {token.pk} (sync) of {officer.username} is revoked." in output
    assert api(secret).get(CASES).status_code == 403
    token.refresh_from_db()
    assert token.revoked_by == admin


def test_api_token_revoke_for_a_user(officer):
    api_token_create(user=officer, name="one")
    api_token_create(user=officer, name="two")

    output = run("api_token_revoke", "--user", officer.username)

    assert f"Revoked 2 API token(s) of {officer.username}." in output
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


def test_drf_plain_tokens_are_gone():
    with pytest.raises(CommandError, match="Unknown command"):
        call_command("drf_create_token", "anyone")


# --- admin --------------------------------------------------------------------------------------------


def test_the_admin_revokes_tokens_and_cannot_add_or_delete_them(officer):
    token, secret = api_token_create(user=officer, name="sync")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    listing = client.get("/admin/accounts/apitoken/")
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert listing.status_code == 200
    assert token.key_prefix in listing.content.decode()
    assert "1 API token(s) revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == admin
    assert api(secret).get(CASES).status_code == 403
    model_admin = site._registry[ApiToken]
    request = listing.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, token)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_recording_a_use_writes_at_most_once_per_resolution_and_not_at_all_in_between(
    officer, django_assert_num_queries
):

    from mpp.accounts.services import LAST_USED_RESOLUTION, api_token_record_use

    token, _ = api_token_create(user=officer, name="use")
    now = timezone.now()

    with django_assert_num_queries(1):
        api_token_record_use(token=token, at=now)
    token.refresh_from_db()
    with django_assert_num_queries(0):
        api_token_record_use(token=token, at=now + LAST_USED_RESOLUTION / 2)
    with django_assert_num_queries(1):
        api_token_record_use(token=token, at=now + LAST_USED_RESOLUTION * 2)
