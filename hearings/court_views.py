"""Court staff's in-court pages (H2–H5, F6): the day's docket per court and hearing location, with per row
held / continue / failure to appear / record decision; the decision page; and the forms of a case's
hearings page (counsel of record, appeal, reopening or remand, scheduling the reopened case's hearing).

Who may open which page (deny by default: any other role gets 403):

- the docket: court staff, and CBP officers, agents and supervisors (read only; their locations' people);
- every write: court staff (``COURT_ROLES``).

A record outside the user's duty locations answers 404, like a missing one. Views only call selectors and
services; a service's refusal is shown next to the field it names, with its rule and reason code. Every
page works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.forms import domain_error_text
from cases.models import Case
from hearings import court_selectors, court_services, selectors
from hearings.court_forms import (
    AppealForm,
    DecisionForm,
    HearingActionForm,
    ReopeningForm,
    RepresentationEndForm,
    RepresentationForm,
    ScheduleForm,
)
from hearings.models import Completion, Hearing
from hearings.templatetags.hearings_pages import zone_words
from hearings.views import (
    DOCKET_ROLES,
    DOCKET_SORTS,
    _date_or_none,
    _int_or_none,
    _log_cases,
    _user_with,
    _visible_case,
)
from hearings.workflow import COURT_ROLES
from mpp.accounts.models import User
from mpp.exceptions import DomainError
from mpp.pagination import keyset_page

# --- the docket ------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def docket(request: HttpRequest) -> HttpResponse:
    """A court's hearing location's hearings on a day (``?court=&place=&day=``), in hearing order, 50 to a
    page: the person, A-number, language, interpreter (N3), counsel of record (H3), the hearing day (H1:
    checked in, transported, failure to appear), and for court staff the actions on each."""
    user = _user_with(request, DOCKET_ROLES, "The docket")
    every_place = list(selectors.hearing_locations())
    courts = sorted({p.court_id: p.court for p in every_place}.values(), key=lambda c: c.name)
    court_id = _int_or_none(request.GET.get("court"))
    places = [p for p in every_place if court_id is None or p.court_id == court_id] or every_place
    wanted = _int_or_none(request.GET.get("place"))
    place = next((p for p in places if p.pk == wanted), places[0] if places else None)
    if place is None:
        raise Http404("No active hearing location.")
    day = _date_or_none(request.GET.get("day")) or timezone.localdate(timezone.now(), place.zone)
    page = keyset_page(
        court_selectors.docket_hearings(user=user, place=place, day=day),
        sorts=DOCKET_SORTS,
        params=request.GET,
    )
    _log_cases(request, user, [h.case_id for h in page.rows])
    rows = court_selectors.docket_rows([h.pk for h in page.rows])
    context = {
        "courts": courts,
        "court_id": place.court_id,
        "places": places,
        "place": place,
        "places_by_id": {p.pk: p for p in every_place},
        "day": day,
        "previous_day": (day - dt.timedelta(days=1)).isoformat(),
        "next_day": (day + dt.timedelta(days=1)).isoformat(),
        "rows": rows,
        "page": page,
        "may_act": user.has_role(*COURT_ROLES),
        "csrf": get_token(request),
        "back": request.get_full_path(),
    }
    return render(request, "hearings/docket.html", context)


def _back(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return fallback


def _court_hearing(request: HttpRequest, hearing_id: int, what: str) -> tuple[User, Hearing]:
    user = _user_with(request, COURT_ROLES, what)
    hearing = selectors.hearing_for(user=user, hearing_id=hearing_id)
    if hearing is None:
        raise Http404("No such hearing.")
    return user, hearing


def _hearing_action(
    request: HttpRequest, hearing_id: int, *, what: str, service: Callable[..., Any], done: str
) -> HttpResponse:
    user, hearing = _court_hearing(request, hearing_id, what)
    fallback = f"{reverse('hearings:docket')}?place={hearing.hearing_location_id}"
    form = HearingActionForm(request.POST)
    back = _back(request, fallback)
    if not form.is_valid():
        messages.error(request, f"{what}: give a note.")
        return redirect(back)
    try:
        service(hearing_ids=[hearing.pk], actor=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, f"{hearing.case.alien.full_name}: {domain_error_text(error)}")
    else:
        messages.success(request, f"{hearing.case.alien.full_name}: {done}")
    return redirect(back)


@login_required
@require_POST
def hearing_held(request: HttpRequest, hearing_id: int) -> HttpResponse:
    """H2/H3: the hearing took place; the counsel of record is recorded on it."""
    return _hearing_action(
        request,
        hearing_id,
        what="Recording a hearing held",
        service=court_services.hearing_held,
        done="hearing recorded as held, with the counsel of record (H3). Continue it or record the decision.",
    )


@login_required
@require_POST
def hearing_failure_to_appear(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _hearing_action(
        request,
        hearing_id,
        what="Recording a failure to appear",
        service=court_services.failure_to_appear,
        done="failure to appear recorded. An order in absentia may be recorded, or the hearing continued.",
    )


# --- the decision (H4/H5) -----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def hearing_decision(request: HttpRequest, hearing_id: int) -> HttpResponse:
    """Record the immigration judge's decision at a hearing: relief or protection, removal order (in
    absentia), voluntary departure, termination … with the appeal reserved or not (H4, H5)."""
    user, hearing = _court_hearing(request, hearing_id, "Recording the immigration judge's decision")
    case = hearing.case
    form = DecisionForm(
        request.POST or None,
        initial={
            "decided_on": timezone.localdate(timezone.now(), hearing.hearing_location.zone),
            "appeal": "none",
        },
    )
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                completion = court_services.completion_record(
                    case_id=case.pk,
                    hearing_id=hearing.pk,
                    decision=form.cleaned_data["decision"],
                    decided_on=form.cleaned_data["decided_on"],
                    appeal=form.cleaned_data["appeal"],
                    appeal_due_on=form.cleaned_data["appeal_due_on"],
                    actor=user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.http_status
            else:
                messages.success(request, _decision_message(case, completion))
                return redirect("hearings:case-hearings", case_id=case.pk)
    _log_cases(request, user, [case.pk])
    context = {
        "hearing": hearing,
        "case": case,
        "person": case.alien,
        "when": zone_words(hearing.starts_at, hearing.hearing_location.time_zone),
        "form": form,
        "scheduled": hearing.status == Hearing.Status.SCHEDULED,
    }
    return render(request, "hearings/hearing_decision.html", context, status=status)


def _decision_message(case: Case, completion: Completion) -> str:
    which = "initial completion" if completion.is_initial else "later completion after a reopening"
    words = f"{completion.get_decision_display()} recorded for {case.alien.full_name} ({which}, H5)."
    if completion.is_relief:
        words += " Relief granted: the person stays in the U.S. (H4)."
    elif completion.is_removal_order and completion.appeal == Completion.Appeal.NONE:
        words += " The order is final: ICE ERO at the reporting port is told the hand-off is due (H4)."
    elif completion.is_removal_order:
        words += " Appeal reserved: the order is not final until the deadline passes or the BIA decides."
    return words


# --- the case's court forms (posted from its hearings page) ---------------------------------------------------


def _case_form_post(
    request: HttpRequest,
    case_id: int,
    *,
    form_class: type,
    what: str,
    call: Callable[[User, Case, dict[str, Any]], str],
) -> HttpResponse:
    user = _user_with(request, COURT_ROLES, what)
    case = _visible_case(request, user, case_id)
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else 'Form'}: {' '.join(messages_)}"
            for name, messages_ in form.errors.items()
        )
        messages.error(request, f"{what}: {errors}")
        return redirect("hearings:case-hearings", case_id=case.pk)
    try:
        done = call(user, case, form.cleaned_data)
    except DomainError as error:
        field = f" ({error.field.replace('_', ' ')})" if error.field else ""
        messages.error(request, f"{what}{field}: {domain_error_text(error)}")
    else:
        messages.success(request, done)
    return redirect("hearings:case-hearings", case_id=case.pk)


@login_required
@require_POST
def counsel_record(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(user: User, case: Case, data: dict[str, Any]) -> str:
        rep = court_services.representation_record(case_id=case.pk, actor=user, **data)
        return f"{rep.name} is counsel of record (EOIR-28 filed {rep.eoir28_filed_on:%Y-%m-%d}, H3)."

    return _case_form_post(
        request, case_id, form_class=RepresentationForm, what="Recording counsel", call=call
    )


@login_required
@require_POST
def counsel_end(request: HttpRequest, case_id: int, representation_id: int) -> HttpResponse:
    def call(user: User, case: Case, data: dict[str, Any]) -> str:
        rep = court_selectors.representation_for(user=user, representation_id=representation_id)
        if rep is None or rep.case_id != case.pk:
            raise Http404("No such representation.")
        court_services.representation_end(representation_id=rep.pk, actor=user, **data)
        return f"{rep.name} is no longer counsel of record (H3)."

    return _case_form_post(
        request, case_id, form_class=RepresentationEndForm, what="Ending counsel", call=call
    )


@login_required
@require_POST
def appeal(request: HttpRequest, case_id: int, completion_id: int) -> HttpResponse:
    def call(user: User, case: Case, data: dict[str, Any]) -> str:
        completion = court_selectors.completion_for(user=user, completion_id=completion_id)
        if completion is None or completion.case_id != case.pk:
            raise Http404("No such decision.")
        done = court_services.appeal_record(completion_id=completion.pk, actor=user, **data)
        return f"Appeal recorded: {done.get_appeal_display()}."

    return _case_form_post(request, case_id, form_class=AppealForm, what="Recording the appeal", call=call)


@login_required
@require_POST
def reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(user: User, case: Case, data: dict[str, Any]) -> str:
        reopening = court_services.reopening_record(case_id=case.pk, actor=user, **data)
        return f"{reopening.get_kind_display()} recorded: the case is back on the docket (H5). Schedule its hearing."

    return _case_form_post(
        request, case_id, form_class=ReopeningForm, what="Recording the reopening", call=call
    )


@login_required
@require_POST
def schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(user: User, case: Case, data: dict[str, Any]) -> str:
        hearing = court_services.hearing_schedule(
            case_id=case.pk, slot_id=data["slot"], kind=data["kind"], actor=user, reason=data["reason"]
        )
        place = hearing.hearing_location
        return (
            f"Hearing scheduled at {place.name}, {zone_words(hearing.starts_at, place.time_zone)}; a tear sheet "
            f"is waiting to be printed at {case.location.name}."
        )

    return _case_form_post(
        request, case_id, form_class=ScheduleForm, what="Scheduling the hearing", call=call
    )
