"""Pure policy of the hearings app, citing RULES.md ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from cases.models import Language
from cases.rules import normalize_a_number
from mpp.exceptions import InvalidInput

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


# --- the tear sheet's barcode (N2, N5) ------------------------------------------------------------------

# What a scanner types for a tear sheet's barcode: the A-number, then "-T" and the sheet's id. The sheet
# id lets the port tell a superseded sheet from the current one (N5); the A-number alone (typed by hand, or
# an older sheet) still finds the person.
_SHEET_SUFFIX = re.compile(r"^(?P<a_number>.*?)[ -]?[Tt](?P<sheet_id>[0-9]{1,12})$")


@dataclass(frozen=True)
class ScanCode:
    a_number: str  # normalised (N2): "A" and nine digits
    sheet_id: int | None  # the tear sheet whose barcode was scanned, when the code carries one


def tear_sheet_barcode(a_number: str, sheet_id: int) -> str:
    """N2/N5: what the tear sheet's Code 128 barcode encodes: the A-number and the sheet's id
    (``A123456789-T42``). The A-number stays printed on its own, large, above it."""
    return f"{a_number}-T{sheet_id}"


def scan_code_parse(raw: str) -> ScanCode:
    """What a USB scanner (or an officer typing) entered at check-in (H1): an A-number in any spelling N2
    accepts, optionally followed by the tear sheet's id as the barcode encodes it (``-T42``). Raises
    InvalidInput naming the field ``code`` when it is neither."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(
            "Scan the tear sheet's barcode or type the A-number.",
            code="a_number_invalid",
            rule="N2",
            field="code",
        )
    sheet_id: int | None = None
    match = _SHEET_SUFFIX.match(text)
    if match and match.group("a_number").strip():
        text, sheet_id = match.group("a_number").strip(), int(match.group("sheet_id"))
    try:
        a_number = normalize_a_number(text)
    except InvalidInput as exc:
        exc.field = "code"
        raise
    return ScanCode(a_number=a_number, sheet_id=sheet_id)
