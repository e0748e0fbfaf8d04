"""The hearing day at the reporting port (H1, N5, F4), for CBP officers, agents and supervisors posted
there (``hearings.workflow.PORT_ROLES``; any other role gets 403, another port's arrivals or cases 404):

- the expected arrivals of a port on a day (``?port=&day=``, default the user's first port, today in its
  zone), 50 to a page in report-time order, with the scan field at the top: a USB scanner types the tear
  sheet's barcode and Enter into it; the POST checks the person in and redirects back (PRG) with who was
  checked in at what time — or, plainly, why not (N5) — and the field focused for the next scan. Each row
  has its steps as small POST forms (check in, the family at once, transported, failed to appear, overnight
  in and out, return to Mexico);
- the day's manifest, one printable page;
- a case's hearing day (``cases/<id>/``): its hearings with their steps, and the return to Mexico after
  the NTA was served.

Views only call ``hearings.day_selectors`` and ``hearings.day_services``; a refusal is shown with its rule
and reason code (``cases.forms.domain_error_text``). Rows are built in Python (``mpp.html.format_row``:
every value escaped), as the other queues are, for the list budget.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.forms import domain_error_text
from cases.models import CaseStatus
from hearings import day_selectors, day_services
from hearings.day_selectors import ArrivalRow
from hearings.i18n import local_words
from hearings.models import HearingAttendance
from hearings.workflow import PORT_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import Location, User
from mpp.accounts.roles import roles_in_words
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError
from mpp.html import format_row


def _port_user(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not user.has_role(*PORT_ROLES):
        raise PermissionDenied(f"The hearing day at the port is for: {roles_in_words(PORT_ROLES)}.")
    return user


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _date_or_none(value: str | None) -> dt.date | None:
    try:
        return parse_date((value or "").strip()[:10])
    except ValueError:
        return None


def _chosen_port(user: User, value: str | None) -> tuple[Location, list[Location]]:
    """The port asked for (404 when the user is not posted there), else their first port."""
    ports = day_selectors.ports_of(user)
    wanted = _int_or_none(value)
    if wanted is not None:
        port = next((p for p in ports if p.pk == wanted), None)
        if port is None:
            raise Http404("No such port among your duty locations.")
        return port, ports
    if not ports:
        raise Http404("You are not posted at a port of entry.")
    return ports[0], ports


def _log_cases(request: HttpRequest, user: User, case_ids: Sequence[int]) -> None:
    access_log_record(
        user=user, request=request, channel=AccessLog.Channel.PAGE, object_type="case", object_ids=case_ids
    )


def _arrivals_url(port_id: int, day: dt.date, after: str = "") -> str:
    query = {"port": port_id, "day": day.isoformat()}
    if after:
        query["after"] = after
    return f"{reverse('hearings:port-arrivals')}?{urlencode(query)}"


# --- the rows, built in Python -------------------------------------------------------------------------

_ROW = (
    '<tr data-testid="arrival-row" data-hearing="{}" data-state="{}">'
    '<td class="mpp-nowrap">{}</td>'
    '<th scope="row"><a class="usa-link" href="{}">{}</a><br><span class="mpp-a-number text-normal">{}</span></th>'
    "<td>{}</td>"
    '<td>{}<br><span class="font-body-3xs">{}</span></td>'
    "<td>{}</td>"
    "<td>{}</td>"
    "<td>{}</td>"
    '<td><span class="usa-tag mpp-tag mpp-tag--muted">{}</span>{}</td>'
    '<td class="mpp-actions">{}</td>'
    "</tr>"
)


def _clock(moment: dt.datetime | None, tz_name: str) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(tz_name)).strftime("%H:%M %Z")


class RowForms:
    """Each row's step forms, as small POST forms. What every form of the page shares (the action URL, the
    CSRF token, the page's position) is escaped once for the page; per form only the person's name (escaped
    once per row by the caller), whole-number ids and this module's own labels are added — a page of 50
    rows has a few hundred forms, and ``format_html`` on each cost more than the list's budget."""

    def __init__(self, *, action_url: str, token: str, port: Location, day: dt.date, after: str) -> None:
        keep = [("port", str(port.pk)), ("day", day.isoformat())]
        if after:
            keep.append(("after", after))
        hidden = "".join(f'<input type="hidden" name="{n}" value="{escape(v)}">' for n, v in keep)
        self.head = (
            f'<form method="post" action="{escape(action_url)}" class="mpp-inline-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">{hidden}'
        )

    def form(self, action: str, label: str, who: str, ids: str, reason_id: str = "") -> str:
        """``who`` is already escaped; ``action``, ``label`` and ``reason_id`` are this module's words."""
        reason = (
            f'<label class="usa-sr-only" for="{reason_id}">Reason: {label}, {who}</label>'
            f'<input class="usa-input usa-input--small mpp-reason" id="{reason_id}" name="reason" required '
            'placeholder="Reason">'
            if reason_id
            else ""
        )
        return (
            f'{self.head}<input type="hidden" name="action" value="{action}">{ids}{reason}'
            '<button type="submit" class="usa-button usa-button--outline usa-button--small">'
            f'{label}<span class="usa-sr-only"> {who}</span></button></form>'
        )


