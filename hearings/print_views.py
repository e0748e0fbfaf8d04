"""The print staff's pages (N1, N5) and the documents as PDF downloads.

- the print queue of a duty location: sheets waiting (new and reissued), printed (to reprint) or
  superseded (read only: "do not print"), filtered by court and hearing day, 50 a page by keyset; the
  checked sheets are printed as one batch (``hearings.services.print_batch_create``); a small batch is
  built while the page waits, a larger one by the Celery task;
- a batch's page: its progress (refreshed by htmx every second while it builds; a "Refresh" link without
  JavaScript), the sheets that failed and why, the PDF, and "Mark printed" (who and when, reprints told
  apart);
- one tear sheet as PDF (any role that may read the case), and a family's NTA record as PDF.

Print pages are for print staff only (403 for any other role), at their duty locations: another location's
batch answers 404 like a missing one. Views only call selectors and services; every list of people shown
is recorded in the access log.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from typing import Any

from babel import Locale
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cases.models import full_name
from hearings import selectors, services
from hearings.documents import TearSheetError, nta_record_pdf, tear_sheet_pdf
from hearings.i18n import local_words
from hearings.models import PrintBatch, PrintBatchItem, TearSheet
from hearings.print_forms import QUEUE_STATES, PrintQueueFilterForm, PrintSelectionForm
from hearings.workflow import COURT_ROLES, PRINT_ROLES, SERVE_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError
from mpp.pagination import SortOption, keyset_page

# The queue in the order the selector gives it: the sheet issued first is printed first.
QUEUE_SORTS = (
    SortOption(
        key="issued",
        label="Oldest issued first",
        ordering=("issued_at", "id"),
        earlier="Issued earlier",
        later="Issued later",
        start="Oldest",
    ),
)
RECENT_BATCHES = 10
# Who may download a family's NTA record: those who serve it, their supervisors, the court it is filed
# with, and the print staff who hand it over with the packet.
NTA_RECORD_ROLES = frozenset({*SERVE_ROLES, Role.CBP_SUPERVISOR, *COURT_ROLES, *PRINT_ROLES})
BILINGUAL = "English and Spanish"


def _require_print_staff(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not user.has_role(*PRINT_ROLES):
        raise PermissionDenied("The print queue is for print staff.")
    return user


def _zone_words(moment: dt.datetime, tz_name: str) -> str:
    """ "Tue 2026-12-15 08:30 PST (America/Los_Angeles)": the local time with its zone named."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{local:%a %Y-%m-%d %H:%M} {local:%Z} ({tz_name})"


@functools.lru_cache(maxsize=64)
def language_words(language_code: str) -> str:
    """The language a sheet is printed in, in English words; "" is the bilingual sheet (N1a)."""
    if not language_code:
        return BILINGUAL
    try:
        return str(Locale.parse(language_code.replace("-", "_")).get_display_name("en"))
    except (ValueError, LookupError):
        return language_code


@dataclass(frozen=True)
class QueueRow:
    sheet_id: int
    version: int
    reason: str
    reason_label: str
    print_count: int
    superseded: bool
    replacement_version: int | None
    person: str
    a_number: str
    language: str
    hearing_when: str
    hearing_zone: str
    court: str
    hearing_place: str
    issued_when: str
    selectable: bool
    checked: bool


_REASON_LABELS = dict(TearSheet.Reason.choices)


def _queue_rows(sheet_ids: list[int], *, state: str, checked: set[int]) -> list[QueueRow]:
    """The rows of the sheets ``sheet_ids`` (the page's, in its order), from plain values: fifty sheets with
    their case, person, hearing, place, court and location as model instances cost ~5 ms of a page at 500k
    cases, and the eight-table join as the keyset query was planned anew on every request (~5 ms)."""
    rows = []
    for v in selectors.print_queue_values(sheet_ids):
        tz_name = v["hearing__hearing_location__time_zone"]
        rows.append(
            QueueRow(
                sheet_id=v["id"],
                version=v["version"],
                reason=v["reason"],
                reason_label=str(_REASON_LABELS.get(v["reason"], v["reason"])),
                print_count=v["print_count"],
                superseded=v["superseded_at"] is not None,
                replacement_version=v["superseded_by__version"],
                person=full_name(v["case__alien__given_names"], v["case__alien__family_name"]),
                a_number=v["case__alien__a_number"] or "",
                language=language_words(v["language_code"]),
                hearing_when=local_words(v["hearing__starts_at"], tz_name),
                hearing_zone=tz_name,
                court=v["hearing__hearing_location__court__name"],
                hearing_place=v["hearing__hearing_location__name"],
                issued_when=local_words(v["issued_at"], v["location__time_zone"], weekday=False),
                selectable=state != "superseded" and v["superseded_at"] is None,
                checked=v["id"] in checked,
            )
        )
    return rows


