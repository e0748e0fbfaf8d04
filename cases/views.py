"""The HTML pages of the case registry: home per role, search, the case page (with its hold and A-number
forms). There is no status-change form: every move is made by the workflow that owns it, and the case page
says where (``cases.selectors.case_moves_for``).

Views only call selectors (reads) and services (writes). Analysts and users without a role have no access
to personal case data: they get 403 on search and case pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cases.forms import ANumberForm, HoldOpenForm, HoldReleaseForm, SearchForm
from cases.models import Case, Hold
from cases.registry import hold_kind
from cases.rules import looks_like_a_number, normalize_a_number
from cases.selectors import (
    case_detail,
    case_moves_for,
    case_rows_visible_to,
    case_search,
    case_timeline_page,
    cases_awaiting_review,
    family_hold_notices,
    family_open_holds,
    hold_kinds_openable_by,
    holds_of_case,
    may_read_case_context,
    user_sees_cases,
)
from cases.services import A_NUMBER_ROLES, alien_assign_a_number, hold_open, hold_release
from mpp.accounts.auth import signed_in_user
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError

RECENT_CASES = 25
HOME_QUEUE_ROWS = 10


@never_cache
@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    sees_cases = user_sees_cases(user)
    # The oldest few of the supervisor's queue; the review queue page pages through all of it.
    queue_rows = (
        list(cases_awaiting_review(user=user)[: HOME_QUEUE_ROWS + 1])
        if user.has_role(Role.CBP_SUPERVISOR)
        else None
    )
    review_queue = queue_rows[:HOME_QUEUE_ROWS] if queue_rows is not None else None
    recent_cases = list(case_rows_visible_to(user)[:RECENT_CASES]) if sees_cases else None
    # Both lists name people: one access-log row for the cases shown.
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="case",
        object_ids=[case.pk for case in [*(recent_cases or []), *(review_queue or [])]],
    )
    context = {
        "sees_cases": sees_cases,
        "is_analyst": user.has_role(Role.ANALYST),
        "review_queue": review_queue,
        "review_queue_more": queue_rows is not None and len(queue_rows) > HOME_QUEUE_ROWS,
        "recent_cases": recent_cases,
        "location_scoped": user.is_location_scoped,
        "duty_locations": user.duty_locations.all(),
        "search_form": SearchForm(),
    }
    return render(request, "cases/home.html", context)


@never_cache
@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user_sees_cases(user):
        raise PermissionDenied("Your role has no access to personal case data.")
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = list(case_search(user=user, query=query)) if query else None
    # The list shows names and dates of birth: record who saw which cases (one row; none for no result).
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="case",
        object_ids=[case.pk for case in results or []],
    )
    context = {
        "search_form": form,
        "query": query,
        # Tell the user which A-number was looked up, in its canonical spelling (N2).
        "a_number": normalize_a_number(query) if query and looks_like_a_number(query) else None,
        "results": results,
    }
    return render(request, "cases/search.html", context)


def _visible_case_or_404(request: HttpRequest, pk: int) -> Case:
    user = signed_in_user(request)
    if not user_sees_cases(user):
        raise PermissionDenied("Your role has no access to personal case data.")
    case = case_detail(user=user, case_id=pk)
    if case is None:  # does not exist, or outside the user's duty locations: the same answer for both
        raise Http404("No such case.")
    return case


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    hold_form: HoldOpenForm | None = None,
    release_form: tuple[int, HoldReleaseForm] | None = None,
    a_number_form: ANumberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    family_holds = family_open_holds(family_unit_id=case.encounter.family_unit_id)
    moves = case_moves_for(user=user, case=case, holds=family_holds)
    # What surrounds the case (family, holds, timeline) only for the roles that may read it: not print staff.
    may_read_context = may_read_case_context(user)
    cases_by_person = {other.alien_id: other for other in case.encounter.cases.all()}
    held_cases = {hold.case_id for hold in family_holds}
    family = (
        [
            (member, cases_by_person.get(member.alien_id))
            for member in case.encounter.family_unit.members.all()
        ]
        if may_read_context
        else []
    )
    # One row naming the case and the family's other cases, whose people the family table shows.
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="case",
        object_ids=[case.pk, *(member_case.pk for _, member_case in family if member_case is not None)],
    )
    holds = holds_of_case(user=user, case=case)
    release_forms = {
        view.hold.pk: (release_form[1] if release_form and release_form[0] == view.hold.pk else None)
        or HoldReleaseForm(kind=view.kind, prefix=f"release-{view.hold.pk}")
        for view in holds
        if view.may_release and view.kind is not None
    }
    kinds = hold_kinds_openable_by(user=user, case=case, holds=family_holds)
    timeline = case_timeline_page(case=case, user=user, before=request.GET.get("timeline_before"))
    # The form that was just refused, for the page title and the error summary at the top.
    failed = next(
        (
            (bound, heading)
            for bound, heading in (
                (hold_form, "The hold was not recorded"),
                (release_form[1] if release_form else None, "The hold was not released"),
                (a_number_form, "The A-number was not assigned"),
            )
            if bound is not None and bound.errors
        ),
        (None, ""),
    )
    context = {
        "failed_form": failed[0],
        "failed_heading": failed[1],
        "case": case,
        "may_read_context": may_read_context,
        "family": family,
        "held_cases": held_cases,
        "family_holds": family_hold_notices(case=case, holds=family_holds) if may_read_context else [],
        "holds": [(view, release_forms.get(view.hold.pk)) for view in holds],
        "timeline": timeline.entries,
        "timeline_page": timeline,
        "moves": moves,
        "hold_form": hold_form or (HoldOpenForm(kinds=kinds) if kinds else None),
        "a_number_form": a_number_form
        or (ANumberForm() if not case.alien.a_number and user.has_role(*A_NUMBER_ROLES) else None),
    }
    return render(request, "cases/case_detail.html", context, status=status)


@never_cache
@login_required
@require_safe
def case_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _visible_case_or_404(request, pk))


@never_cache
@login_required
@require_POST
def hold_open_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case_or_404(request, pk)
    user = signed_in_user(request)
    form = HoldOpenForm(request.POST, kinds=hold_kinds_openable_by(user=user, case=case, even_if_open=True))
    if not form.is_valid():
        return _render_case(request, case, hold_form=form, status=400)
    try:
        hold = hold_open(
            case_id=case.pk, kind=form.cleaned_data["kind"], actor=user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_case(request, case, hold_form=form, status=error.http_status)
    kind = hold_kind(hold.kind)
    messages.success(
        request,
        f"Recorded: {kind.label if kind else hold.kind}. The case stays “{case.get_status_display()}”.",
    )
    return redirect("cases:detail", pk=case.pk)


@never_cache
@login_required
@require_POST
def hold_release_page(request: HttpRequest, pk: int, hold_id: int) -> HttpResponse:
    case = _visible_case_or_404(request, pk)
    hold = Hold.objects.filter(pk=hold_id, case=case).first()
    kind = hold_kind(hold.kind) if hold else None
    if hold is None or kind is None:
        raise Http404("No such hold on this case.")
    form = HoldReleaseForm(request.POST, kind=kind, prefix=f"release-{hold.pk}")
    if not form.is_valid():
        return _render_case(request, case, release_form=(hold.pk, form), status=400)
    try:
        hold_release(
            hold_id=hold.pk,
            actor=signed_in_user(request),
            reason=form.cleaned_data["reason"],
            outcome=form.cleaned_data["outcome"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_case(request, case, release_form=(hold.pk, form), status=error.http_status)
    messages.success(
        request,
        f"Released: {kind.label}. The case stays “{case.get_status_display()}”; the release is recorded.",
    )
    return redirect("cases:detail", pk=case.pk)


@never_cache
@login_required
@require_POST
def alien_a_number_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign the A-number of the person of case ``pk`` (N2)."""
    case = _visible_case_or_404(request, pk)
    form = ANumberForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, a_number_form=form, status=400)
    try:
        alien = alien_assign_a_number(
            alien_id=case.alien_id,
            a_number=form.cleaned_data["a_number"],
            actor=signed_in_user(request),
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_case(request, case, a_number_form=form, status=error.http_status)
    messages.success(request, f"A-number {alien.a_number} assigned to {alien.full_name}.")
    return redirect("cases:detail", pk=case.pk)
