"""Template helpers of the officers' and court staff's hearings pages: who gets which menu item, and times
shown in a place's zone with the zone named."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.safestring import SafeString

from hearings.i18n import local_words
from hearings.workflow import COURT_ROLES, SERVE_ROLES
from mpp.accounts.models import User
from mpp.html import format_row

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


_SLOT_ROW = (
    '<tr data-testid="slot-row"><td class="mpp-nowrap">{}</td><th scope="row" class="mpp-nowrap">{}</th>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td><a class="usa-link" href="{}?place={}&amp;day={}">Docket</a></td></tr>'
)
_FULL = SafeString('<span class="usa-tag mpp-tag mpp-tag--muted">full</span>')


@register.simple_tag
def slot_rows(rows: Iterable[Any], place: Any) -> SafeString:
    """The ``<tr>`` of each slot of the week (``hearings.views.slots``'s ``SlotChoice`` rows), built in Python:
    through template variables, filters and ``{% url %}`` the week's rows cost most of the page (2026-12-04).
    Every value is escaped by ``format_row`` (mpp.html)."""
    docket = reverse("hearings:docket")
    port_zone = place.reporting_port.time_zone
    out = [
        format_row(
            _SLOT_ROW,
            f"{row.day:%a %Y-%m-%d}",
            time_in(row.slot.starts_at, place.time_zone),
            day_time_in(row.report_at, port_zone),
            row.slot.capacity,
            row.slot.booked,
            row.room if row.room else _FULL,
            docket,
            place.pk,
            f"{row.day:%Y-%m-%d}",
        )
        for row in rows
    ]
    return SafeString("\n".join(out))  # each part came from format_row
