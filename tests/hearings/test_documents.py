"""The printed tear sheet (N1, N1a, N2, N4, N5, N6, O3) and NTA record, read back from the PDF.

No database: the documents are pure rendering. Each PDF is read back with pypdf (text, positions, page
size) and, for the barcode, rasterised with poppler's pdftoppm and decoded with zxing-cpp.

The fixture's port (Nogales, America/Phoenix: MST all year) and hearing (El Paso, America/Denver: MDT in
July) are in different zones, and the report time falls on the evening before in Phoenix of what is
already the next day in Denver, so a time printed in the wrong zone shows up as a wrong date.
"""

import dataclasses
import datetime as dt
import functools
import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from django.utils import translation
from django.utils.translation import pgettext

from hearings.documents import (
    NtaMemberData,
    NtaRecordData,
    ProBonoEntry,
    TearSheetData,
    TearSheetError,
    nta_record_pdf,
    tear_sheet_document,
    tear_sheet_html,
    tear_sheet_pdf,
)

PRO_BONO = (
    ProBonoEntry(
        "Las Americas Immigrant Advocacy Center", "(915) 544-5126", "1500 E. Yandell Dr., El Paso, TX"
    ),
    ProBonoEntry(
        "Estrella del Paso", "(915) 532-3975", "2400 E. Yandell Dr., El Paso, TX", "English, Spanish"
    ),
)

# The report instant: 23:30 on Monday 6 July in Phoenix, already 00:30 on Tuesday 7 July in Denver.
REPORT_AT = dt.datetime(2020, 7, 7, 6, 30, tzinfo=dt.UTC)
# The hearing: 9:30 on Tuesday 7 July in Denver (15:30 UTC).
HEARING_AT = dt.datetime(2020, 7, 7, 15, 30, tzinfo=dt.UTC)


def make_sheet(**changes: object) -> TearSheetData:
    sheet = TearSheetData(
        sheet_id=41,
        version=3,
        language_code="es",
        person_name="María José Pérez Gómez",
        a_number="A123456789",
        hearing_starts_at=HEARING_AT,
        hearing_time_zone="America/Denver",
        hearing_place_name="El Paso Immigration Court",
        hearing_place_address="700 E. San Antonio Ave., Suite 750\nEl Paso, TX 79901",
        court_name="El Paso Immigration Court",
        court_address="700 E. San Antonio Ave., Suite 750\nEl Paso, TX 79901",
        report_port_name="DeConcini Port of Entry",
        report_port_address="1 International St.\nNogales, AZ 85621",
        report_at=REPORT_AT,
        report_time_zone="America/Phoenix",
        pro_bono=PRO_BONO,
        current_address="Calle Ignacio Zaragoza 123\nCiudad Juárez, Chihuahua",
        issued_at=dt.datetime(2020, 6, 1, 18, 0, tzinfo=dt.UTC),
    )
    return dataclasses.replace(sheet, **changes)  # type: ignore[arg-type]


def pdf_pages(pdf: bytes) -> list[pypdf.PageObject]:
    assert pdf.startswith(b"%PDF-")
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def page_text(page: pypdf.PageObject) -> str:
    """The page's text with whitespace collapsed, so a sentence wrapped over two lines still matches."""
    return " ".join(page.extract_text().split())


@functools.cache
def sheet_text(language_code: str) -> str:
    """The text of the one-page fixture sheet in a language ("" = the bilingual fallback), rendered once."""
    pages = pdf_pages(tear_sheet_pdf([make_sheet(language_code=language_code)]))
    assert len(pages) == 1
    return page_text(pages[0])


