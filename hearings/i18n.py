"""Dates, times and time zones in the reader's language, for the printed documents (N1, N1a).

Month and day names and the full date come from CLDR through Babel; the *time* pattern and the way a date
and a time are joined come from the gettext catalogue (``pgettext`` with a context), so a new language is
a new catalogue, never new code. English is the source language: its patterns are the msgids.

Every function takes an aware datetime and the IANA name of the zone to print it in, and converts to that
zone itself: a report time is printed in the port's zone and a hearing time in the hearing location's
zone, which can differ (and can fall on different calendar days).

Haitian Creole: CLDR's ``ht`` locale has no Kreyòl month, day or zone names of its own, and Babel falls
back to French ones ("mardi 3 mars 2020", "heure du centre nord-américain"). We accept that: French is
widely read in Haiti, and the digits and the IANA zone name printed beside the words carry the meaning.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_name
from django.utils import translation
from django.utils.translation import pgettext

__all__ = ["babel_locale", "format_local_date", "format_local_datetime", "format_local_time", "zone_words"]

# The English patterns are the msgids; a catalogue translates each to its language's form. The time
# pattern is a Babel (CLDR/LDML) pattern: es "H:mm", pt "H'h'mm". The others are str.format templates whose
# {names} the translation must keep. Literal contexts and msgids, so the extractors see them.


def _time_pattern() -> str:
    return pgettext("babel time pattern", "h:mm a")


def _datetime_pattern() -> str:
    return pgettext("date and time", "{date}, {time}")


def _with_zone_pattern() -> str:
    return pgettext("date and time with zone", "{datetime} ({zone})")


def _zone_words_pattern() -> str:
    return pgettext("time zone", "{zone_name}, {tz_name}")


@functools.lru_cache(maxsize=32)
def babel_locale(language_code: str) -> Locale:
    """The Babel locale for a Django language code ("pt-br" → pt_BR); English when Babel has none, or for
    "" (the bilingual fallback prints its English column with this)."""
    if not language_code:
        return Locale.parse("en")
    try:
        return Locale.parse(translation.to_locale(language_code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@functools.lru_cache(maxsize=64)
def _zone(tz_name: str) -> zoneinfo.ZoneInfo:
    # ZoneInfo raises ZoneInfoNotFoundError (a KeyError) for an unknown name: a data error the caller
    # must see, never a silent fallback to UTC that would print a wrong time.
    return zoneinfo.ZoneInfo(tz_name)


def _local(value: dt.datetime, tz_name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time has no defined instant; guessing a zone would print a wrong time on a legal notice.
        raise ValueError(f"an aware datetime is required, got naive {value!r}")
    return value.astimezone(_zone(tz_name))


def format_local_date(value: dt.datetime, tz_name: str, language_code: str) -> str:
    """The full date of ``value`` in zone ``tz_name`` (N1): "martes, 3 de marzo de 2020" (CLDR, Babel)."""
    return format_date(_local(value, tz_name).date(), "full", locale=babel_locale(language_code))


def format_local_time(value: dt.datetime, tz_name: str, language_code: str) -> str:
    """The clock time of ``value`` in zone ``tz_name`` (N1): "8:30 AM", es "8:30", pt "8h30"; the pattern
    is the catalogue's translation of ``pgettext("babel time pattern", "h:mm a")``. No zone name: callers
    print :func:`zone_words` beside it."""
    with translation.override(language_code or "en"):
        pattern = _time_pattern()
    return format_time(_local(value, tz_name), pattern, locale=babel_locale(language_code))


def zone_words(tz_name: str, language_code: str) -> str:
    """The zone named in words and by its IANA name (N1): "Central Time, America/Chicago". The generic
    name (not "Central Daylight Time") is the one people use; the IANA name removes any doubt."""
    name = get_timezone_name(_zone(tz_name), width="long", locale=babel_locale(language_code))
    with translation.override(language_code or "en"):
        pattern = _zone_words_pattern()
    return pattern.format(zone_name=name, tz_name=tz_name)


def format_local_datetime(
    value: dt.datetime, tz_name: str, language_code: str, *, with_zone: bool = True
) -> str:
    """Date and time of ``value`` in zone ``tz_name``, in the language's own form (N1, N1a):

    - en "Tuesday, March 3, 2020, 8:30 AM (Central Time, America/Chicago)"
    - es "martes, 3 de marzo de 2020, 8:30 (hora central, America/Chicago)"
    - pt "terça-feira, 3 de março de 2020, 8h30 (Horário Central, America/Chicago)"

    ``with_zone=False`` leaves the zone off, for a layout that prints :func:`zone_words` separately.
    """
    date_text = format_local_date(value, tz_name, language_code)
    time_text = format_local_time(value, tz_name, language_code)
    with translation.override(language_code or "en"):
        text = _datetime_pattern().format(date=date_text, time=time_text)
        if not with_zone:
            return text
        zone_pattern = _with_zone_pattern()
    return zone_pattern.format(datetime=text, zone=zone_words(tz_name, language_code))


def local_words(moment: dt.datetime, tz_name: str, *, weekday: bool = True) -> str:
    """A time as the pages, notices and timeline reasons print it in English: "Tue 2026-12-15 08:30 PST",
    in ``tz_name`` with the zone's abbreviation (the tear sheets use the localised forms above)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{local:%a %Y-%m-%d %H:%M %Z}" if weekday else f"{local:%Y-%m-%d %H:%M %Z}"
