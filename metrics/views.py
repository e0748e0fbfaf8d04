"""The metrics pages (RULES.md M1-M5), each as of a chosen date. For ``METRIC_ROLES`` (analysts,
administrators, USCIS); everyone else gets 403. Aggregates only: no person is named, so no access-log row.
Views only call the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from metrics.forms import AsOfForm
from metrics.selectors import (
    METRIC_ROLES,
    m1_relief_granted,
    m2_uscis_referrals,
    m3_cases_completed,
    may_read_metrics,
)
from mpp.accounts.auth import signed_in_user
from mpp.accounts.roles import roles_in_words


@never_cache
@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The metrics as of a date (``?as_of=YYYY-MM-DD``, default today), a section each: M1, relief granted by
    court and month; M2, USCIS referrals by asylum office and month, with outcomes; M3, cases enrolled and
    completed by court. An invalid date answers 400 with the form and its error, and no table."""
    user = signed_in_user(request)
    if not may_read_metrics(user):
        raise PermissionDenied(f"The program metrics are for: {roles_in_words(METRIC_ROLES)}.")
    form = AsOfForm(request.GET or {"as_of": ""})
    context: dict[str, object] = {
        "form": form,
        "m1": None,
        "m2": None,
        "m3": None,
        "today": timezone.localdate(),
    }
    if form.is_valid():
        as_of = form.cleaned_data["as_of"]
        context |= {
            "m1": m1_relief_granted(as_of=as_of),
            "m2": m2_uscis_referrals(as_of=as_of),
            "m3": m3_cases_completed(as_of=as_of),
        }
    return render(request, "metrics/index.html", context, status=200 if form.is_valid() else 400)