def positions(page: pypdf.PageObject) -> dict[str, tuple[float, float]]:
    """Each text run's first line → its (x, y) in PDF points, origin bottom left."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        line = text.strip().split("\n")[0].strip()
        if line and line not in found:
            # The text position is tm's translation, taken through the current transformation matrix.
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found[line] = (x, y)

    page.extract_text(visitor_text=visit)
    return found


def catalogue(language: str, *msgids: str) -> list[str]:
    with translation.override(language):
        return [pgettext("tear sheet", msgid) for msgid in msgids]


# The report time in the port's zone and the hearing time (with its zone) in the hearing location's zone.
EXPECTED_TIMES = {
    "en": (
        "Monday, July 6, 2020, 11:30 PM",
        "Time zone: Mountain Time, America/Phoenix",
        "Tuesday, July 7, 2020, 9:30 AM (Mountain Time, America/Denver)",
    ),
    "es": (
        "lunes, 6 de julio de 2020, 23:30",
        "Zona horaria: hora de las Montañas Rocosas, America/Phoenix",
        "martes, 7 de julio de 2020, 9:30 (hora de las Montañas Rocosas, America/Denver)",
    ),
    "pt": (
        "segunda-feira, 6 de julho de 2020, 23h30",
        "Fuso horário: Horário das Montanhas, America/Phoenix",
        "terça-feira, 7 de julho de 2020, 9h30 (Horário das Montanhas, America/Denver)",
    ),
    # CLDR's ht data names days and months in French (see hearings.i18n); the clock is the catalogue's.
    "ht": (
        "lundi 6 juillet 2020, 23:30",
        "Zòn lè: heure des Rocheuses, America/Phoenix",
        "mardi 7 juillet 2020, 09:30 (heure des Rocheuses, America/Denver)",
    ),
}

N5_SENTENCES = (
    "Do not come to the port of entry before your report time.",
    "You do not need to wait near the port of entry.",
    "You must arrange your own transportation to the port of entry.",
    "Keep all your documents, including this sheet.",
    "If you arrive on time, you do not need to stand in line.",
)
N4_N6_O3_SENTENCES = (
    "You have the right to be represented by a lawyer or other authorized representative of your choice, "
    "at no expense to the Government.",
    "These organizations may give free legal help for cases at this court:",
    "You must tell the immigration court your new address right away, using Form EOIR-33. Send it to:",
    "You may file a civil rights or civil liberties complaint with the DHS Office for Civil Rights and "
    "Civil Liberties (CRCL):",
)
# One sentence per language pinned word for word, so a catalogue mix-up cannot pass.
PINNED = {
    "en": "Do not come to the port of entry before your report time.",
    "es": "No venga al puerto de entrada antes de la hora en que debe presentarse.",
    "pt": "Não venha ao porto de entrada antes do horário em que deve se apresentar.",
    "ht": "Pa vini nan pò antre a anvan lè ou dwe prezante a.",
}


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht", ""])
def test_n1_report_time_in_the_ports_zone_and_hearing_in_the_hearings_zone(language: str) -> None:
    """N1/N1a: the date and time to report, in Phoenix, and the hearing's, in Denver, each in the sheet's
    language and with its zone named; the port, the court and their addresses; the A-number (N2)."""
    text = sheet_text(language)
    for code in [language] if language else ["en", "es"]:
        report_when, report_zone, hearing_when = EXPECTED_TIMES[code]
        assert report_when in text
        assert report_zone in text
        assert hearing_when in text
    # Printed in Denver's clock, the report time would be 00:30 on the 7th: it must not be.
    assert "July 7, 2020, 12:30 AM" not in text
    assert "7 de julio de 2020, 0:30" not in text
    assert "A123456789" in text
    assert "DeConcini Port of Entry, 1 International St., Nogales, AZ 85621" in text
    assert "El Paso Immigration Court, 700 E. San Antonio Ave., Suite 750, El Paso, TX 79901" in text


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht", ""])
def test_n4_n5_n6_o3_texts_in_the_sheets_language(language: str) -> None:
    """N4 right to counsel and the court's pro bono list, N5 instructions, N6 EOIR-33 change of address
    with the address on record, O3 the CRCL complaint, in the sheet's language(s)."""
    text = sheet_text(language)
    for code in [language] if language else ["en", "es"]:
        sentences = catalogue(code, *N5_SENTENCES, *N4_N6_O3_SENTENCES)
        if code != "en":
            assert not set(sentences) & set(N5_SENTENCES + N4_N6_O3_SENTENCES), f"{code} is untranslated"
        for sentence in sentences:
            assert sentence in text
        assert PINNED[code] in text
    for provider in PRO_BONO:
        assert provider.name in text
        assert provider.phone in text
        assert provider.address in text
    assert "English, Spanish" in text
    assert "EOIR-33" in text
    assert "Calle Ignacio Zaragoza 123, Ciudad Juárez, Chihuahua" in text
    assert "www.dhs.gov/file-civil-rights-complaint · crcl@hq.dhs.gov · 1-866-644-8360" in text


def test_n1a_bilingual_sheet_prints_english_and_spanish_side_by_side() -> None:
    """N1a: no catalogue for the person's language → English left, Spanish right, on one page."""
    pages = pdf_pages(tear_sheet_pdf([make_sheet(language_code="")]))
    assert len(pages) == 1
    where = positions(pages[0])
    width = float(pages[0].mediabox.width)
    (en_x, en_y), (es_x, es_y) = where["Instructions"], where["Instrucciones"]
    assert en_x < width / 2 < es_x
    assert abs(en_y - es_y) < 2
    (en_x, en_y), (es_x, es_y) = (
        where["Monday, July 6, 2020, 11:30 PM"],
        where["lunes, 6 de julio de 2020, 23:30"],
    )
    assert en_x < width / 2 < es_x
    assert abs(en_y - es_y) < 2


