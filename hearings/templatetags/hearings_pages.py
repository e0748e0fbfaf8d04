"""Template helpers of the officers' and court staff's hearings pages: who gets which menu item, and times
shown in a place's zone with the zone named."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.contrib.auth.models import AnonymousUser

from hearings.i18n import local_words
from hearings.workflow import COURT_ROLES, SERVE_ROLES
from mpp.accounts.models import User

register = template.Library()


def _has(user: User | AnonymousUser | None, roles: frozenset[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and isinstance(user, User) and user.has_role(*roles)


@register.filter
def is_court_staff(user: User | AnonymousUser | None) -> bool:
    """Whether to offer the docket, slots and filing pages in the menu; the views check access again."""
    return _has(user, COURT_ROLES)


@register.filter
def may_serve_nta(user: User | AnonymousUser | None) -> bool:
    """Whether to offer "Serve the NTA"; the view and the service check again."""
    return _has(user, SERVE_ROLES)


def zone_words(moment: dt.datetime | None, tz_name: str) -> str:
    """ "Tue 2026-12-15 08:30 PST (America/Los_Angeles)": the local time with its zone named."""
    if moment is None:
        return ""
    return f"{local_words(moment, tz_name)} ({tz_name})"


@register.filter
def in_zone(moment: dt.datetime | None, tz_name: str) -> str:
    return zone_words(moment, tz_name)


@register.filter
def lead_words(lead: dt.timedelta | None) -> str:
    """How long before the hearing people report: "4 h", "3 h 30 min"."""
    if lead is None:
        return ""
    minutes = int(lead.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


@register.filter
def time_in(moment: dt.datetime | None, tz_name: str) -> str:
    """ "08:30 PST": the clock time in the zone, with its abbreviation (the column names the zone)."""
    if moment is None:
        return ""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{local:%H:%M} {local:%Z}"


@register.filter
def day_time_in(moment: dt.datetime | None, tz_name: str) -> str:
    """ "Thu 2026-12-10 04:30 PST": a report time can fall on the day before the hearing."""
    if moment is None:
        return ""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{local:%a %Y-%m-%d %H:%M} {local:%Z}"
