"""Template helpers for the HTML pages: USWDS widgets, role and status labels, ages, the unread badge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django import template
from django.contrib.auth.models import AnonymousUser
from django.forms import BoundField
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django_countries import countries as django_countries

from cases.models import Case, CaseStatus
from cases.rules import age_on
from cases.selectors import user_sees_cases
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.outbox.selectors import NOTIFICATION_BADGE_CAP, notifications_unread_count

register = template.Library()

_WIDGET_CLASS = {"select": "usa-select", "textarea": "usa-textarea"}

# Status → tag colour group (the colours live in static/css/app.css, each with AA contrast).
_STATUS_TONE: dict[str, str] = {
    CaseStatus.SCREENING: "neutral",
    CaseStatus.REOPENED: "neutral",
    CaseStatus.AWAITING_REVIEW: "action",
    CaseStatus.AMENABLE: "active",
    CaseStatus.ENROLLED: "active",
    CaseStatus.IN_MEXICO: "active",
    CaseStatus.IN_US_FOR_HEARING: "active",
    CaseStatus.NOT_AMENABLE: "out",
    CaseStatus.REMOVED_FROM_MPP: "out",
    CaseStatus.COMPLETED_RELIEF: "done",
    CaseStatus.COMPLETED_REMOVAL_ORDER: "done",
    CaseStatus.COMPLETED_OTHER: "done",
    CaseStatus.HANDED_TO_ICE: "done",
}


@register.filter
def uswds_widget(field: BoundField) -> SafeString:
    """Render a form field's widget with the USWDS class for its kind (and the error style if invalid).

    Django itself adds ``aria-invalid`` and ``aria-describedby`` (``<id>_helptext``, ``<id>_error``).
    """
    css = _WIDGET_CLASS.get(field.widget_type, "usa-input")
    if field.errors:
        css += " usa-input--error"
    return field.as_widget(attrs={"class": css})


@register.filter
def role_label(role_name: str) -> str:
    try:
        return Role(role_name).label
    except ValueError:
        return role_name


@register.filter
def role_labels(role_names: frozenset[str] | set[str]) -> str:
    return ", ".join(sorted(role_label(name) for name in role_names))


@register.filter
def status_label(status: str) -> str:
    try:
        return CaseStatus(status).label
    except ValueError:
        return status


@register.filter
def status_tone(status: str) -> str:
    return _STATUS_TONE.get(status, "neutral")


@register.filter
def age(date_of_birth: dt.date | None) -> int | str:
    """Age in whole years today (in the server's time zone)."""
    if not date_of_birth:
        return ""
    return age_on(date_of_birth, timezone.localdate())


@register.filter
def local_path(url: str) -> str:
    """Only a same-site relative URL is linked; anything else (another host, javascript:) becomes empty."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return ""


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int | str:
    """The header's unread badge: the number, or "99+" (counting stops there, on every page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    # Counted with the session at the start of the request (mpp.sessions): good for a page that changed
    # nothing; after a POST, which may have read or made notifications, counted again.
    counted = getattr(user, "preloaded_unread", None)
    if counted is not None and getattr(request, "method", None) in ("GET", "HEAD"):
        return badge_number(counted)
    return badge_number(notifications_unread_count(user=user, cap=BADGE_CAP))


# Header badges count up to this many, then say "99+": a bounded count on every page (step 5).
BADGE_CAP = NOTIFICATION_BADGE_CAP


def badge_number(count: int) -> int | str:
    return f"{BADGE_CAP}+" if count > BADGE_CAP else count


@register.filter
def sees_cases(user: User | AnonymousUser) -> bool:
    """Whether to offer case pages (search) in the menu; the views check access again."""
    return user_sees_cases(user)


def _status_tag(status: str) -> SafeString:
    return format_html(
        '<span class="usa-tag mpp-status mpp-status--{}">{}</span>', status_tone(status), status_label(status)
    )


@register.simple_tag
def case_table_rows(cases: Iterable[Case]) -> SafeString:
    """The rows of ``partials/case_table.html``, built in Python: at 50 rows the same markup through
    template tags, includes and ``{% url %}`` per row cost more than the search itself (step 5, measured
    with a profile). Every value is escaped by ``format_html``; the markup is the same as before."""
    detail = reverse("cases:detail", args=[0]).removesuffix("0/")  # the path up to the id
    countries: dict[str, str] = {}
    rows = []
    for case in cases:
        alien = case.alien
        code = str(alien.country_of_citizenship)
        if code not in countries:
            countries[code] = str(django_countries.name(code))
        rows.append(
            format_html(
                '<tr>\n      <td class="mpp-a-number">{}</td>\n      <th scope="row">{}</th>\n'
                '      <td class="mpp-nowrap">{}</td>\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n'
                '      <td class="mpp-nowrap"><a class="usa-link" href="{}{}/">Case {}</a></td>\n    </tr>',
                alien.a_number or "—",
                str(alien),
                alien.date_of_birth.isoformat() if alien.date_of_birth else "",
                countries[code],
                case.location.name,
                _status_tag(case.status),
                detail,
                case.pk,
                case.pk,
            )
        )
    return SafeString("\n    ".join(rows))


@register.simple_tag
def review_wait_rows(cases: Iterable[Case]) -> SafeString:
    """The rows of the home page's "Awaiting amenability review" table, built in Python as
    ``case_table_rows`` is (``{% timezone %}`` and ``{% url %}`` per row cost more than the query)."""
    detail = reverse("cases:detail", args=[0]).removesuffix("0/")
    countries: dict[str, str] = {}
    zones: dict[str, ZoneInfo] = {}
    rows = []
    for case in cases:
        alien = case.alien
        code = str(alien.country_of_citizenship)
        if code not in countries:
            countries[code] = str(django_countries.name(code))
        name = case.location.time_zone
        zone = zones.get(name) or zones.setdefault(name, ZoneInfo(name))
        since = timezone.localtime(case.status_changed_at, zone)
        rows.append(
            format_html(
                '<tr>\n        <td class="mpp-nowrap">{}</td>\n        <td class="mpp-a-number">{}</td>\n'
                '        <th scope="row">{}</th>\n        <td>{}</td>\n        <td>{}</td>\n'
                '        <td class="mpp-nowrap"><a class="usa-link" href="{}{}/">Review case {}</a></td>\n'
                "      </tr>",
                f"{since:%Y-%m-%d %H:%M} {since.tzname()}",
                alien.a_number or "—",
                str(alien),
                countries[code],
                case.location.name,
                detail,
                case.pk,
                case.pk,
            )
        )
    return SafeString("\n      ".join(rows))