def test_a_language_without_a_catalogue_gets_the_bilingual_sheet() -> None:
    """N1a: a code with no catalogue in LOCALE_PATHS (Django's own French does not count) is not printed
    in English alone."""
    html = tear_sheet_html(make_sheet(language_code="fr"))
    assert "Instructions" in html
    assert "Instrucciones" in html


def test_n2_a_number_is_large_at_the_top_right_in_dejavu_sans() -> None:
    """N2: the A-number in the top right quarter, printed larger than the body text; the font is DejaVu
    Sans (it covers every supported language), embedded."""
    page = pdf_pages(tear_sheet_pdf([make_sheet(language_code="pt")]))[0]
    sizes: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        sizes.setdefault(text.strip(), size * cm[0] * tm[0])

    page.extract_text(visitor_text=visit)
    x, y = positions(page)["A123456789"]
    assert x > float(page.mediabox.width) / 2
    assert y > float(page.mediabox.height) * 0.85
    assert sizes["A123456789"] >= 18
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu" in font for font in fonts)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_n2_barcode_decodes_to_the_a_number_and_the_sheet(tmp_path: Path) -> None:
    """N2/N5: the Code 128 barcode, rasterised at 200 dpi as a printer would, reads back as the A-number
    and the sheet's id (``-T41``: the port tells a superseded sheet from the current one)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    pdf_path = tmp_path / "sheet.pdf"
    pdf_path.write_bytes(tear_sheet_pdf([make_sheet(a_number="A209876543", language_code="")]))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        results = zxingcpp.read_barcodes(image)
    assert [(r.text, r.format) for r in results] == [("A209876543-T41", zxingcpp.BarcodeFormat.Code128)]


def test_n1_two_sheets_give_two_pages_in_order() -> None:
    """N1: one page per sheet, in the order given, each with its own person's A-number and language."""
    pages = pdf_pages(
        tear_sheet_pdf(
            [make_sheet(a_number="A111111111", language_code="pt"), make_sheet(a_number="A222222222")]
        )
    )
    assert len(pages) == 2
    first, second = page_text(pages[0]), page_text(pages[1])
    assert "A111111111" in first and "A222222222" not in first
    assert "A222222222" in second and "A111111111" not in second
    assert "segunda-feira, 6 de julho de 2020, 23h30" in first
    assert "lunes, 6 de julio de 2020, 23:30" in second


def test_superseded_sheet_carries_the_banner_in_its_languages() -> None:
    """A reprint of a superseded version says so across the page, in each of its languages; a current
    sheet does not. The footer gives the version and the issue date (in the port's zone)."""
    superseded = page_text(pdf_pages(tear_sheet_pdf([make_sheet(language_code="", superseded=True)]))[0])
    assert "SUPERSEDED — do not use" in superseded
    assert "SUSTITUIDA — no la use" in superseded
    current = sheet_text("es")
    assert "SUSTITUIDA" not in current
    assert "Versión 3 · Emitida el lunes, 1 de junio de 2020 · #41" in current


