"""ICE custody pages (S4, F6): the ICE officers' queue of people whose custody determination is due,
and a person's custody page — the referrals, the determinations with their history, and for ICE officers
the form that records one (``cases.services.custody_determine``; a later one revisits it).

Who may open which page (deny by default: any other role gets 403):

- the queue (``/cases/custody/``): ICE officers (``cases.services.CUSTODY_ROLES``), nationally; its "Final
  orders" tab (H4) lists the hand-offs to ICE ERO due, and records one (``cases.services.ero_handoff_record``);
- a case's custody page (``/cases/<id>/custody/``): the custody readers (``cases.selectors.CUSTODY_READ_ROLES``:
  ICE officers, CBP supervisors at their duty locations, court staff, USCIS asylum officers and their
  supervisors); only ICE officers get the form. A case outside the reader's duty locations answers 404,
  like a missing one.

Views only call selectors (reads) and services (writes); a service's refusal is shown next to the field it
names, with its rule and reason code. Every page works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.forms import CustodyDeterminationForm, domain_error_text
from cases.models import CustodyDetermination
from cases.selectors import (
    CUSTODY_READ_ROLES,
    CUSTODY_TABS,
    CaseCustody,
    cases_visible_to,
    custody_of_case,
    custody_queue,
    custody_tab,
    ero_handoff_for,
    may_read_custody,
)
from cases.services import CUSTODY_ROLES, custody_determine, ero_handoff_record
from mpp.accounts.auth import signed_in_user
from mpp.accounts.roles import roles_in_words
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError


def _log_cases(request: HttpRequest, case_ids: list[int]) -> None:
    """The page names these cases' people: one access-log row for the cases shown (none for none)."""
    access_log_record(
        user=signed_in_user(request),
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="case",
        object_ids=case_ids,
    )


@never_cache
@login_required
@require_safe
def custody_queue_page(request: HttpRequest) -> HttpResponse:
    """ICE's queue: people removed from MPP or not processed for it whose custody determination is due,
    oldest referral first, 50 a page (``?tab=determined``: the latest determinations)."""
    user = signed_in_user(request)
    if not user.has_role(*CUSTODY_ROLES):
        raise PermissionDenied(f"The custody queue is for: {roles_in_words(CUSTODY_ROLES)}.")
    tab = custody_tab(request.GET.get("tab"))
    page = custody_queue(user=user, tab=tab, params=request.GET)
    _log_cases(request, [row.case_id for row in page.rows])
    context = {
        "page": page,
        "rows": page.rows,
        "tab": tab,
        "tabs": list(CUSTODY_TABS.items()),
        "tab_label": CUSTODY_TABS[tab],
        "csrf": get_token(request),
    }
    return render(request, "cases/custody_queue.html", context)


def _custody_or_404(request: HttpRequest, pk: int) -> CaseCustody:
    user = signed_in_user(request)
    if not may_read_custody(user):
        raise PermissionDenied(f"Custody determinations are read by: {roles_in_words(CUSTODY_READ_ROLES)}.")
    case = cases_visible_to(user).filter(pk=pk).first()
    custody = custody_of_case(user=user, case=case) if case is not None else None
    if custody is None:  # no such case, or outside the reader's duty locations: the same answer
        raise Http404("No such case.")
    return custody


def _render(
    request: HttpRequest, custody: CaseCustody, *, form: CustodyDeterminationForm | None, status: int = 200
) -> HttpResponse:
    _log_cases(request, [custody.case.pk])
    if form is None and custody.may_decide:
        form = CustodyDeterminationForm()
    context = {
        "case": custody.case,
        "custody": custody,
        "form": form if custody.may_decide else None,  # the form, for ICE officers when one is due
        "failed_form": form if form is not None and form.errors else None,  # for the error summary
        "refusal": domain_error_text(custody.refusal) if custody.refusal else "",
        "is_ice": signed_in_user(request).has_role(*CUSTODY_ROLES),
    }
    return render(request, "cases/custody_case.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def custody_case_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's custody: the referrals to ICE and the determinations, the current one first; for ICE
    officers, the form recording a determination (S4) — or revisiting the current one."""
    custody = _custody_or_404(request, pk)
    if request.method != "POST":
        return _render(request, custody, form=None)
    user = signed_in_user(request)
    if not user.has_role(*CUSTODY_ROLES):
        raise PermissionDenied(f"Custody determinations are recorded by: {roles_in_words(CUSTODY_ROLES)}.")
    form = CustodyDeterminationForm(request.POST)
    if not form.is_valid():
        return _render(request, custody, form=form, status=400)
    try:
        determination = custody_determine(
            case_id=custody.case.pk,
            actor=user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        # Reload: another officer may have recorded one meanwhile, and the page must show it.
        return _render(request, _custody_or_404(request, pk), form=form, status=error.http_status)
    label = CustodyDetermination.Decision(determination.decision).label
    name = custody.case.alien.full_name
    if determination.supersedes_id is not None:
        messages.success(
            request,
            f"Custody determination revisited for {name}: {label}. The earlier one stays in the history, "
            "marked superseded; your reason is on the case timeline.",
        )
    else:
        messages.success(
            request,
            f"Custody determination recorded for {name}: {label}. Your reason is on the case timeline.",
        )
    return redirect("cases:custody", pk=custody.case.pk)


@login_required
@require_POST
def ero_handoff_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """H4: record, from the queue's "Final orders" tab, that the person was handed over to ICE ERO: who took
    custody, where (the location ICE was told), now. The case moves to "handed to ICE ERO"."""
    user = signed_in_user(request)
    if not user.has_role(*CUSTODY_ROLES):
        raise PermissionDenied(f"The custody queue is for: {roles_in_words(CUSTODY_ROLES)}.")
    handoff = ero_handoff_for(user=user, handoff_id=pk)
    back = f"{reverse('cases:custody-queue')}?tab=ero"
    if handoff is None:  # recorded or reopened meanwhile, or no such hand-off: the same answer
        raise Http404("No such hand-off due.")
    location_id = request.POST.get("handed_location", "")
    try:
        ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=int(location_id) if location_id.isdigit() else 0,
            received_by_name=request.POST.get("received_by_name", ""),
            actor=user,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        field = f" ({error.field.replace('_', ' ')})" if error.field else ""
        messages.error(request, f"{handoff.case.alien.full_name}{field}: {domain_error_text(error)}")
    else:
        messages.success(
            request,
            f"{handoff.case.alien.full_name} handed over to ICE ERO (H4): the case is “handed to ICE ERO”; "
            "the hand-off is on the timeline.",
        )
    return redirect(back)
