"""Finding a case (N2; step 5): by A-number in any spelling, by name with accents, case, punctuation, word
order and one typo ignored, best match first, in the page and the API alike. Speed is the benchmark's job
(make bench); here: what is found, in which order, with a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Alien, Case, NameWord
from cases.selectors import case_search
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from tests.factories import AlienFactory, CaseFactory, location, user_with_role

pytestmark = pytest.mark.django_db


def person(family: str, given: str = "Ana", **kwargs):
    return CaseFactory(alien=AlienFactory(family_name=family, given_names=given, **kwargs))


# --- what the database keeps for searching ------------------------------------------------------------


def test_name_words_are_the_lower_case_unaccented_words_of_both_names():
    case = person("Hernández-López O’Brien", "María  José")

    alien = Alien.objects.get(pk=case.alien_id)
    copy = Case.objects.get(pk=case.pk)

    assert alien.name_words == ["maria", "jose", "hernandez", "lopez", "o", "brien"]
    assert alien.family_words == ["hernandez", "lopez", "o", "brien"]
    assert (copy.name_words, copy.family_words) == (alien.name_words, alien.family_words)


def test_the_case_copy_of_the_words_is_the_database_s_whatever_django_writes():
    case = person("Reyes", "Ana")
    case.name_words, case.family_words = ["forged"], ["forged"]
    case.save()

    case.refresh_from_db()
    assert (case.name_words, case.family_words) == (["ana", "reyes"], ["reyes"])


def test_a_changed_name_is_searchable_at_once_and_its_words_join_the_dictionary():
    case = person("Okonkwo", "Chidi")
    officer = user_with_role(Role.CBP_OFFICER)
    assert not NameWord.objects.filter(word="nwachukwu").exists()

    Alien.objects.filter(pk=case.alien_id).update(family_name="Nwachukwu")

    assert NameWord.objects.filter(word="nwachukwu").exists()
    assert Case.objects.get(pk=case.pk).family_words == ["nwachukwu"]
    assert case_search(user=officer, query="Nwachukwu") == [case]
    assert case_search(user=officer, query="Okonkwo") == []


# --- what is found ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Tellez", "Telez", "TÉLLEZ", "téllez", "tellez", "  TELLEZ  ", "Téllez."])
def test_accents_case_and_one_typo_are_ignored(typed):
    wanted = person("TÉLLEZ", "Ramón")
    person("Okonkwo", "Chidi")

    assert case_search(user=user_with_role(Role.CBP_OFFICER), query=typed) == [wanted]


@pytest.mark.parametrize(
    "typed",
    ["Maria Jose Hernandez", "Hernandez Maria", "hernandez, maria jose", "JOSÉ MARÍA", "Lopez Hernandez"],
)
def test_given_and_family_names_in_either_order(typed):
    wanted = person("Hernández López", "María José")
    person("Okonkwo", "Chidi")

    assert case_search(user=user_with_role(Role.CBP_OFFICER), query=typed) == [wanted]


@pytest.mark.parametrize(
    ("registered", "typed"),
    [("Ruiz", "Ruis"), ("Castillo", "Castilo"), ("Gutiérrez", "Gutierez"), ("Hernández", "Hernandes")],
)
def test_one_typo_in_a_family_name(registered, typed):
    wanted = person(registered, "Rosa")

    assert case_search(user=user_with_role(Role.CBP_OFFICER), query=typed) == [wanted]


def test_the_beginning_of_a_name_finds_it():
    wanted = person("Villanueva", "Rosa")

    assert case_search(user=user_with_role(Role.CBP_OFFICER), query="Villan") == [wanted]


def test_exact_matches_come_before_close_ones_and_relatives_last():
    close = person("Castilla", "Rosa")
    exact_old = person("Castillo", "Rosa")
    exact_new = person("Castillo", "Rosa")
    relative = person("Castillo", "Pedro")
    officer = user_with_role(Role.CBP_OFFICER)

    assert case_search(user=officer, query="Castillo") == [relative, exact_new, exact_old, close]
    # Both words exactly, then both closely, then a relative who shares only the family name.
    assert case_search(user=officer, query="Rosa Castillo") == [exact_new, exact_old, close, relative]


def test_short_words_match_exactly_only():
    wanted = person("de la Cruz", "Ana")
    person("Cruz", "Ana")
    officer = user_with_role(Role.CBP_OFFICER)

    assert case_search(user=officer, query="Ana de la Cruz")[0] == wanted


def test_nothing_is_found_for_an_unknown_name_or_only_punctuation():
    person("Reyes")
    officer = user_with_role(Role.CBP_OFFICER)

    assert case_search(user=officer, query="Zzyzx") == []
    assert case_search(user=officer, query="-- ..") == []
    assert case_search(user=officer, query="%_%") == []  # LIKE wildcards are not wildcards here


@pytest.mark.parametrize(
    "typed",
    ["A012345678", "a012345678", "012345678", "012-345-678", "A 012 345 678", "a-012-345-678", "12345678"],
)
def test_n2_the_a_number_in_every_accepted_spelling(typed):
    wanted = person("Reyes", a_number="A012345678")
    person("Reyes", a_number="A012345679")

    assert case_search(user=user_with_role(Role.CBP_OFFICER), query=typed) == [wanted]


def test_search_finds_only_cases_at_the_officers_duty_locations():
    here = person("Reyes")
    CaseFactory(
        alien=AlienFactory(family_name="Reyes"),
        encounter__location=location("elp-poe"),
    )
    officer = user_with_role(Role.CBP_OFFICER)  # at San Ysidro

    assert case_search(user=officer, query="Reyes") == [here]
    assert len(case_search(user=user_with_role(Role.COURT_STAFF), query="Reyes")) == 2
    assert case_search(user=user_with_role(Role.ANALYST), query="Reyes") == []


def test_at_most_fifty_cases_and_a_bounded_number_of_queries():
    for _ in range(55):
        person("Salinas", "Rosa")
    person("Salina", "Rosa")
    officer = user_with_role(Role.CBP_OFFICER)
    officer.role_names, officer.duty_location_ids  # noqa: B018 (loaded once per request, as by sign-in)

    with CaptureQueriesContext(connection) as ctx:
        found = case_search(user=officer, query="Rosa Salina")

    assert len(found) == 50
    assert found[0].alien.family_name == "Salina"  # the exact match first, though the oldest
    assert len(ctx.captured_queries) <= 4  # the dictionary, then at most three tiers


# --- the page and the API --------------------------------------------------------------------------------


def test_the_page_and_the_api_find_the_same_cases_and_log_the_access(client):
    wanted = person("TÉLLEZ", "Ramón")
    officer = user_with_role(Role.CBP_OFFICER)
    client.force_login(officer)
    api = APIClient()
    api.force_login(officer)

    page = client.get(reverse("cases:search"), {"q": "Telez"})
    body = api.get("/api/v1/cases/search/", {"q": "Telez"}).json()

    assert f'href="/cases/{wanted.pk}/"' in page.content.decode()
    assert [row["id"] for row in body["results"]] == [wanted.pk]
    assert body["results"][0]["alien_detail"]["family_name"] == "TÉLLEZ"
    assert body["a_number"] is None
    logs = AccessLog.objects.filter(user=officer, object_type="case").order_by("id")
    assert [log.object_ids for log in logs] == [[str(wanted.pk)], [str(wanted.pk)]]


def test_the_api_names_the_a_number_it_looked_up():
    wanted = person("Reyes", a_number="A012345678")
    api = APIClient()
    api.force_login(user_with_role(Role.CBP_OFFICER))

    body = api.get("/api/v1/cases/search/", {"q": "012-345-678"}).json()

    assert body["a_number"] == "A012345678"
    assert [row["id"] for row in body["results"]] == [wanted.pk]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 101}])
def test_the_api_refuses_a_missing_or_too_long_query_naming_q(params):
    api = APIClient()
    api.force_login(user_with_role(Role.CBP_OFFICER))

    response = api.get("/api/v1/cases/search/", params)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"
