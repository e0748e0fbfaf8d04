"""The rows of the supervisor's review queue, built in Python: 50 rows with their members through template
variables, ``{% with %}``, ``{% timezone %}`` and ``{% url %}`` cost most of the page at 500k cases against
the 15 ms a list may take (as the print, fear and custody queues found). Every value is escaped by
``format_row`` (mpp.html); the markup is the template's."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from mpp.html import format_row
from screenings.models import AmenabilityReview

register = template.Library()

_ROW = (
    '<tr data-testid="review-row">'
    '<td class="mpp-nowrap">{}</td>'
    "<td>{}</td>"
    "<td>{}</td>"
    '<td><ul class="usa-list usa-list--unstyled">{}</ul></td>'
    '<td class="mpp-nowrap">{}<a class="usa-button usa-button--small margin-0" href="{}">Review'
    '<span class="usa-sr-only"> the family submitted {}</span></a></td>'
    "</tr>"
)
_MEMBER = '<li class="margin-y-05">{}: {}{}{}</li>'
_AMENABLE = SafeString('<span class="usa-tag mpp-verdict mpp-verdict--amenable">amenable</span>')
_NOT = SafeString('<span class="usa-tag mpp-verdict mpp-verdict--not">not amenable</span>')
_FEAR = SafeString(' <span class="mpp-rule">S1 · fear_referral</span>')
_WAITS = SafeString(
    '<p class="margin-top-0" data-testid="waits-for-uscis"><span class="usa-tag mpp-status--blocked">'
    'waits for USCIS</span><br><span class="font-body-3xs">A fear claim is pending (S1/S4)</span></p>'
)
_ZONES: dict[str, ZoneInfo] = {}


def _submitted(review: AmenabilityReview) -> str:
    name = review.location.time_zone
    zone = _ZONES.get(name) or _ZONES.setdefault(name, ZoneInfo(name))
    local = timezone.localtime(review.submitted_at, zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _member(member: dict) -> SafeString:
    reasons = format_html_join(
        ", ",
        '<span class="mpp-rule">{} · {}</span>',
        ((r["rule"], r["code"]) for r in member.get("reasons", ())),
    )
    return format_row(
        _MEMBER,
        member.get("name", ""),
        _AMENABLE if member.get("amenable") else _NOT,
        format_row(" {}", reasons) if reasons else "",
        _FEAR if member.get("refer_to_uscis") else "",
    )


@register.simple_tag
def review_rows(reviews: Iterable[AmenabilityReview]) -> SafeString:
    """The ``<tr>`` of each review on the page (``screenings.selectors.review_queue_page``)."""
    prefix = reverse("screenings:review", args=[0]).removesuffix("0/")
    out = []
    for review in reviews:
        submitted = _submitted(review)
        members = SafeString("".join(_member(m) for m in review.proposal.get("members", ())))
        out.append(
            format_row(
                _ROW,
                submitted,
                review.location.name,
                review.submitted_by.display_name,
                members,
                _WAITS if getattr(review, "waits_for_hold", False) else "",
                f"{prefix}{review.pk}/",
                submitted,
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row