def _render_queue(
    request: HttpRequest,
    *,
    user: User,
    params: QueryDict,
    selection: PrintSelectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    locations = list(selectors.print_locations(user=user))
    filter_form = PrintQueueFilterForm(
        params if params else None, locations=locations, courts=selectors.hearing_courts()
    )
    filters = filter_form.filters()
    location, state = filters["location"], filters["state"]
    if location is None:
        queue = selectors.print_queue(user=user).none()
    else:
        queue = selectors.print_queue(
            user=user,
            location_id=location.pk,
            state=state,
            court_id=filters["court"].pk if filters["court"] else None,
            hearing_on=filters["hearing_on"],
        )
    # The keyset page on the sheets alone (no joins to plan), then their rows' values (_queue_rows).
    page = keyset_page(queue.select_related(None).only("id", "issued_at"), sorts=QUEUE_SORTS, params=params)
    checked: set[int] = set()
    if selection is not None and isinstance(selection.data, QueryDict):  # a refused print: keep the choice
        checked = {int(v) for v in selection.data.getlist("sheets") if v.isdigit()}
    elif params.get("select") == "all":  # "Select all on this page" without JavaScript
        checked = {sheet.pk for sheet in page.rows}
    rows = _queue_rows([sheet.pk for sheet in page.rows], state=state, checked=checked)
    batches = list(selectors.print_batches(user=user)[:RECENT_BATCHES])
    # The queue names people: one access-log row for the sheets shown.
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="tear_sheet",
        object_ids=[row.sheet_id for row in rows],
    )
    # The tabs keep the location and filters; each starts at the first page.
    kept = {
        key: str(value.pk if hasattr(value, "pk") else value)
        for key, value in filters.items()
        if value is not None and key != "state"
    }
    tabs = [
        {
            "state": key,
            "label": label,
            "query": "?" + _urlencode({**kept, "state": key}),
            "current": key == state,
        }
        for key, label in QUEUE_STATES
    ]
    context = {
        "filter_form": filter_form,
        "filters": filters,
        "location": location,
        "state": state,
        "state_label": dict(QUEUE_STATES)[state],
        "tabs": tabs,
        "page": page,
        "rows": rows,
        "selectable": state != "superseded",
        "selection": selection or PrintSelectionForm(),
        "select_all_query": "?" + _urlencode({**kept, "state": state, "select": "all"}),
        "hidden_filters": [(key, value) for key, value in {**kept, "state": state}.items()],
        "batches": batches,
        "several_locations": len(locations) > 1,
        "inline_max": services.INLINE_BATCH_MAX,
    }
    return render(request, "hearings/print_queue.html", context, status=status)


def _urlencode(values: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(values)
    return query.urlencode()


@never_cache
@login_required
@require_safe
def print_queue(request: HttpRequest) -> HttpResponse:
    """The print queue of a duty location, 50 sheets a page, oldest issued first (N1, N5)."""
    user = _require_print_staff(request)
    return _render_queue(request, user=user, params=request.GET)


@never_cache
@login_required
@require_POST
def print_batch_create(request: HttpRequest) -> HttpResponse:
    """Print the checked sheets as one PDF: a batch of up to INLINE_BATCH_MAX sheets is built now, a larger
    one by the Celery task (enqueued after commit); then the batch's page shows its progress."""
    user = _require_print_staff(request)
    selection = PrintSelectionForm(request.POST)
    # The queue to show again on a refusal: the filters the form carried.
    params = QueryDict(mutable=True)
    for key in ("location", "state", "court", "hearing_on"):
        if request.POST.get(key):
            params[key] = request.POST[key]
    if not selection.is_valid():
        return _render_queue(request, user=user, params=params, selection=selection, status=400)
    try:
        batch = services.print_batch_create(sheet_ids=selection.cleaned_data["sheets"], actor=user)
    except DomainError as error:
        selection.add_domain_error(error)
        return _render_queue(request, user=user, params=params, selection=selection, status=error.http_status)
    if batch.total <= services.INLINE_BATCH_MAX:
        batch = services.print_batch_build(batch_id=batch.pk)
    return redirect("hearings:print-batch", batch_id=batch.pk)


def _batch_for(request: HttpRequest, batch_id: int) -> tuple[User, PrintBatch]:
    user = _require_print_staff(request)
    batch = selectors.print_batch_for(user=user, batch_id=batch_id)
    if batch is None:  # missing, or another location's: the same answer
        raise Http404("No print batch with that number at your duty locations.")
    return user, batch


@dataclass(frozen=True)
class BatchItemRow:
    item: PrintBatchItem
    person: str
    a_number: str
    version: int
    failed: bool


@never_cache
@login_required
@require_safe
def print_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A batch's progress, its failed sheets, and when it is ready the PDF and "Mark printed". With
    ``?partial=progress`` only the progress fragment (what htmx asks for every second while it builds)."""
    user, batch = _batch_for(request, batch_id)
    items = list(selectors.print_batch_items(batch))
    rows = [
        BatchItemRow(
            item=item,
            person=item.sheet.case.alien.full_name,
            a_number=item.sheet.case.alien.a_number or "",
            version=item.sheet.version,
            failed=item.status == PrintBatchItem.Status.FAILED,
        )
        for item in items
    ]
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="tear_sheet",
        object_ids=[item.sheet_id for item in items],
    )
    building = batch.status in (PrintBatch.Status.QUEUED, PrintBatch.Status.BUILDING)
    context: dict[str, Any] = {
        "batch": batch,
        "rows": rows,
        "failed_rows": [row for row in rows if row.failed],
        "building": building,
        "ready": batch.status == PrintBatch.Status.READY,
        "zone": batch.location.time_zone,
        "requested_when": _zone_words(batch.created_at, batch.location.time_zone),
        "marked_when": (
            _zone_words(batch.marked_printed_at, batch.location.time_zone) if batch.marked_printed_at else ""
        ),
        "progress_url": reverse("hearings:print-batch", args=[batch.pk]) + "?partial=progress",
    }
    if request.GET.get("partial") == "progress":
        return render(request, "hearings/print_batch_progress_partial.html", context)
    return render(request, "hearings/print_batch.html", context)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_safe
def print_batch_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch's PDF, once it is built (until then, back to its page)."""
    user, batch = _batch_for(request, batch_id)
    if batch.status != PrintBatch.Status.READY or not batch.pdf:
        messages.info(request, f"Batch {batch.pk} is not ready yet: its PDF is still being built.")
        return redirect("hearings:print-batch", batch_id=batch.pk)
    items = selectors.print_batch_items(batch).filter(status=PrintBatchItem.Status.OK)
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="tear_sheet",
        object_ids=[item.sheet_id for item in items],
    )
    return _pdf_response(bytes(batch.pdf), f"tear-sheets-batch-{batch.pk}.pdf")