def _hidden(name: str, values: Sequence[int]) -> str:
    return "".join(f'<input type="hidden" name="{name}" value="{int(v)}">' for v in values)


def _actions(row: ArrivalRow, forms: RowForms, now: dt.datetime) -> SafeString:
    """The steps the row's person can take now (H1), as the services allow them."""
    if row.appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR or row.returned_at is not None:
        return SafeString("")
    who = escape(row.name)
    out: list[str] = []
    one = _hidden("hearing", [row.hearing_id])
    if row.checked_in_at is None:
        out.append(forms.form("check_in", "Check in", who, one))
        waiting = row.family_waiting
        if waiting:
            ids = _hidden("hearing", [row.hearing_id, *(m.hearing_id for m in waiting)])
            out.append(forms.form("check_in", f"Check in family ({len(waiting) + 1})", who, ids))
        if now >= row.report_at:
            out.append(forms.form("failed_to_appear", "Failed to appear", who, one, f"fta-{row.hearing_id}"))
        return SafeString("".join(out))  # every part escaped above
    if row.transported_at is None:
        out.append(forms.form("transported", "Transported", who, one))
    in_custody = row.overnight_in_at is not None and row.overnight_out_at is None
    if row.overnight_in_at is None:
        out.append(forms.form("overnight_in", "Overnight in", who, one))
    elif in_custody:
        out.append(forms.form("overnight_out", "Overnight out", who, one))
    if not in_custody and row.case_status == CaseStatus.IN_US_FOR_HEARING:
        out.append(
            forms.form(
                "return", "Return to Mexico", who, _hidden("case", [row.case_id]), f"ret-{row.hearing_id}"
            )
        )
        mates = [m.case_id for m in row.family if m.checked_in]
        if mates:
            family = _hidden("case", [row.case_id, *mates])
            out.append(
                forms.form(
                    "return", f"Return family ({len(mates) + 1})", who, family, f"retf-{row.hearing_id}"
                )
            )
    return SafeString("".join(out))  # every part escaped above


def _on_day(words: str, day: dt.date | None) -> str:
    """A time in words ("2026-12-02 07:40 PST") without its date when it is the page's day (the heading
    names it): the row reads "07:40 PST"."""
    return words.removeprefix(f"{day.isoformat()} ") if day else words


def arrival_rows(
    rows: Sequence[ArrivalRow], forms: RowForms | None, now: dt.datetime, day: dt.date | None = None
) -> SafeString:
    """The ``<tr>`` of each arrival; without ``forms`` (the manifest) no action cell content. Times on
    ``day`` (the page's) are shown without the date."""
    prefix = reverse("hearings:port-case", args=[0])[: -len("0/")]
    out = []
    for row in rows:
        family = (
            format_html_join(", ", "{}{}", ((m.name, " ✓" if m.checked_in else "") for m in row.family))
            if row.family
            else "—"
        )
        holds = [*row.holds, *(f"family: {h}" for h in row.family_holds)]
        state_detail = (
            format_row(
                '<br><span class="font-body-3xs">in {}</span>', _clock(row.checked_in_at, row.port_time_zone)
            )
            if row.checked_in_at
            else ""
        )
        out.append(
            format_row(
                _ROW,
                row.hearing_id,
                row.state_code,
                _on_day(row.report_words, day),
                f"{prefix}{row.case_id}/",
                row.name,
                row.a_number or "no A-number",
                family,
                row.place_name,
                _on_day(row.hearing_words, day),
                row.language,
                row.counsel or "None of record",
                "; ".join(holds) or "—",
                row.state,
                state_detail,
                _actions(row, forms, now) if forms is not None else "",
            )
        )
    return SafeString("\n".join(out))


