"""The rows of the USCIS fear claims queue, built in Python: 50 rows of five cells through template
variables, ``{% with %}`` and ``{% url %}`` cost about 20 ms a page at 500k cases (a profile: 1,500 tag
renders per page), against the 15 ms the whole list may take. Every value is escaped
by ``format_row`` (mpp.html); the markup is the template's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from mpp.html import format_row

register = template.Library()

_ROW = (
    '<tr data-testid="fear-queue-row" data-claim="{}">'
    '<th scope="row"><a class="usa-link" href="{}">{}, {}</a><br>'
    '<span class="mpp-a-number text-normal">{}</span></th>'
    '<td class="mpp-nowrap">{}</td>'
    '<td>{}<br><span class="font-body-3xs">{}</span></td>'
    "<td>{}{}</td>"
    "<td>{}</td>"
    "</tr>"
)
_SMALL = '<br><span class="font-body-3xs">{}</span>'


@register.simple_tag
def fear_queue_rows(rows: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of each ``screenings.fear_views.QueueRow``."""
    # One reverse for the page: the claim page's path with the id last (screenings:fear-claim).
    prefix = reverse("screenings:fear-claim", args=[0])[: -len("0/")]
    out = []
    for row in rows:
        outcome = format_row(_SMALL, row.outcome_label) if row.outcome_label else ""
        interview = (
            format_row("{}" + _SMALL, row.interview_when, row.officer)
            if row.interview_when
            else "Not scheduled"
        )
        out.append(
            format_row(
                _ROW,
                row.claim_id,
                f"{prefix}{row.claim_id}/",
                row.family_name,
                row.given_names,
                row.a_number or "no A-number yet",
                row.stated_when,
                row.place,
                row.setting_label,
                row.status_label,
                outcome,
                interview,
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row
