"""The rows of the observers page's table of the day's hearings (O1), built in Python: a busy facility has
hundreds of hearings a day (926 at Brownsville on the busiest day at 500k cases), and through template
variables, ``{% if %}`` and ``{% url %}`` each row cost ~50 µs (2026-12-04). Every value is escaped by
``format_row`` (mpp.html); the markup is the template's. Time and place only, never the person."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from hearings.observer_selectors import HearingChoice
from mpp.html import format_row, url_of

register = template.Library()

_ROW = '<tr data-hearing="{}"><td class="mpp-nowrap">{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>'
_CLOSED = SafeString(
    '<span class="usa-tag bg-secondary-dark" data-testid="closed-to-public">Closed to the public</span>'
)
_ACTION = '<td><a class="usa-link" href="{}">{}<span class="usa-sr-only"> (hearing {})</span></a></td>'


@register.simple_tag
def observer_day_rows(hearings: Iterable[HearingChoice], is_court: bool) -> SafeString:
    """The ``<tr>`` of each of the day's hearings; court staff get the link to close or open it (O1)."""
    close_url = url_of("hearings:hearing-close")
    out = []
    for h in hearings:
        action = (
            format_row(
                _ACTION,
                close_url(h.id),
                "Closed: open again?" if h.closed else "Close to the public",
                h.id,
            )
            if is_court
            else ""
        )
        out.append(
            format_row(_ROW, h.id, h.words, h.place_name, h.id, _CLOSED if h.closed else "Open", action)
        )
    return SafeString("\n".join(out))  # each part came from format_row