# --- the pages -----------------------------------------------------------------------------------------


def _scan_message(result: day_services.CheckIn) -> SafeString:
    person = result.case.alien
    port = result.hearing.hearing_location.reporting_port
    at = day_services.clock_words(result.attendance.checked_in_at, port)  # type: ignore[arg-type]
    place = result.hearing.hearing_location
    if result.already:
        text = format_row(
            "{} ({}) was already checked in at {}; nothing changed.", person.full_name, person.a_number, at
        )
    else:
        text = format_row(
            "Checked in: {} ({}) at {}, for the hearing at {}.",
            person.full_name,
            person.a_number,
            at,
            place.name,
        )
    if result.family:
        names = ", ".join(h.case.alien.full_name for h in result.family)
        text = format_row(
            '{} <span data-testid="scan-family">Same slot, not yet checked in: {}.</span>', text, names
        )
    return text


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def arrivals(request: HttpRequest) -> HttpResponse:
    """The expected arrivals of a port on a day with the scan field (H1, N5). POST: a scan."""
    user = _port_user(request)
    source = request.POST if request.method == "POST" else request.GET
    if not source.get("port") and not day_selectors.ports_of(user):
        # A Border Patrol agent posted at a station: nobody reports there for a hearing.
        return render(request, "hearings/port/no_port.html")
    port, ports = _chosen_port(user, source.get("port"))
    day = _date_or_none(source.get("day")) or day_selectors.port_today(port)
    if request.method == "POST":
        try:
            result = day_services.check_in_scan(
                port_id=port.pk, code=request.POST.get("code", ""), actor=user
            )
        except DomainError as error:
            messages.error(request, domain_error_text(error))
        else:
            _log_cases(request, user, [result.case.pk])
            for warning in result.warnings:
                messages.warning(
                    request,
                    format_row('{} <span class="mpp-code">({})</span>', warning.message, warning.code),
                )
            messages.success(request, _scan_message(result))
        return HttpResponseRedirect(_arrivals_url(port.pk, day))
    after = request.GET.get("after", "")
    page = day_selectors.expected_arrivals(user=user, port_id=port.pk, day=day, after=after or None)
    if page is None:
        raise Http404("No such port among your duty locations.")
    _log_cases(request, user, [r.case_id for r in page.rows])
    forms = RowForms(
        action_url=reverse("hearings:port-action"), token=get_token(request), port=port, day=day, after=after
    )
    context = {
        "port": port,
        "ports": ports,
        "day": day,
        "today": day_selectors.port_today(port),
        "previous_day": (day - dt.timedelta(days=1)).isoformat(),
        "next_day": (day + dt.timedelta(days=1)).isoformat(),
        "rows": page.rows,
        "rows_html": arrival_rows(page.rows, forms, timezone.now(), day),
        "next_url": _arrivals_url(port.pk, day, page.next_after) if page.next_after else "",
        "first_url": _arrivals_url(port.pk, day) if after else "",
    }
    return render(request, "hearings/port/arrivals.html", context)


def _run_action(action: str, *, user: User, port: Location, request: HttpRequest) -> str:
    """Run one step; returns the success message."""
    hearing_ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("hearing")) if i is not None]
    case_ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("case")) if i is not None]
    reason = request.POST.get("reason", "")
    count = len(hearing_ids) or len(case_ids)
    people = "1 person" if count == 1 else f"{count} people"
    if action == "check_in":
        results = day_services.check_in(hearing_ids=hearing_ids, actor=user)
        names = ", ".join(r.case.alien.full_name for r in results)
        at = day_services.clock_words(timezone.now(), port)
        return f"Checked in at {at}: {names}."
    if action == "transported":
        day_services.transported(hearing_ids=hearing_ids, actor=user)
        return f"Transported to the court or hearing facility: {people}."
    if action == "failed_to_appear":
        day_services.failed_to_appear_at_port(hearing_ids=hearing_ids, actor=user, reason=reason)
        return f"Recorded as failing to appear: {people}."
    if action == "overnight_in":
        day_services.overnight_in(hearing_ids=hearing_ids, actor=user)
        return f"Held overnight in CBP custody: {people}."
    if action == "overnight_out":
        day_services.overnight_out(hearing_ids=hearing_ids, actor=user)
        return f"Released from overnight custody: {people}."
    if action == "return":
        day_services.return_to_mexico(case_ids=case_ids, port_id=port.pk, actor=user, reason=reason)
        return f"Returned to Mexico at {port.name}: {people}."
    raise Http404("No such step.")


