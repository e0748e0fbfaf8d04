"""N2: the A-number — accepted spellings, refused ones, and a property over all valid numbers."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.rules import age_on, local_day, looks_like_a_number, normalize_a_number
from mpp.exceptions import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A123456789", "A123456789"),
        ("a123456789", "A123456789"),
        ("123456789", "A123456789"),
        ("123-456-789", "A123456789"),
        ("A-123-456-789", "A123456789"),
        ("A 123 456 789", "A123456789"),
        ("  A123456789  ", "A123456789"),
        ("A 12345678", "A012345678"),
        ("12345678", "A012345678"),
        ("12-345-678", "A012345678"),
        ("a012345678", "A012345678"),
    ],
)
def test_n2_accepted_spellings_are_normalised_to_a_and_nine_digits(raw, expected):
    assert normalize_a_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("B123456789", "is not an A-number"),
        ("AA123456789", "is not an A-number"),
        ("1234567", "has 7"),
        ("A1234567890", "has 10"),
        ("A12345678X", "is not an A-number"),
        ("A123.456.789", "is not an A-number"),
        ("123--456-789", "is not an A-number"),
        ("-123456789", "is not an A-number"),
        ("A12345678 9 0", "has 10"),
        ("", "Enter an A-number"),
        ("   ", "Enter an A-number"),
        ("١٢٣٤٥٦٧٨٩", "is not an A-number"),  # non-ASCII digits are not accepted
    ],
)
def test_n2_other_shapes_are_refused_with_a_message_naming_the_problem(raw, fragment):
    with pytest.raises(InvalidInput) as refused:
        normalize_a_number(raw)

    assert fragment in refused.value.message
    assert refused.value.rule == "N2"
    assert refused.value.field == "a_number"


@given(
    digits=st.text(alphabet="0123456789", min_size=8, max_size=9),
    prefix=st.sampled_from(["", "A", "a", "A ", "a-", "A-"]),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_n2_property_every_spelling_of_a_number_normalises_to_the_same_value(digits, prefix, separator):
    """Whatever separators and prefix are used, the stored form is A + the digits zero-padded to nine."""
    spelled = prefix + separator.join([digits[:3], digits[3:6], digits[6:]]) if separator else prefix + digits

    normalised = normalize_a_number(spelled)

    assert normalised == "A" + digits.zfill(9)
    assert len(normalised) == 10
    assert normalize_a_number(normalised) == normalised  # idempotent


@given(st.text(max_size=20))
def test_n2_property_any_text_is_either_a_valid_number_or_refused(text):
    try:
        result = normalize_a_number(text)
    except InvalidInput:
        assert not looks_like_a_number(text)
    else:
        assert result[0] == "A" and result[1:].isdigit() and len(result) == 10
        assert sum(ch.isdigit() for ch in text) in (8, 9)


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (dt.date(2008, 11, 24), dt.date(2026, 11, 23), 17),  # the day before the 18th birthday
        (dt.date(2008, 11, 23), dt.date(2026, 11, 23), 18),  # on the birthday
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # leap-day birthday, not yet in a common year
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), 0),
    ],
)
def test_age_on_counts_whole_years_as_the_uac_rule_reads_them(born, on, years):
    assert age_on(born, on) == years


def test_local_day_is_the_calendar_day_where_it_happened():
    """20:30 PDT on 4 June is 03:30 UTC on 5 June: the day at San Ysidro is still the 4th."""
    moment = dt.datetime(2025, 6, 5, 3, 30, tzinfo=dt.UTC)

    assert local_day(moment, "America/Los_Angeles") == dt.date(2025, 6, 4)
    assert local_day(moment, "America/Chicago") == dt.date(2025, 6, 4)
    assert local_day(moment, "UTC") == dt.date(2025, 6, 5)
