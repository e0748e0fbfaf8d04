"""N2/N5/H1: what the check-in field reads — the tear sheet's barcode (A-number and sheet id) or an
A-number typed in any spelling."""

from __future__ import annotations

import pytest

from hearings.rules import ScanCode, scan_code_parse, tear_sheet_barcode
from mpp.exceptions import InvalidInput


def test_n5_the_barcode_encodes_the_a_number_and_the_sheet() -> None:
    assert tear_sheet_barcode("A123456789", 42) == "A123456789-T42"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("A123456789-T42", ScanCode("A123456789", 42)),
        ("a123456789-t7", ScanCode("A123456789", 7)),
        ("A123456789T42", ScanCode("A123456789", 42)),
        (" A123456789-T42\n", ScanCode("A123456789", 42)),
        ("A12345678-T3", ScanCode("A012345678", 3)),
        ("123-456-789", ScanCode("A123456789", None)),
        ("A 123 456 789", ScanCode("A123456789", None)),
        ("12345678", ScanCode("A012345678", None)),
        ("123-456-789 T9", ScanCode("A123456789", 9)),
    ],
)
def test_n2_scan_codes_are_read_in_every_spelling(typed: str, expected: ScanCode) -> None:
    assert scan_code_parse(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "T42", "-T42", "B123456789", "A1234567-T4", "A123456789-T", "hello"]
)
def test_n2_what_is_not_an_a_number_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        scan_code_parse(typed)

    assert (refused.value.field, refused.value.code, refused.value.rule) == ("code", "a_number_invalid", "N2")


def test_n5_the_barcode_round_trips() -> None:
    assert scan_code_parse(tear_sheet_barcode("A000000001", 123456)) == ScanCode("A000000001", 123456)