@never_cache
@login_required
@require_POST
def arrivals_action(request: HttpRequest) -> HttpResponse:
    """One hearing-day step from a row of the arrivals list (PRG back to the list)."""
    user = _port_user(request)
    port, _ports = _chosen_port(user, request.POST.get("port"))
    day = _date_or_none(request.POST.get("day")) or day_selectors.port_today(port)
    back = _int_or_none(request.POST.get("case_page"))
    try:
        done = _run_action(request.POST.get("action", ""), user=user, port=port, request=request)
    except DomainError as error:
        messages.error(request, domain_error_text(error))
    else:
        messages.success(request, done)
    if back is not None:
        return HttpResponseRedirect(reverse("hearings:port-case", args=[back]))
    return HttpResponseRedirect(_arrivals_url(port.pk, day, request.POST.get("after", "")))


@never_cache
@login_required
@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The day's expected arrivals on one printable page (up to ``MANIFEST_MAX``)."""
    user = _port_user(request)
    port, _ports = _chosen_port(user, request.GET.get("port"))
    day = _date_or_none(request.GET.get("day")) or day_selectors.port_today(port)
    page = day_selectors.arrivals_manifest(user=user, port_id=port.pk, day=day)
    if page is None:
        raise Http404("No such port among your duty locations.")
    _log_cases(request, user, [r.case_id for r in page.rows])
    context = {
        "port": port,
        "day": day,
        "rows": page.rows,
        "more": page.more,
        "max_rows": day_selectors.MANIFEST_MAX,
        "rows_html": manifest_rows(page.rows),
        "printed_at": day_services.clock_words(timezone.now(), port),
    }
    return render(request, "hearings/port/manifest.html", context)


_MANIFEST_ROW = (
    '<tr data-testid="manifest-row"><td>{}</td><td>{}</td><td class="mpp-a-number">{}</td><td>{}</td>'
    "<td>{}, {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
)


def manifest_rows(rows: Sequence[ArrivalRow]) -> SafeString:
    out = []
    for index, row in enumerate(rows, start=1):
        out.append(
            format_row(
                _MANIFEST_ROW,
                index,
                _clock(row.report_at, row.port_time_zone),
                row.a_number,
                row.name,
                row.place_name,
                row.hearing_words,
                row.language,
                row.counsel or "—",
                "; ".join([*row.holds, *(f"family: {h}" for h in row.family_holds)]) or "—",
                row.state,
            )
        )
    return SafeString("\n".join(out))


@never_cache
@login_required
@require_safe
def port_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case's hearing day at the port: its hearings with each step recorded, and the return to Mexico
    (after the NTA was served, or when the day's processing ended)."""
    user = _port_user(request)
    found = day_selectors.port_case(user=user, case_id=case_id)
    if found is None:
        raise Http404("No such case that you can see.")
    case, hearings = found
    _log_cases(request, user, [case.pk])
    ports = day_selectors.ports_of(user)
    rows = []
    for hearing in hearings:
        place = hearing.hearing_location
        attendance = getattr(hearing, "attendance", None)
        rows.append(
            {
                "hearing": hearing,
                "report": local_words(hearing.report_at, place.reporting_port.time_zone),
                "when": local_words(hearing.starts_at, place.time_zone),
                "attendance": attendance,
                "steps": _steps(attendance, place.reporting_port.time_zone),
            }
        )
    context = {
        "case": case,
        "rows": rows,
        "ports": ports,
        "may_return": case.status in day_services.RETURN_FROM and bool(ports),
        "default_port": case.reporting_port_id or (ports[0].pk if ports else None),
    }
    return render(request, "hearings/port/case.html", context)


def _steps(attendance: HearingAttendance | None, tz_name: str) -> list[tuple[str, str]]:
    if attendance is None:
        return []
    steps = [
        ("Checked in", attendance.checked_in_at),
        ("Transported", attendance.transported_at),
        (attendance.get_appearance_display() if attendance.appearance else "", attendance.appearance_at),
        ("Overnight custody from", attendance.overnight_in_at),
        ("Overnight custody until", attendance.overnight_out_at),
        ("Returned to Mexico", attendance.returned_at),
    ]
    return [(label, local_words(at, tz_name)) for label, at in steps if at is not None and label]
