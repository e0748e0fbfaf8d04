"""Pure policy functions of the case registry, each naming its rule in RULES.md."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from mpp.exceptions import InvalidInput

# Optional letter A (either case, optionally followed by one space or dash), then digits with at most one
# space or dash between any two of them.
_A_NUMBER_SHAPE = re.compile(r"^(?:[Aa][ -]?)?(?P<digits>[0-9](?:[ -]?[0-9])*)$")


def normalize_a_number(raw: str) -> str:
    """N2: the A-number is "A" followed by nine digits; older eight-digit numbers get a leading zero.

    Accepts the ways people write it: the letter A in either case or none, dashes or spaces between
    digits (``A123456789``, ``123-456-789``, ``a 12345678``). Anything else — another letter, too few or
    too many digits, stray characters — is refused with a message that says what is wrong.
    """
    if raw is None:
        raise InvalidInput("Enter an A-number.", code="a_number_invalid", rule="N2", field="a_number")
    text = raw.strip()
    if not text:
        raise InvalidInput("Enter an A-number.", code="a_number_invalid", rule="N2", field="a_number")
    match = _A_NUMBER_SHAPE.match(text)
    if not match:
        raise InvalidInput(
            f"“{raw}” is not an A-number: use the letter A (optional) and 8 or 9 digits, "
            "with dashes or spaces if you like, e.g. A123456789 or 123-456-789.",
            code="a_number_invalid",
            rule="N2",
            field="a_number",
        )
    digits = re.sub(r"[ -]", "", match.group("digits"))
    if len(digits) not in (8, 9):
        raise InvalidInput(
            f"An A-number has 8 or 9 digits; “{raw}” has {len(digits)}.",
            code="a_number_invalid",
            rule="N2",
            field="a_number",
        )
    return "A" + digits.zfill(9)


def looks_like_a_number(text: str) -> bool:
    try:
        normalize_a_number(text)
    except InvalidInput:
        return False
    return True


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in whole years on a given day (the day before a birthday counts the earlier year). The family
    rules read the age at the encounter (A2 ``uac``: under 18 with no parent or legal guardian)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def local_day(moment: dt.datetime, time_zone: str) -> dt.date:
    """The calendar day of ``moment`` where it happened (a location's IANA zone): ages at an encounter and
    the day of a hearing are read on the local day, never on the UTC date the database returns."""
    return moment.astimezone(ZoneInfo(time_zone)).date()
