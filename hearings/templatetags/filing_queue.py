"""The rows of court staff's NTA filing queue, built in Python: 50 rows through ``{% with %}``,
``{% url %}`` and the form's bound-field lookups cost most of the page at 500k cases against the 15 ms a
list may take (as the print and review queues found). Every value is escaped
by ``format_row`` (mpp.html); the
markup is the template's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms, template
from django.urls import reverse
from django.utils.safestring import SafeString

from cases.models import full_name
from mpp.accounts.models import display_name
from mpp.html import format_row

register = template.Library()

_ROW = (
    '<tr data-testid="filing-row">'
    '<td class="mpp-select-cell"><div class="usa-checkbox">'
    '<input class="usa-checkbox__input" id="{}" type="checkbox" name="nta_ids" value="{}"{}>'
    '<label class="usa-checkbox__label" for="{}"><span class="usa-sr-only">NTA of {}</span></label>'
    "</div></td>"
    '<th scope="row"><a class="usa-link" href="{}">{}</a></th>'
    '<td class="mpp-a-number">{}</td>'
    '<td>{}<br><span class="font-body-3xs">{} · {}</span></td>'
    "<td>{}</td>"
    '<td>{}<br><span class="font-body-3xs">{}</span></td>'
    "</tr>"
)
_CHECKED = SafeString(" checked")


@register.simple_tag
def filing_rows(rows: Iterable[Mapping[str, Any]], form: forms.Form) -> SafeString:
    """The ``<tr>`` of each served NTA on the page (``hearings.views.filing_queue``'s rows: the values of
    ``hearings.selectors.FILING_ROW_COLUMNS`` with the times in words)."""
    auto_id = form["nta_ids"].auto_id
    prefix = reverse("hearings:case-hearings", args=[0]).removesuffix("0/")
    out = []
    for n, row in enumerate(rows):
        person = full_name(row["case__alien__given_names"], row["case__alien__family_name"])
        officer = display_name(
            row["served_by__username"], row["served_by__first_name"], row["served_by__last_name"]
        )
        box = auto_id if n == 0 else f"{auto_id}_{row['id']}"
        out.append(
            format_row(
                _ROW,
                box,
                row["id"],
                _CHECKED if row["checked"] else "",
                box,
                person,
                f"{prefix}{row['case_id']}/",
                person,
                row["case__alien__a_number"] or "—",
                row["served_when"],
                row["served_location__name"],
                officer,
                row["court__name"],
                row["hearing_when"],
                row["initial_hearing__hearing_location__name"],
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row
