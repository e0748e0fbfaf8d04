"""Login lockout (django-axes, database handler): a username is locked after 5 failures from any addresses,
an address after 5 failures for any usernames; the lock lifts 15 minutes after the failure that set it."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.test import Client, RequestFactory

from mpp.accounts.lockout import client_ip_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "correct-horse-battery"  # the factory's
LIMIT = 5  # AXES_FAILURE_LIMIT
COOL_OFF = dt.timedelta(minutes=15)  # AXES_COOLOFF_MINUTES


def sign_in(username: str, password: str, *, address: str, client: Client | None = None):
    client = client or Client()
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_four_failures_do_not_lock_and_the_right_password_still_works():
    UserFactory(username="mramirez")
    for _ in range(LIMIT - 1):
        _, response = sign_in("mramirez", "wrong-password", address="10.0.0.1")
        assert response.status_code == 200  # the form again, with its error

    client, response = sign_in("mramirez", PASSWORD, address="10.0.0.1")

    assert response.status_code == 302
    assert signed_in(client)


def test_five_failures_for_one_username_lock_it_even_from_another_address():
    UserFactory(username="mramirez")
    for n in range(LIMIT):  # one failure from each of five addresses: no address reaches the limit
        sign_in("mramirez", "wrong-password", address=f"10.0.1.{n + 1}")

    client, response = sign_in("mramirez", PASSWORD, address="10.0.2.1")

    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_for_many_usernames_from_one_address_lock_the_address():
    UserFactory(username="mramirez")
    for name in ["alopez", "bgarcia", "cperez", "dsoto", "eruiz"]:
        sign_in(name, "wrong-password", address="10.0.3.7")

    locked_client, locked = sign_in("mramirez", PASSWORD, address="10.0.3.7")
    elsewhere_client, elsewhere = sign_in("mramirez", PASSWORD, address="10.0.3.8")

    assert locked.status_code == 429
    assert not signed_in(locked_client)
    assert elsewhere.status_code == 302  # the username itself was never locked
    assert signed_in(elsewhere_client)


def test_a_locked_out_correct_password_is_refused_with_the_lockout_explained():
    UserFactory(username="mramirez")
    for _ in range(LIMIT):
        sign_in("mramirez", "wrong-password", address="10.0.4.1")

    client, response = sign_in("mramirez", PASSWORD, address="10.0.4.1")

    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page
    assert "Sign-in is locked for now" in page
    assert "for 15 minutes, even with the right password" in page
    assert "<title>Error: Sign in — MPP Case Management</title>" in page
    assert 'name="username"' in page  # the sign-in form is still there, for later


def test_the_lock_lifts_after_the_cool_off():
    UserFactory(username="mramirez")
    for _ in range(LIMIT):
        sign_in("mramirez", "wrong-password", address="10.0.5.1")
    assert sign_in("mramirez", PASSWORD, address="10.0.5.1")[1].status_code == 429

    # Sixteen minutes pass.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - COOL_OFF - dt.timedelta(minutes=1))
    client, response = sign_in("mramirez", PASSWORD, address="10.0.5.1")

    assert response.status_code == 302
    assert signed_in(client)


def test_attempts_during_the_lock_do_not_extend_it():
    UserFactory(username="mramirez")
    for _ in range(LIMIT):
        sign_in("mramirez", "wrong-password", address="10.0.6.1")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=10))

    for _ in range(3):  # still locked: refused, and not counted
        assert sign_in("mramirez", "wrong-password", address="10.0.6.1")[1].status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=6))
    client, response = sign_in("mramirez", PASSWORD, address="10.0.6.1")

    assert response.status_code == 302
    assert signed_in(client)


def test_the_admin_sign_in_is_locked_the_same_way():
    UserFactory(username="admin1", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "admin1", "password": "wrong"}, REMOTE_ADDR="10.0.7.1")

    response = client.post(
        "/admin/login/", {"username": "admin1", "password": PASSWORD}, REMOTE_ADDR="10.0.7.2"
    )

    assert response.status_code == 429
    assert not signed_in(client)


def test_the_admin_lists_the_failed_attempts():
    sign_in("mramirez", "wrong-password", address="10.0.8.1")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    response = client.get("/admin/axes/accessattempt/")

    assert response.status_code == 200
    assert "mramirez" in response.content.decode()


# --- the address the lockout counts -------------------------------------------------------------------


def _request(**meta: str):
    request = RequestFactory().post(LOGIN, **meta)
    request.user = AnonymousUser()
    return request


def test_without_a_proxy_the_address_is_the_peer_and_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    request = _request(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_ip_address(request) == "198.51.100.7"


def test_behind_one_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    # The client sent "X-Forwarded-For: 1.2.3.4" itself; our proxy appended the address it saw.
    request = _request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")

    assert client_ip_address(request) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-address"])
def test_behind_a_proxy_a_missing_or_garbled_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    request = _request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip_address(request) == "10.0.0.2"


def test_behind_a_proxy_failures_from_two_clients_count_separately(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="mramirez")
    client = Client()
    for name in ["alopez", "bgarcia", "cperez", "dsoto", "eruiz"]:
        client.post(
            LOGIN,
            {"username": name, "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    other = Client()
    response = other.post(
        LOGIN,
        {"username": "mramirez", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",  # the same proxy
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )

    assert response.status_code == 302
