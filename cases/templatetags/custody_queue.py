"""The rows of ICE's custody queue, built in Python: 50 rows through template variables, ``{% with %}``,
``{% timezone %}`` and ``{% url %}`` cost most of the page at 500k cases, against the 15 ms a list may take
(as the print queue found, hearings/templatetags/print_queue.py). Every value is escaped by
``format_row`` (mpp.html); the markup is the template's."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from cases.models import CustodyDetermination, CustodyReferral, EroHandoff
from cases.subscribers import local_time_words
from mpp.html import format_row

register = template.Library()

_REFERRAL = (
    '<tr data-testid="custody-row">'
    '<th scope="row">{}</th>'
    '<td class="mpp-nowrap">{}</td>'
    "<td>{}</td>"
    '<td><span class="mpp-rule">{} · {}</span><br><span class="font-body-2xs">{}</span></td>'
    '<td class="mpp-nowrap">{}<br>{}</td>'
    '<td class="mpp-nowrap"><a class="usa-button usa-button--small margin-0" href="{}">Determine custody'
    '<span class="usa-sr-only"> for {}</span></a></td>'
    "</tr>"
)
_DETERMINED = (
    '<tr data-testid="determined-row"{}>'
    '<th scope="row">{}</th>'
    '<td class="mpp-nowrap">{}</td>'
    "<td>{}</td>"
    "<td>{} {}</td>"
    "<td>{}</td>"
    '<td class="mpp-nowrap">{}</td>'
    '<td class="mpp-nowrap"><a class="usa-link" href="{}">Custody history'
    '<span class="usa-sr-only"> of {}</span></a></td>'
    "</tr>"
)
_CURRENT = SafeString('<span class="usa-tag mpp-tag mpp-tag--current">current</span>')
_SUPERSEDED = SafeString('<span class="usa-tag mpp-tag mpp-tag--superseded">superseded</span>')
_SUPERSEDED_ROW = SafeString(' class="mpp-superseded"')


def _custody_url_prefix() -> str:
    # One reverse per page: the custody page's path with the case id in place of 0.
    return reverse("cases:custody", args=[0]).removesuffix("/0/custody/")


@register.simple_tag
def custody_referral_rows(rows: Iterable[CustodyReferral]) -> SafeString:
    """The ``<tr>`` of each open referral (``cases.selectors.custody_queue``)."""
    prefix = _custody_url_prefix()
    out = []
    for referral in rows:
        person = referral.case.alien
        out.append(
            format_row(
                _REFERRAL,
                person.full_name,
                person.a_number or "no A-number yet",
                referral.location.name,
                referral.rule,
                referral.code,
                referral.reason,
                # The day, then the time under it: the row's button stays inside the table at 1280 px.
                *local_time_words(referral.referred_at, referral.location.time_zone).split(" ", 1),
                f"{prefix}/{referral.case_id}/custody/",
                person.full_name,
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row


@register.simple_tag
def custody_determined_rows(rows: Iterable[CustodyDetermination]) -> SafeString:
    """The ``<tr>`` of each recent determination, superseded ones marked."""
    prefix = _custody_url_prefix()
    out = []
    for determination in rows:
        person = determination.case.alien
        place = determination.case.location
        out.append(
            format_row(
                _DETERMINED,
                "" if determination.is_current else _SUPERSEDED_ROW,
                person.full_name,
                person.a_number or "no A-number yet",
                place.name,
                determination.get_decision_display(),
                _CURRENT if determination.is_current else _SUPERSEDED,
                determination.decided_by.display_name,
                local_time_words(determination.decided_at, place.time_zone),
                f"{prefix}/{determination.case_id}/custody/",
                person.full_name,
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row


_ERO = (
    '<tr data-testid="ero-row">'
    '<th scope="row"><a class="usa-link" href="{}">{}</a></th>'
    '<td class="mpp-nowrap">{}</td>'
    "<td>{}</td>"
    '<td>{}<br><span class="font-body-2xs">Final {}</span></td>'
    '<td class="mpp-nowrap">{}</td>'
    "<td>"
    '<form method="post" action="{}" class="usa-form" data-testid="ero-record-form">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<input type="hidden" name="handed_location" value="{}">'
    '<label class="usa-label margin-top-0" for="ero-received-{}">ERO officer who took custody</label>'
    '<input class="usa-input" id="ero-received-{}" name="received_by_name" maxlength="200" required>'
    '<label class="usa-label" for="ero-reason-{}">Note</label>'
    '<input class="usa-input" id="ero-reason-{}" name="reason" maxlength="2000" required>'
    '<button type="submit" class="usa-button usa-button--small margin-top-1">Record hand-off at {}'
    '<span class="usa-sr-only"> of {}</span></button></form>'
    "</td>"
    "</tr>"
)


@register.simple_tag
def ero_handoff_rows(rows: Iterable[EroHandoff], csrf_token: str) -> SafeString:
    """H4: the ``<tr>`` of each due hand-off to ICE ERO, with the form recording it (who took custody;
    where: the location ICE was told, the person's reporting port)."""
    prefix = _custody_url_prefix()
    record = reverse("cases:ero-handoff-record", args=[0]).removesuffix("/0/record/")
    out = []
    for handoff in rows:
        person = handoff.case.alien
        place = handoff.location
        out.append(
            format_row(
                _ERO,
                f"{prefix}/{handoff.case_id}/custody/",
                person.full_name,
                person.a_number or "no A-number yet",
                place.name,
                handoff.order_words,
                handoff.final_on.isoformat(),
                local_time_words(handoff.due_at, place.time_zone),
                f"{record}/{handoff.pk}/record/",
                csrf_token,
                place.pk,
                handoff.pk,
                handoff.pk,
                handoff.pk,
                handoff.pk,
                place.name,
                person.full_name,
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row
