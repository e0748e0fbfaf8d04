"""The printed documents of the hearings app: the tear sheet (N1, N1a, N2, N4, N5, N6, O3) and the NTA record
(N2, N3). Pure rendering: callers (services, tasks) load the rows and pass plain data, so a document is the
same whether one sheet is printed from a page or two hundred by a Celery task.

How it is built: Django templates in ``hearings/templates/hearings/pdf/`` rendered under
``translation.override`` (each language column of a bilingual sheet switches with ``{% language %}``), dates
and times formatted by :mod:`hearings.i18n`, the A-number's Code 128 barcode drawn as an embedded SVG, and
WeasyPrint with one stylesheet parsed once per process. Each tear sheet is rendered as its own document and
the pages are merged, so a failure is pinned to its sheet and a sheet that would spill onto a second page is
re-laid out tighter (still ≥ 10pt) before it is printed.

Contract used by the rest of the app (do not change the signatures without changing the callers):

- ``tear_sheet_pdf(sheets, *, paper=None) -> bytes``: one PDF, one page per sheet, in order.
- ``tear_sheet_html(sheet) -> str``: the HTML of one sheet (for the preview page and for tests).
- ``nta_record_pdf(record, *, paper=None) -> bytes``: the NTA record, one page per member.
- ``TearSheetError``: raised (with ``index``) when one sheet of a batch cannot be rendered.
- ``tear_sheet_document(sheet, *, paper=None)``: one sheet laid out, not written (for batches that merge).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_date
from barcode import Code128  # type: ignore[import-untyped]
from barcode.writer import SVGWriter  # type: ignore[import-untyped]
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.document import Document  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

from hearings.i18n import format_local_date, format_local_datetime, zone_words
from hearings.rules import tear_sheet_barcode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProBonoEntry:
    name: str
    phone: str = ""
    address: str = ""
    languages: str = ""


@dataclass(frozen=True)
class TearSheetData:
    """Everything one tear sheet prints. Times are aware datetimes (stored in UTC); each is printed in
    the zone given beside it, with the zone named."""

    sheet_id: int
    version: int
    # A code that has a gettext catalogue and ``Language.tear_sheet_available`` (N1a), or "" when the
    # person's language has none: the sheet is then printed in English and Spanish side by side.
    language_code: str
    person_name: str
    a_number: str  # "A123456789" (N2): large, top right, and as a Code 128 barcode
    hearing_starts_at: dt.datetime
    hearing_time_zone: str
    hearing_place_name: str
    hearing_place_address: str
    court_name: str
    court_address: str  # where an EOIR-33 change of address goes (N6)
    report_port_name: str
    report_port_address: str
    report_at: dt.datetime
    report_time_zone: str
    pro_bono: Sequence[ProBonoEntry] = field(default_factory=tuple)  # N4, for the court of the hearings
    current_address: str = ""  # N6: the latest address in Mexico on record
    issued_at: dt.datetime | None = None
    superseded: bool = False  # printed across the page when a superseded version is reprinted


@dataclass(frozen=True)
class NtaMemberData:
    person_name: str
    a_number: str
    date_of_birth: dt.date
    country_of_citizenship: str  # the country's name in English
    allegations: Sequence[str]
    charges: Sequence[tuple[str, str]]  # (code, text), e.g. ("212(a)(7)(A)(i)(I)", "an immigrant who …")
    court_name: str
    court_address: str
    hearing_starts_at: dt.datetime
    hearing_time_zone: str
    hearing_place_name: str
    hearing_place_address: str
    served_at: dt.datetime
    served_time_zone: str
    served_by: str
    service_manner: str
    oral_notice_language: str
    interpretation: str  # "none", or mode and language (N3)
    filed_at: dt.datetime | None
    address_in_mexico: str = ""


@dataclass(frozen=True)
class NtaRecordData:
    members: Sequence[NtaMemberData]


class TearSheetError(Exception):
    def __init__(self, message: str, *, index: int) -> None:
        super().__init__(message)
        self.index = index


# --- Rendering ------------------------------------------------------------------------------------------

_PDF_DIR = Path(__file__).resolve().parent / "templates" / "hearings" / "pdf"
_CSS_FILE = _PDF_DIR / "documents.css"
TEAR_SHEET_TEMPLATE = "hearings/pdf/tear_sheet.html"
NTA_RECORD_TEMPLATE = "hearings/pdf/nta_record.html"

# settings.TEAR_SHEET_PAPER / the ``paper`` argument → the CSS page size.
PAPER_SIZES = {"letter": "letter", "a4": "A4"}

# N1a: the languages printed when the person's language has no catalogue, side by side in this order.
FALLBACK_LANGUAGES = ("en", "es")

# Code 128 for the A-number (N2). 0.33 mm bars (13 mil) read on any handheld scanner and survive a
# photocopy; the quiet zone is more than the ten modules the symbology requires. No human-readable line
# under the bars: the A-number is printed large just above them.
_BARCODE_OPTIONS = {
    "module_width": 0.33,
    "module_height": 9.0,
    "quiet_zone": 4.0,
    "write_text": False,
    "background": "white",
    "foreground": "black",
}


def resolve_paper(paper: str | None) -> str:
    """ "letter" or "a4": ``paper`` if given, else ``settings.TEAR_SHEET_PAPER``; anything else is an error
    (a wrong page size would be printed on the wrong paper and cut off the barcode)."""
    value = (paper if paper is not None else getattr(settings, "TEAR_SHEET_PAPER", "letter")).strip().lower()
    if value not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {sorted(PAPER_SIZES)}, got {value!r}")
    return value


@functools.cache
def _stylesheets(paper: str) -> tuple[CSS, ...]:
    # Parsed once per process and paper size, then reused by every render: parsing the stylesheet is a
    # good share of a one-page render. No @font-face, so the CSS needs no FontConfiguration of its own.
    fetcher = _url_fetcher()
    return (
        CSS(filename=str(_CSS_FILE), url_fetcher=fetcher),
        CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", url_fetcher=fetcher),
    )


_local = threading.local()


def _font_config() -> FontConfiguration:
    # One FontConfiguration per thread, reused across renders (building one walks fontconfig). Per thread
    # because WeasyPrint does not promise it can be shared by concurrent renders.
    config: FontConfiguration | None = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _url_fetcher() -> URLFetcher:
    # Only data: URIs may be fetched: the documents embed everything they draw, and a stray URL in the data
    # must never make the server read a file or call a network address. One per thread, reused: building
    # one loads the system's TLS certificates (~20 ms, a third of a page).
    fetcher: URLFetcher | None = getattr(_local, "url_fetcher", None)
    if fetcher is None:
        fetcher = _local.url_fetcher = URLFetcher(allowed_protocols=("data",))
    return fetcher


@functools.cache
def _has_catalogue(language_code: str) -> bool:
    locale_name = translation.to_locale(language_code)
    candidates = {locale_name, locale_name.split("_")[0]}
    return any(
        (Path(path) / name / "LC_MESSAGES" / "django.mo").is_file()
        for path in getattr(settings, "LOCALE_PATHS", ())
        for name in candidates
    )


def sheet_languages(language_code: str) -> tuple[str, ...]:
    """The languages a tear sheet is printed in (N1a): the person's own when it has a catalogue (English
    is the source language and needs none), otherwise English and Spanish side by side. A code that
    claims a catalogue but has none in LOCALE_PATHS gets the bilingual sheet too, rather than an
    English-only sheet the person may not be able to read."""
    code = language_code.strip().lower()
    if not code:
        return FALLBACK_LANGUAGES
    if code == "en" or code.startswith("en-") or _has_catalogue(code):
        return (code,)
    logger.warning("no tear sheet catalogue for language %r; printing English and Spanish", code)
    return FALLBACK_LANGUAGES


@functools.lru_cache(maxsize=4096)
def barcode_data_uri(a_number: str) -> str:
    """A Code 128 barcode of ``a_number`` (N2) as an SVG ``data:`` URI, so WeasyPrint draws vector bars
    (sharp at any printer resolution) and nothing is fetched."""
    if not a_number or not a_number.isascii() or not a_number.isprintable():
        raise ValueError(f"cannot encode A-number {a_number!r} as Code 128")
    svg: bytes = Code128(a_number, writer=SVGWriter()).render(dict(_BARCODE_OPTIONS))
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _keep_zone_whole(text: str, tz_name: str) -> SafeString:
    """``text`` escaped for HTML, with the IANA zone name in it made unbreakable: a line break after the
    slash ("America/ Denver") reads as two words on paper and in the PDF's text."""
    zone = escape(tz_name)
    return mark_safe(escape(text).replace(zone, f'<span class="nowrap">{zone}</span>'))  # noqa: S308