@pytest.mark.parametrize(("paper", "size"), [("letter", (612, 792)), ("a4", (595, 842)), ("A4", (595, 842))])
def test_paper_size(paper: str, size: tuple[int, int]) -> None:
    """TEAR_SHEET_PAPER / paper=: US Letter (8.5 × 11 in) or A4 (210 × 297 mm), in points."""
    page = pdf_pages(tear_sheet_pdf([make_sheet()], paper=paper))[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_paper_defaults_to_the_setting_and_rejects_unknown_sizes(settings: object) -> None:
    settings.TEAR_SHEET_PAPER = "a4"  # type: ignore[attr-defined]
    page = pdf_pages(tear_sheet_pdf([make_sheet()]))[0]
    assert round(float(page.mediabox.height)) == 842
    with pytest.raises(ValueError, match="paper"):
        tear_sheet_pdf([make_sheet()], paper="legal")


def test_a_sheet_that_cannot_be_rendered_is_named_by_its_index() -> None:
    """A batch fails as a whole, naming the sheet at fault, so nothing half-printed goes out."""
    sheets = [make_sheet(), make_sheet(sheet_id=99, report_time_zone="Mars/Olympus_Mons"), make_sheet()]
    with pytest.raises(TearSheetError) as raised:
        tear_sheet_pdf(sheets)
    assert raised.value.index == 1
    assert "sheet 99" in str(raised.value)


def test_n4_without_providers_still_states_the_right_to_counsel() -> None:
    """N4: the right to counsel is printed even when the court has no pro bono providers listed."""
    text = page_text(pdf_pages(tear_sheet_pdf([make_sheet(language_code="en", pro_bono=())]))[0])
    assert "at no expense to the Government" in text
    assert "No free legal service providers are listed for this court." in text


def test_a_long_pro_bono_list_still_fits_one_bilingual_page() -> None:
    """N1/N1a/N4: six providers, a hearing facility apart from the court, both languages: one page (the
    tighter layout takes over when the normal one would spill onto a second page)."""
    providers = tuple(
        ProBonoEntry(f"Border Legal Services {n}", f"(915) 555-01{n:02d}", f"{n}00 Main St., El Paso, TX")
        for n in range(6)
    )
    sheet = make_sheet(
        language_code="",
        pro_bono=providers,
        hearing_place_name="Laredo Immigration Hearing Facility",
        hearing_place_address="1 Bridge Rd., Laredo, TX 78040",
    )
    assert len(tear_sheet_document(sheet).pages) == 1
    pages = pdf_pages(tear_sheet_pdf([sheet]))
    assert len(pages) == 1
    text = page_text(pages[0])
    assert "Border Legal Services 5" in text
    assert "Laredo Immigration Hearing Facility" in text
    assert "El Paso Immigration Court" in text


def make_member(**changes: object) -> NtaMemberData:
    member = NtaMemberData(
        person_name="María José Pérez Gómez",
        a_number="A123456789",
        date_of_birth=dt.date(1990, 3, 3),
        country_of_citizenship="Honduras",
        allegations=[
            "You are not a citizen or national of the United States;",
            "You are a native of Honduras and a citizen of Honduras;",
        ],
        charges=[("212(a)(7)(A)(i)(I)", "an immigrant not in possession of a valid entry document")],
        court_name="San Diego Immigration Court",
        court_address="401 West A Street, Suite 800\nSan Diego, CA 92101",
        hearing_starts_at=dt.datetime(2020, 7, 7, 15, 30, tzinfo=dt.UTC),
        hearing_time_zone="America/Los_Angeles",
        hearing_place_name="San Diego Immigration Court",
        hearing_place_address="401 West A Street, Suite 800\nSan Diego, CA 92101",
        served_at=dt.datetime(2020, 7, 1, 20, 0, tzinfo=dt.UTC),
        served_time_zone="America/Los_Angeles",
        served_by="CBPO J. Smith",
        service_manner="In person",
        oral_notice_language="Spanish",
        interpretation="In person, Spanish",
        filed_at=None,
    )
    return dataclasses.replace(member, **changes)  # type: ignore[arg-type]


def test_nta_record_prints_the_data_and_not_yet_filed() -> None:
    """N2/N3: the NTA record: A-number at the top right, allegations, charges, hearing in the court's
    zone, service with interpretation, "not yet filed"; and it says it is not the official form."""
    (page,) = pdf_pages(nta_record_pdf(NtaRecordData(members=[make_member()])))
    text = page_text(page)
    x, y = positions(page)["A123456789"]
    assert x > float(page.mediabox.width) / 2 and y > float(page.mediabox.height) * 0.85
    assert "Notice to Appear (Form I-862) — record of service" in text
    assert "It is not the official Form I-862 and is not a replica of it." in text
    assert "You are not a citizen or national of the United States;" in text
    assert "You are a native of Honduras and a citizen of Honduras;" in text
    assert "212(a)(7)(A)(i)(I) — an immigrant not in possession of a valid entry document" in text
    assert "Tuesday, July 7, 2020, 8:30 AM (Pacific Time, America/Los_Angeles)" in text
    assert "Wednesday, July 1, 2020, 1:00 PM (Pacific Time, America/Los_Angeles)" in text
    assert "Interpretation" in text and "In person, Spanish" in text
    assert "March 3, 1990" in text
    assert "not yet filed" in text.lower()


def test_nta_record_has_one_page_per_member_with_the_filing_date() -> None:
    """N2: one page per member, in order; a filed NTA gives its filing date instead of "not yet filed"."""
    filed = make_member(a_number="A987654321", filed_at=dt.datetime(2020, 7, 2, 17, 0, tzinfo=dt.UTC))
    pages = pdf_pages(nta_record_pdf(NtaRecordData(members=[make_member(), filed]), paper="a4"))
    assert len(pages) == 2
    assert round(float(pages[0].mediabox.height)) == 842
    second = page_text(pages[1])
    assert "A987654321" in second and "A123456789" not in second
    assert "Filed: Thursday, July 2, 2020, 10:00 AM (Pacific Time, America/Los_Angeles)" in second
    assert "not yet filed" not in second.lower()
