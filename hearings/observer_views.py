"""The observers' and press log at an immigration hearing facility (O1, O2), and closing a hearing to the
public (O1).

- ``/hearings/observers/?facility=<code>&day=<YYYY-MM-DD>``: the facility's log, newest first (50 a page),
  the form to record a request (for the day shown, or one of its hearings) and, on each undecided row, the
  form to grant or refuse it; the day's hearings, those closed to the public marked. Court staff and CBP
  supervisors (``OBSERVER_ROLES``; a supervisor at the facilities where they or its reporting port are
  posted); anyone else 403, another facility 404.
- ``/hearings/hearings/<id>/close/``: court staff close a hearing to the public, or open it again; the
  reason is shown here, to court staff, and nowhere else.

No page of the log names the person heard: a hearing is shown by its time, place and whether it is closed.
Views only call selectors and services; a refusal is shown next to the field it names, with its rule and
reason code (``o1_closed_hearing``: in the plain words ``CLOSED_WORDS``, never the reason).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearings import observer_selectors as selectors
from hearings import observer_services as services
from hearings.models import Hearing, HearingLocation, ObserverRequest
from hearings.observer_forms import HearingCloseForm, HearingOpenForm, ObserverDecideForm, ObserverRequestForm
from hearings.views import _date_or_none, _log_cases, _user_with
from hearings.workflow import COURT_ROLES, OBSERVER_ROLES
from mpp.accounts.models import User
from mpp.exceptions import DomainError

WHAT = "The observers' and press log (O1, O2)"


def _words(moment: dt.datetime | None, place: HearingLocation) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment, place.zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@dataclass
class LogRow:
    """One request as the log shows it (no person heard is named)."""

    request: ObserverRequest
    asked: str
    hearing: str  # "" for a day's request
    hearing_closed: bool
    decided: str
    form: ObserverDecideForm | None


def _rows(
    page_rows: list[ObserverRequest], place: HearingLocation, failed: tuple[int, ObserverDecideForm] | None
) -> list[LogRow]:
    rows = []
    for request in page_rows:
        hearing = request.hearing
        hearing_words = (
            f"{selectors.hearing_words(hearing.starts_at, hearing.hearing_location.time_zone)}, "
            f"{hearing.hearing_location.name} (hearing {hearing.pk})"
            if hearing is not None
            else ""
        )
        form = None
        if not request.decision:
            form = (
                failed[1]
                if failed and failed[0] == request.pk
                else ObserverDecideForm(prefix=f"decide-{request.pk}")
            )
        rows.append(
            LogRow(
                request=request,
                asked=_words(request.asked_at, place),
                hearing=hearing_words,
                hearing_closed=hearing is not None and hearing.closed_to_public,
                decided=_words(request.decided_at, place),
                form=form,
            )
        )
    return rows


def _place(user: User, code: str | None) -> tuple[HearingLocation, list[HearingLocation]]:
    places = selectors.observer_facilities_of(user)
    if not places:
        raise Http404("No immigration hearing facility among your duty locations.")
    if not code:
        return places[0], places
    place = next((p for p in places if p.code == code), None)
    if place is None:  # another hearing location in the same building (e.g. Laredo's Eagle Pass returns)
        building = HearingLocation.objects.filter(code=code).values_list("facility_id", flat=True).first()
        place = next((p for p in places if building is not None and p.facility_id == building), None)
    if place is None:
        raise Http404("No such hearing facility among those you record observers for.")
    return place, places


def _log_url(place: HearingLocation, day: dt.date) -> str:
    return f"{reverse('hearings:observers')}?{urlencode({'facility': place.code, 'day': day.isoformat()})}"


def _render(
    request: HttpRequest,
    user: User,
    place: HearingLocation,
    places: list[HearingLocation],
    day: dt.date,
    *,
    form: ObserverRequestForm | None = None,
    failed: tuple[int, ObserverDecideForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    # The day's hearings a page at a time (the table and the form's choices: the hearings shown); a posted
    # request is validated against the whole day (observer_record).
    day_page, hearings = selectors.day_hearing_page(place, day, params=request.GET)
    page = selectors.observer_log(place=place, params=request.GET)
    if form is None:
        form = ObserverRequestForm(hearings=hearings, initial={"for_day": day})
    failed_form = form if form.errors else (failed[1] if failed and failed[1].errors else None)
    context: dict[str, Any] = {
        "place": place,
        "places": places,
        "day": day,
        "previous_day": (day - dt.timedelta(days=1)).isoformat(),
        "next_day": (day + dt.timedelta(days=1)).isoformat(),
        "hearings": hearings,
        "day_page": day_page,
        "form": form,
        "failed_form": failed_form,
        "failed_heading": "The request was not recorded" if form.errors else "The decision was not recorded",
        "page": page,
        "rows": _rows(page.rows, place, failed),
        "is_court": user.has_role(*COURT_ROLES),
    }
    return render(request, "hearings/observers.html", context, status=status)


@never_cache
@login_required
@require_safe
def observers_page(request: HttpRequest) -> HttpResponse:
    user = _user_with(request, OBSERVER_ROLES, WHAT)
    code = request.GET.get("facility")
    if not code and not selectors.observer_facilities_of(user):  # e.g. a CBP supervisor at San Ysidro
        return render(request, "hearings/observers_none.html")
    place, places = _place(user, code)
    day = _date_or_none(request.GET.get("day")) or selectors.facility_today(place)
    return _render(request, user, place, places, day)


@never_cache
@login_required
@require_POST
def observer_record(request: HttpRequest) -> HttpResponse:
    user = _user_with(request, OBSERVER_ROLES, WHAT)
    place, places = _place(user, request.POST.get("facility") or "")
    day = _date_or_none(request.POST.get("day")) or selectors.facility_today(place)
    posted_day = _date_or_none(request.POST.get("ask-for_day")) or day
    form = ObserverRequestForm(request.POST, hearings=selectors.day_hearing_choices(place, posted_day))
    with timezone.override(place.zone):  # "when they asked" is typed in the facility's time
        valid = form.is_valid()
    if not valid:
        return _render(request, user, place, places, day, form=form, status=400)
    data = form.cleaned_data
    try:
        recorded = services.observer_request_record(
            facility_id=place.pk,
            kind=data["kind"],
            requester_name=data["requester_name"],
            outlet=data["outlet"],
            public_affairs_contact=data["public_affairs_contact"],
            for_day=data["for_day"],
            hearing_id=data["hearing"],
            asked_at=data["asked_at"],
            actor=user,
            reason=data["reason"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render(request, user, place, places, day, form=form, status=error.http_status)
    messages.success(
        request,
        f"Recorded: {recorded.requester_name} asked to observe on {recorded.for_day:%Y-%m-%d}. "
        "Grant or refuse it below.",
    )
    return redirect(_log_url(place, recorded.for_day))


@never_cache
@login_required
@require_POST
def observer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user_with(request, OBSERVER_ROLES, WHAT)
    found = ObserverRequest.objects.filter(pk=pk).select_related("facility").first()
    if found is None:
        raise Http404("No such observer request.")
    place, places = _place(user, found.facility.code)
    day = _date_or_none(request.POST.get("day")) or found.for_day
    form = ObserverDecideForm(request.POST, prefix=f"decide-{pk}")
    if not form.is_valid():
        return _render(request, user, place, places, day, failed=(pk, form), status=400)
    try:
        decided = services.observer_request_decide(
            request_id=pk,
            decision=form.cleaned_data["decision"],
            actor=user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render(request, user, place, places, day, failed=(pk, form), status=error.http_status)
    messages.success(
        request, f"{decided.get_decision_display()}: the request of {decided.requester_name} is decided."
    )
    return redirect(_log_url(place, day))


# --- closing a hearing to the public (court staff) -------------------------------------------------------


def _hearing_or_404(pk: int) -> Hearing:
    hearing = (
        Hearing.objects.select_related("case__alien", "hearing_location", "closed_by").filter(pk=pk).first()
    )
    if hearing is None:
        raise Http404("No such hearing.")
    return hearing


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def hearing_close_page(request: HttpRequest, pk: int) -> HttpResponse:
    """O1: close a hearing to the public for the person's sensitive matters, or open it again."""
    user = _user_with(request, COURT_ROLES, "Closing a hearing to the public (O1)")
    hearing = _hearing_or_404(pk)
    close_form = HearingCloseForm()
    open_form = HearingOpenForm()
    status = 200
    if request.method == "POST":
        opening = request.POST.get("action") == "open"
        form: HearingCloseForm | HearingOpenForm = (
            HearingOpenForm(request.POST) if opening else HearingCloseForm(request.POST)
        )
        if opening:
            open_form = form  # type: ignore[assignment]
        else:
            close_form = form  # type: ignore[assignment]
        if form.is_valid():
            run = services.hearing_open_to_public if opening else services.hearing_close_to_public
            try:
                run(hearing_id=hearing.pk, actor=user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_domain_error(error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    "The hearing is open to the public again."
                    if opening
                    else "The hearing is closed to the public. Observers are refused for it (O1).",
                )
                return redirect("hearings:hearing-close", pk=hearing.pk)
        else:
            status = 400
    _log_cases(request, user, [hearing.case_id])
    place = hearing.hearing_location
    failed = close_form if close_form.errors else (open_form if open_form.errors else None)
    context = {
        "hearing": hearing,
        "place": place,
        "starts": _words(hearing.starts_at, place),
        "close_form": close_form,
        "open_form": open_form,
        "failed_form": failed,
        "log_url": _log_url(place, timezone.localdate(hearing.starts_at, place.zone))
        if place.kind == HearingLocation.Kind.HEARING_FACILITY
        else "",
    }
    return render(request, "hearings/hearing_close.html", context, status=status)
