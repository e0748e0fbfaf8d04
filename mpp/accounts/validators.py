"""Password validators of our own, beside Django's (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class DistinctCharactersValidator:
    """Refuse a password built from too few different characters (``aaaaaaaaaaaa``, ``abababababab``).

    Such a password passes a length rule but is among the first an attacker tries. Letters are compared
    without case, so ``aAaAaAaAaAaA`` counts as one character.
    """

    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: object = None) -> None:
        if len(set(password.casefold())) < self.min_distinct:
            raise ValidationError(self._message(), code="password_too_few_distinct_characters")

    def get_help_text(self) -> str:
        return self._message().replace("This password must", "Your password must")

    def _message(self) -> str:
        return ngettext(
            "This password must contain at least %(min)d different character.",
            "This password must contain at least %(min)d different characters.",
            self.min_distinct,
        ) % {"min": self.min_distinct}