def _one_line(text: str) -> str:
    return ", ".join(part.strip().rstrip(",") for part in text.splitlines() if part.strip())


def _sheet_context(sheet: TearSheetData, *, compact: bool) -> dict[str, Any]:
    languages = sheet_languages(sheet.language_code)
    columns = []
    for code in languages:
        columns.append(
            {
                "code": code,
                # N1: the report time in the PORT's zone, the hearing time in the hearing location's.
                "report_when": format_local_datetime(
                    sheet.report_at, sheet.report_time_zone, code, with_zone=False
                ),
                "report_zone": _keep_zone_whole(
                    zone_words(sheet.report_time_zone, code), sheet.report_time_zone
                ),
                "hearing_when": _keep_zone_whole(
                    format_local_datetime(sheet.hearing_starts_at, sheet.hearing_time_zone, code),
                    sheet.hearing_time_zone,
                ),
                # Issued at the port, so dated in the port's zone.
                "issued": (
                    format_local_date(sheet.issued_at, sheet.report_time_zone, code)
                    if sheet.issued_at
                    else ""
                ),
            }
        )
    return {
        "sheet": sheet,
        "columns": columns,
        # Addresses on one line: they are printed once for every language, and a line per address part
        # would not leave room for two languages on one page.
        "port_address": _one_line(sheet.report_port_address),
        "place_address": _one_line(sheet.hearing_place_address),
        "court_address": _one_line(sheet.court_address),
        "current_address": _one_line(sheet.current_address),
        "bilingual": len(columns) > 1,
        "compact": compact,
        # N2/N5: the barcode carries the sheet's id too, so a scan at the port tells a superseded sheet from
        # the current one; the A-number is printed large above it, as before.
        "barcode_uri": barcode_data_uri(tear_sheet_barcode(sheet.a_number, sheet.sheet_id)),
        # A hearing held at a hearing facility (not in the court's building) names the court as well; when
        # they are the same place it is printed once.
        "show_court_in_hearing": (sheet.court_name, sheet.court_address)
        != (sheet.hearing_place_name, sheet.hearing_place_address),
    }


