"""The rows of the print queue's table, built in Python: 50 rows of ten cells through template variables and
tags cost about 20 ms a page at 500k cases (a profile: 1,400 variable lookups and 300 number formats per
page), against the 15 ms the whole list may take. Every value is escaped
by ``format_row`` (mpp.html); the markup is the template's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from mpp.html import format_row

register = template.Library()

_CHECKBOX = '<td class="mpp-table-checkbox">{}</td>'
_BOX = (
    '<div class="usa-checkbox"><input class="usa-checkbox__input" id="sheet-{}" type="checkbox" name="sheets" '
    'value="{}"{}><label class="usa-checkbox__label" for="sheet-{}"><span class="usa-sr-only">Print the sheet '
    "of {}, version {}</span></label></div>"
)
_ROW = (
    '<tr data-testid="sheet-row" data-sheet-id="{}"{}>{}'
    '<th scope="row">{}</th>'
    '<td class="mpp-a-number">{}</td>'
    "<td>{}</td>"
    '<td><span class="mpp-nowrap">{}</span><span class="mpp-zone">{}</span></td>'
    "<td>{}{}</td>"
    '<td class="mpp-keep">v{} <span class="usa-tag {}">{}</span>{}</td>'
    '<td class="mpp-nowrap">{}</td>'
    '<td data-testid="print-count">{}</td>'
    "</tr>"
)


@register.simple_tag
def print_queue_rows(rows: Iterable[Any], selectable: bool) -> SafeString:
    """The ``<tr>`` of each ``hearings.print_views.QueueRow``."""
    out = []
    for row in rows:
        checkbox = ""
        if selectable:
            box = (
                format_row(
                    _BOX,
                    row.sheet_id,
                    row.sheet_id,
                    mark_safe(" checked") if row.checked else "",
                    row.sheet_id,
                    row.person,
                    row.version,
                )
                if row.selectable
                else ""
            )
            checkbox = format_row(_CHECKBOX, box)
        superseded = ""
        if row.superseded:
            replacement = row.replacement_version if row.replacement_version is not None else "?"
            superseded = format_row(
                '<br><span class="usa-tag mpp-superseded" data-testid="superseded-tag">Superseded by v{} — do '
                "not print</span>",
                replacement,
            )
        place = (
            format_row('<span class="mpp-zone">{}</span>', row.hearing_place)
            if row.hearing_place != row.court
            else ""
        )
        count = row.print_count
        printed = f"{count} time{'s' if count != 1 else ''}" if count else "Not yet"
        out.append(
            format_row(
                _ROW,
                row.sheet_id,
                "" if row.selectable else mark_safe(' class="mpp-row--superseded"'),
                checkbox,
                row.person,
                row.a_number or "— none —",
                row.language,
                row.hearing_when,
                row.hearing_zone,
                row.court,
                place,
                row.version,
                "mpp-reissued" if row.reason == "reissued" else "mpp-new",
                row.reason_label,
                superseded,
                row.issued_when,
                printed,
            )
        )
    return SafeString("\n".join(out))
