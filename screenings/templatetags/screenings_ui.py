"""Template helpers of the intake, screening and review pages: who gets which menu item, the supervisors'
pending count, and the plain explanation of a reason code (RULES.md)."""

from __future__ import annotations

from django import template
from django_countries import countries

from cases.templatetags.ui import BADGE_CAP, badge_number
from mpp.accounts.models import User
from screenings import selectors, services
from screenings.models import MemberDecision
from screenings.rules import EXCLUSIONS, Reason

register = template.Library()


@register.filter
def can_intake(user: User) -> bool:
    """Whether to offer the intake pages in the menu; the views check access again."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*services.INTAKE_ROLES)


@register.filter
def can_decide(user: User) -> bool:
    """Whether to offer the amenability review queue in the menu; the views check access again."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*services.DECIDE_ROLES)


@register.simple_tag(takes_context=True)
def pending_reviews_count(context: template.Context) -> int | str:
    """Families waiting for the signed-in supervisor's decision (supervisors only): one COUNT that stops
    after ``BADGE_CAP`` + 1 rows, shown as "99+" beyond."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not can_decide(user):  # type: ignore[arg-type]
        return 0
    queue = selectors.review_queue_for(user=user).order_by()  # type: ignore[arg-type]
    return badge_number(queue[: BADGE_CAP + 1].count())


@register.filter
def exclusion(code: str) -> Reason | None:
    """The rule and plain explanation of an exclusion code (``mexican_national`` → A2, …)."""
    return EXCLUSIONS.get(code)


@register.filter
def country_name(code: object) -> str:
    return countries.name(str(code)) or str(code)


@register.filter
def override_label(kind: str) -> str:
    try:
        return MemberDecision.Override(kind).label
    except ValueError:
        return kind


@register.filter
def startswith(value: str | None, prefix: str) -> bool:
    return bool(value) and str(value).startswith(prefix)