def _tear_sheet_html(sheet: TearSheetData, *, compact: bool) -> str:
    context = _sheet_context(sheet, compact=compact)
    # The first column's language is active around the whole page; each column switches to its own.
    with translation.override(context["columns"][0]["code"]):
        return render_to_string(TEAR_SHEET_TEMPLATE, context)


def tear_sheet_html(sheet: TearSheetData) -> str:
    """The HTML document of one tear sheet (N1, N1a, N2, N4, N5, N6, O3), without its stylesheet
    (``hearings/pdf/documents.css``, applied when the PDF is rendered)."""
    return _tear_sheet_html(sheet, compact=False)


def _render(html: str, paper: str) -> Document:
    return HTML(string=html, base_url=str(_PDF_DIR), url_fetcher=_url_fetcher()).render(
        stylesheets=list(_stylesheets(paper)), font_config=_font_config()
    )


def _render_sheet(sheet: TearSheetData, paper: str) -> Document:
    document = _render(_tear_sheet_html(sheet, compact=False), paper)
    if len(document.pages) > 1:
        # A long pro bono list, a long address, or two languages side by side: try the tighter layout
        # (still ≥ 10pt) before printing a sheet over two pages.
        compact = _render(_tear_sheet_html(sheet, compact=True), paper)
        if len(compact.pages) <= len(document.pages):
            document = compact
        if len(document.pages) > 1:
            logger.warning(
                "tear sheet %s (version %s) needs %d pages",
                sheet.sheet_id,
                sheet.version,
                len(document.pages),
            )
    return document


