"""The password policy (AUTH_PASSWORD_VALIDATORS): at least 12 characters, at least 5 different ones, not
like the user's names, not common, not only digits."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from mpp.accounts.models import User
from mpp.accounts.validators import DistinctCharactersValidator

GOOD = "river-Lantern-quietly-47"


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def mramirez() -> User:
    return User(username="mramirez", first_name="Marisol", last_name="Ramírez", email="mramirez@example.gov")


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abababababab", "AaAaAaAaAaAa", "abcdabcdabcd"])
def test_a_password_of_few_different_characters_is_refused(password):
    assert "password_too_few_distinct_characters" in refusals(password)


def test_five_different_characters_are_enough_for_that_rule():
    DistinctCharactersValidator(min_distinct=5).validate("abcdeabcdeab")


def test_a_password_close_to_the_username_is_refused_for_that_user():
    assert "password_too_similar" in refusals("mramirez2026!", mramirez())


def test_a_password_close_to_the_last_name_is_refused():
    assert "password_too_similar" in refusals("Ramírez2026!", mramirez())


def test_a_short_a_common_and_an_all_digit_password_are_refused():
    assert "password_too_short" in refusals("Tq7#vLp2x9!")  # 11 characters
    assert "password_too_common" in refusals("password1234")
    assert "password_entirely_numeric" in refusals("804219375516")


def test_a_good_password_is_accepted_with_and_without_the_user():
    assert refusals(GOOD) == []
    assert refusals(GOOD, mramirez()) == []


def test_the_help_text_names_the_rule():
    assert DistinctCharactersValidator(min_distinct=5).get_help_text() == (
        "Your password must contain at least 5 different characters."
    )


@pytest.mark.django_db
def test_seed_demo_refuses_a_demo_password_that_breaks_the_policy(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "aaaaaaaaaaaa")

    with pytest.raises(CommandError, match="at least 5 different characters"):
        call_command("seed_demo")

    assert not User.objects.filter(username__startswith="demo_").exists()
