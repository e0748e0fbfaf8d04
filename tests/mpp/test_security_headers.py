"""Response headers: a strict Content Security Policy on every response (error pages included), with a
per-response nonce for the inline <style> blocks; Cache-Control: no-store on every response to a signed-in
user and on every API response, unless the view chose its own caching."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from mpp.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db

# The policy, written out directive by directive (settings.SECURE_CSP).
POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response: HttpResponse) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in header.split(";"))
    return {name: value for name, value in parts}


def assert_strict_policy(response: HttpResponse) -> dict[str, str]:
    policy = directives(response)
    for name, value in POLICY.items():
        assert policy[name] == value, name
    for name in ("script-src", "style-src"):
        assert re.fullmatch(r"'self'( 'nonce-[\w-]+')?", policy[name]), policy[name]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    return policy


# Views that fail in each way, so the error pages are the project's handlers at work.
def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _missing(request: HttpRequest) -> HttpResponse:
    raise Http404


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def _personal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("a page that names people, with no caching of its own")


def _own_caching(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("fine to keep a minute")
    response["Cache-Control"] = "private, max-age=60"
    return response


urlpatterns = [
    path("test/forbidden/", _forbidden),
    path("test/missing/", _missing),
    path("test/broken/", _broken),
    path("test/personal/", _personal),
    path("test/own-caching/", _own_caching),
    *project_urlpatterns,
]


# --- Content Security Policy --------------------------------------------------------------------------


def test_the_sign_in_page_has_the_strict_policy():
    response = Client().get("/accounts/login/")

    assert response.status_code == 200
    assert_strict_policy(response)


def test_an_inline_style_block_carries_the_nonce_of_its_response(client_for, officer):
    response = client_for(officer).get("/screenings/intake/")

    policy = assert_strict_policy(response)
    page = response.content.decode()
    nonces = re.findall(r'<style nonce="([\w-]+)">', page)
    assert nonces, "the page has an inline <style> block"
    assert policy["style-src"] == f"'self' 'nonce-{nonces[0]}'"
    assert "<style>" not in page
    assert re.search(r"\sstyle=", page) is None  # no style attributes: the policy would refuse them


def test_each_response_gets_a_new_nonce(client_for, officer):
    client = client_for(officer)

    first = directives(client.get("/screenings/intake/"))["style-src"]
    second = directives(client.get("/screenings/intake/"))["style-src"]

    assert first != second


def test_no_inline_script_anywhere_in_the_home_page(client_for, officer):
    response = client_for(officer).get("/")

    page = response.content.decode()
    assert_strict_policy(response)
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or "nonce=" in tag, tag


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "status"), [("/test/forbidden/", 403), ("/test/missing/", 404)])
def test_error_pages_have_the_policy(client_for, officer, url, status):
    response = client_for(officer).get(url)

    assert response.status_code == status
    assert_strict_policy(response)


@pytest.mark.urls(__name__)
def test_the_server_error_page_has_the_policy_and_no_inline_style(client_for, officer):
    client = client_for(officer)
    client.raise_request_exception = False

    response = client.get("/test/broken/")

    assert response.status_code == 500
    assert_strict_policy(response)
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "style=" not in page
    assert "<style" not in page


def test_static_files_have_the_policy_too():
    response = Client().get("/static/css/app.css")

    assert response.status_code == 200
    assert_strict_policy(response)


def test_the_api_has_the_policy(client_for, officer):
    assert_strict_policy(client_for(officer).get("/api/v1/cases/"))


# --- Cache-Control: no-store --------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_page_for_a_signed_in_user_is_not_stored(client_for, officer):
    response = client_for(officer).get("/test/personal/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


@pytest.mark.urls(__name__)
def test_the_same_page_for_an_anonymous_caller_is_left_alone():
    response = Client().get("/test/personal/")

    assert not response.has_header("Cache-Control")


def test_an_api_response_is_not_stored_even_when_refused():
    response = Client().get("/api/v1/cases/")

    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


@pytest.mark.urls(__name__)
def test_a_view_that_sets_its_own_caching_keeps_it(client_for, officer):
    response = client_for(officer).get("/test/own-caching/")

    assert response["Cache-Control"] == "private, max-age=60"
    assert not response.has_header("Pragma")


def test_static_files_keep_their_caching_for_a_signed_in_user(client_for, officer):
    response = client_for(officer).get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.urls(__name__)
def test_an_anonymous_error_page_is_left_alone():
    response = Client().get("/test/missing/")

    assert response.status_code == 404
    assert not response.has_header("Cache-Control")
