"""Dates and times in the reader's language and zone, and the gettext catalogues behind them (N1, N1a).

No database: pure formatting and file checks.
"""

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

from hearings.i18n import format_local_date, format_local_datetime, format_local_time, zone_words

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = ("es", "pt", "ht")
TEMPLATES = sorted((ROOT / "hearings" / "templates" / "hearings" / "pdf").glob("*.html"))
I18N_MODULE = ROOT / "hearings" / "i18n.py"

# 8:30 in Chicago on Tuesday 3 March 2020 (CST, UTC-6).
MARCH_3_0830_CHICAGO = dt.datetime(2020, 3, 3, 14, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tuesday, March 3, 2020, 8:30 AM"),
        ("es", "martes, 3 de marzo de 2020, 8:30"),
        ("pt", "terça-feira, 3 de março de 2020, 8h30"),
    ],
)
def test_datetime_in_the_languages_own_form(language: str, expected: str) -> None:
    """N1/N1a: CLDR dates (Babel), with the time pattern and the joining pattern from the catalogue."""
    text = format_local_datetime(MARCH_3_0830_CHICAGO, "America/Chicago", language, with_zone=False)
    assert text == expected
    with_zone = format_local_datetime(MARCH_3_0830_CHICAGO, "America/Chicago", language)
    assert with_zone.startswith(expected + " (")
    assert with_zone.endswith(", America/Chicago)")


def test_haitian_creole_uses_its_catalogue_time_and_babels_french_names() -> None:
    """N1a: the ht catalogue gives a 24-hour "HH:mm"; CLDR's ht data names days and months in French."""
    assert format_local_time(MARCH_3_0830_CHICAGO, "America/Chicago", "ht") == "08:30"
    assert format_local_date(MARCH_3_0830_CHICAGO, "America/Chicago", "ht") == "mardi 3 mars 2020"
    assert zone_words("America/Chicago", "ht").endswith(", America/Chicago")


def test_each_time_is_printed_in_its_own_zone_across_a_date_boundary() -> None:
    """N1: one instant is Monday night in Phoenix (MST all year) and Tuesday morning in Denver (MDT)."""
    instant = dt.datetime(2020, 7, 7, 6, 30, tzinfo=dt.UTC)
    assert format_local_datetime(instant, "America/Phoenix", "en", with_zone=False) == (
        "Monday, July 6, 2020, 11:30 PM"
    )
    assert format_local_datetime(instant, "America/Denver", "en", with_zone=False) == (
        "Tuesday, July 7, 2020, 12:30 AM"
    )
    assert zone_words("America/Phoenix", "en") == "Mountain Time, America/Phoenix"
    assert zone_words("America/Chicago", "es") == "hora central, America/Chicago"


def test_a_naive_datetime_or_an_unknown_zone_is_refused() -> None:
    """N1: a time without a zone has no defined instant; printing a guess on a notice would be wrong."""
    with pytest.raises(ValueError, match="aware"):
        format_local_datetime(dt.datetime(2020, 3, 3, 8, 30), "America/Chicago", "en")
    with pytest.raises(KeyError):
        format_local_datetime(MARCH_3_0830_CHICAGO, "Mars/Olympus_Mons", "en")


def _context(value: str | bytes | None) -> str | None:
    # Babel's read_mo gives the msgctxt as bytes, read_po as str.
    return value.decode() if isinstance(value, bytes) else value


def _po(language: str) -> dict[tuple[str | None, str], str]:
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        catalog = read_po(f)
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries are not compiled"
    return {(_context(m.context), str(m.id)): str(m.string) for m in catalog if m.id}


def _used_msgids() -> set[tuple[str | None, str]]:
    """Every (msgctxt, msgid) the PDF templates and hearings/i18n.py ask for, extracted the way
    makemessages does (Django's templatize, then the Python extractor)."""
    found: set[tuple[str | None, str]] = set()
    sources = [templatize(t.read_text(), origin=str(t)).encode() for t in TEMPLATES]
    sources.append(I18N_MODULE.read_bytes())
    for source in sources:
        for _lineno, message, _comments, context in extract(
            "python", io.BytesIO(source), keywords=DEFAULT_KEYWORDS
        ):
            assert isinstance(message, str), "no plural strings expected"
            found.add((context, message))
    return found


def test_every_catalogue_translates_every_string_the_documents_use() -> None:
    """N1a: each catalogue covers exactly the strings of the templates and helpers, none left empty."""
    used = _used_msgids()
    assert len(used) > 30 and ("babel time pattern", "h:mm a") in used
    for language in LANGUAGES:
        catalogue = _po(language)
        missing = used - catalogue.keys()
        stale = catalogue.keys() - used
        empty = [key for key, text in catalogue.items() if not text.strip()]
        assert (missing, stale, empty) == (set(), set(), []), language


def test_every_mo_is_compiled_from_its_po() -> None:
    """N1a: the .mo Django loads says what the reviewed .po says (run msgfmt after editing a .po)."""
    for language in LANGUAGES:
        with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as f:
            compiled = {(_context(m.context), str(m.id)): str(m.string) for m in read_mo(f) if m.id}
        assert compiled == _po(language), f"locale/{language}: run msgfmt --check -o django.mo django.po"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_every_po_passes_msgfmt_check() -> None:
    """N1a: msgfmt --check validates the header, the plural forms and every placeholder
    (python-format %(x)s and python-brace-format {x}) against its msgid."""
    for language in LANGUAGES:
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        result = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