def tear_sheet_document(sheet: TearSheetData, *, paper: str | None = None) -> Document:
    """One tear sheet laid out but not yet written (a ``weasyprint.Document``, normally one page), for a
    caller that merges sheets itself: ``docs[0].copy([p for d in docs for p in d.pages]).write_pdf()``.
    Raises what the data causes (unknown zone, an A-number that cannot be encoded, …)."""
    return _render_sheet(sheet, resolve_paper(paper))


def tear_sheet_pdf(sheets: Sequence[TearSheetData], *, paper: str | None = None) -> bytes:
    """One PDF of all ``sheets``, one page per sheet, in order (N1). ``paper`` is "letter" or "a4"
    (default ``settings.TEAR_SHEET_PAPER``). Raises :class:`TearSheetError` with the sheet's ``index`` when
    one sheet cannot be rendered, so a batch can name the sheet at fault; nothing is printed then."""
    if not sheets:
        raise ValueError("tear_sheet_pdf needs at least one sheet")
    size = resolve_paper(paper)
    documents: list[Document] = []
    for index, sheet in enumerate(sheets):
        try:
            documents.append(_render_sheet(sheet, size))
        except Exception as exc:
            raise TearSheetError(
                f"tear sheet {index} (sheet {sheet.sheet_id}, version {sheet.version}): {exc}", index=index
            ) from exc
    # Each sheet is its own small document (a failure is pinned to its index, an overflow is fixed per
    # sheet); the pages are then put together and written once, with the fonts subset once for all.
    first = documents[0]
    merged = first.copy([page for document in documents for page in document.pages])
    pdf: bytes = merged.write_pdf()
    return pdf


def _nta_member_context(member: NtaMemberData) -> dict[str, Any]:
    return {
        "data": member,
        "barcode_uri": barcode_data_uri(member.a_number),
        # "March 3, 1990": a spelled-out month cannot be misread as day/month.
        "date_of_birth": format_date(member.date_of_birth, "long", locale="en"),
        "hearing_when": _keep_zone_whole(
            format_local_datetime(member.hearing_starts_at, member.hearing_time_zone, "en"),
            member.hearing_time_zone,
        ),
        "served_when": _keep_zone_whole(
            format_local_datetime(member.served_at, member.served_time_zone, "en"), member.served_time_zone
        ),
        # The filing is with the court, dated in the zone of the hearing it sets.
        "filed_when": (
            _keep_zone_whole(
                format_local_datetime(member.filed_at, member.hearing_time_zone, "en"),
                member.hearing_time_zone,
            )
            if member.filed_at
            else ""
        ),
    }


def nta_record_pdf(record: NtaRecordData, *, paper: str | None = None) -> bytes:
    """The record of a Notice to Appear and its service (N2, N3), one page per member, English only: the
    data served, not a replica of Form I-862 (each page says so)."""
    if not record.members:
        raise ValueError("an NTA record needs at least one member")
    size = resolve_paper(paper)
    with translation.override("en"):
        context = {"members": [_nta_member_context(member) for member in record.members]}
        html = render_to_string(NTA_RECORD_TEMPLATE, context)
    pdf: bytes = _render(html, size).write_pdf()
    return pdf