@never_cache
@login_required
@require_POST
def print_batch_printed(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Record that the batch's sheets were printed: who and when; a sheet printed before is a reprint."""
    user, batch = _batch_for(request, batch_id)
    already = batch.marked_printed_at is not None
    try:
        batch = services.print_batch_mark_printed(batch_id=batch.pk, actor=user)
    except DomainError as error:
        messages.error(request, f"{error.code}: {error.message}")
        return redirect("hearings:print-batch", batch_id=batch.pk)
    sheets, reprints = selectors.print_batch_print_counts(batch)
    if already:
        messages.info(request, f"Batch {batch.pk} was already marked printed; nothing was changed.")
    else:
        noun = "sheet" if sheets == 1 else "sheets"
        messages.success(request, f"{sheets} {noun} marked printed ({reprints} reprints).")
    return redirect("hearings:print-batch", batch_id=batch.pk)


# --- Documents -------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def tear_sheet_pdf_view(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """One tear sheet as PDF, for any role that may read the case; a superseded version prints with its
    SUPERSEDED banner (N5)."""
    user = signed_in_user(request)
    if not selectors.may_read_hearings(user):
        raise PermissionDenied("Tear sheets are for the roles that work on hearings.")
    sheet = selectors.tear_sheet_for(user=user, sheet_id=sheet_id)
    if sheet is None:
        raise Http404("No tear sheet with that number that you can see.")
    data = selectors.tear_sheet_data_many([sheet.pk])[sheet.pk]
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="tear_sheet",
        object_ids=[sheet.pk],
    )
    try:
        pdf = tear_sheet_pdf([data])
    except TearSheetError as error:
        return render(
            request,
            "hearings/print_document_refused.html",
            {
                "what": f"Tear sheet v{sheet.version}",
                "why": str(error.__cause__ or error),
                "case": sheet.case,
            },
            status=409,
        )
    return _pdf_response(pdf, f"tear-sheet-case-{sheet.case_id}-v{sheet.version}.pdf")


@never_cache
@login_required
@require_safe
def nta_record_pdf_view(request: HttpRequest, encounter_id: int) -> HttpResponse:
    """The NTA record of the family's served members visible to the user (N2), one page each."""
    user = signed_in_user(request)
    if not user.has_role(*NTA_RECORD_ROLES):
        raise PermissionDenied("The NTA record is for officers, agents, supervisors, court and print staff.")
    family = selectors.family_nta_form_cases(user=user, encounter_id=encounter_id)
    cases = [case for case in family if getattr(case, "has_nta", False)]
    if not cases:
        raise Http404("No served Notice to Appear in that family that you can see.")
    record = selectors.nta_record_data(case_ids=[case.pk for case in cases])
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="case",
        object_ids=[case.pk for case in cases],
    )
    try:
        pdf = nta_record_pdf(record)
    except ValueError as error:
        return render(
            request,
            "hearings/print_document_refused.html",
            {"what": "The NTA record", "why": str(error), "case": cases[0]},
            status=409,
        )
    return _pdf_response(pdf, f"nta-record-family-{encounter_id}.pdf")
