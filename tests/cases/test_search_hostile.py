"""Hostile and odd input to the search, in the page and the API: never a 500, never another location's case."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from mpp.accounts.roles import Role
from tests.factories import AlienFactory, CaseFactory, location, user_with_role

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "Reyes\x00",
    "'; DROP TABLE cases_case; --",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
    "🙂 Reyes",
    "ÿ" * 100,
    "a" * 100,
    "A-0-1-2",
    "  \t ",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_queries_get_an_answer_not_an_error_and_only_visible_cases(client, typed):
    CaseFactory(alien=AlienFactory(family_name="Reyes"), encounter__location=location("elp-poe"))
    officer = user_with_role(Role.CBP_OFFICER)  # at San Ysidro: the El Paso case is not theirs
    client.force_login(officer)
    api = APIClient()
    api.force_login(officer)

    page = client.get(reverse("cases:search"), {"q": typed})
    body = api.get("/api/v1/cases/search/", {"q": typed})

    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert body.status_code in (200, 400)
    if body.status_code == 200:
        assert body.json()["results"] == []
    else:
        assert body.json()["errors"][0]["field"] == "q"
