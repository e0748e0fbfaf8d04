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
        claim = row.claim
        person = claim.case.alien
        outcome = format_row(_SMALL, claim.get_outcome_display()) if claim.outcome else ""
        interview = (
            format_row("{}" + _SMALL, row.interview_when, row.officer)
            if row.interview_when
            else "Not scheduled"
        )
        out.append(
            format_row(
                _ROW,
                claim.pk,
                f"{prefix}{claim.pk}/",
                person.family_name,
                person.given_names,
                person.a_number or "no A-number yet",
                row.stated_when,
                claim.location.name,
                claim.get_setting_display(),
                claim.get_status_display(),
                outcome,
                interview,
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row
