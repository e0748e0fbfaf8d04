"""Pure policy of the hearings app, citing RULES.md ids."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from cases.models import Language

SOURCE_LANGUAGE = "en"


@cache
def has_catalogue(code: str) -> bool:
    """N1a: a language has tear sheets when it has a compiled gettext catalogue (English is the source)."""
    if code == SOURCE_LANGUAGE:
        return True
    return any((Path(p) / code / "LC_MESSAGES" / "django.mo").is_file() for p in settings.LOCALE_PATHS)


def tear_sheet_language(language: Language | None) -> str:
    """N1/N1a: the person's language when it is flagged for tear sheets and has a catalogue; otherwise ""
    — the sheet is printed in English and Spanish side by side. The set of languages is data (the flag
    and a catalogue), not code."""
    if language is not None and language.tear_sheet_available and has_catalogue(language.code):
        return language.code
    return ""


def nta_allegations(*, citizen_of: str, arrived_at: str, arrived_on: str, classification: str) -> list[str]:
    """The allegations of an NTA (Form I-862), in its words, from the recorded facts."""
    allegations = [
        "You are not a citizen or national of the United States.",
        f"You are a native of {citizen_of} and a citizen of {citizen_of}.",
        f"You arrived in the United States at {arrived_at} on or about {arrived_on}.",
    ]
    if classification == "arriving":
        allegations.append(
            "You are an arriving alien; you were not then admitted or paroled after inspection."
        )
    else:
        allegations.append(
            "You were not then admitted or paroled after inspection by an Immigration Officer."
        )
    return allegations
