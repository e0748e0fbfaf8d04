"""The hearings pages of CBP officers and agents and of immigration court staff: serving the family's NTA
with its initial hearing (N1, N3), docket time (slots), the filing queue (M3/M4), the docket, moving a
hearing (H2), a case's hearings and documents (N5) and the change of address (EOIR-33, N6). Print staff's
pages are in ``hearings.print_views``.

Views only call selectors (reads) and services (writes) and map a service's refusal (``DomainError``) to a
message next to the field it names, with the rule ID and reason code. Who may open which page (deny by
default: any other role gets 403):

- the family's NTA: CBP officers and Border Patrol agents (``SERVE_ROLES``), at the family's location;
- slots, the filing queue, moving a hearing: court staff (``COURT_ROLES``);
- the docket (``hearings.court_views``, with the in-court actions): court staff, and CBP officers, agents and
  supervisors (read only; their locations' people);
- a case's hearings and documents: whoever reads hearings (``READ_ROLES``) and sees the case;
- the change of address: court staff, officers and agents (``ADDRESS_ROLES``).

A record outside the user's duty locations answers 404, like a missing one. Every page works without
JavaScript; on the case page htmx only loads the hearings summary in place.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_countries import countries

from cases.forms import domain_error_text
from cases.models import CASE_CLOSED_STATUSES, Case, CaseStatus, FamilyMember
from cases.selectors import cases_visible_to, family_open_holds, move_refusal
from hearings import court_selectors, selectors, services
from hearings.court_forms import (
    AppealForm,
    ReopeningForm,
    RepresentationEndForm,
    RepresentationForm,
    ScheduleForm,
)
from hearings.forms import (
    AddressChangeForm,
    HearingMoveForm,
    NtaFileForm,
    NtaServeForm,
    SlotsPublishForm,
)
from hearings.models import Hearing, HearingLocation, HearingSlot, NoticeToAppear, TearSheet
from hearings.print_views import language_words
from hearings.rules import nta_allegations
from hearings.templatetags.hearings_pages import zone_words
from hearings.workflow import ADDRESS_ROLES, COURT_ROLES, NTA_SERVICE, SERVE_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role, roles_in_words
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError
from mpp.pagination import SortOption, keyset_page

# The slots offered when serving an NTA: the next three weeks (the initial hearing is soon after).
SERVE_SLOT_DAYS = 21
# The slots offered when moving a hearing: the next two months, before the same court.
MOVE_SLOT_DAYS = 60
# A slot picker lists at most this many slots; choosing a hearing location narrows it (the page says so).
SLOT_CHOICES_MAX = 400
# Who reads the docket: court staff, who run it, and the CBP field roles who bring people to it (H1).
DOCKET_ROLES = frozenset({*COURT_ROLES, *SERVE_ROLES, Role.CBP_SUPERVISOR})

FILING_SORTS = (
    SortOption(
        key="served",
        label="Oldest served first",
        ordering=("served_at", "id"),
        earlier="Served earlier",
        later="Served later",
        start="Oldest",
    ),
)


DOCKET_SORTS = (
    SortOption(
        key="time",
        label="In hearing order",
        ordering=("starts_at", "id"),
        earlier="Earlier hearings",
        later="Later hearings",
        start="First hearings",
    ),
)


def _user_with(request: HttpRequest, roles: frozenset[str], what: str) -> User:
    user = signed_in_user(request)
    if not user.has_role(*roles):
        raise PermissionDenied(f"{what} is for: {roles_in_words(roles)}.")
    return user


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _date_or_none(value: str | None) -> dt.date | None:
    try:
        return parse_date((value or "").strip()[:10])
    except ValueError:  # well formed but no such day (2026-02-30)
        return None


def _local_day(moment: dt.datetime, tz_name: str) -> dt.date:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(tz_name)).date()


def _log_cases(request: HttpRequest, user: User, case_ids: Iterable[int]) -> None:
    """The page names these cases' people: one access-log row for the cases shown."""
    access_log_record(
        user=user, request=request, channel=AccessLog.Channel.PAGE, object_type="case", object_ids=case_ids
    )


def _chosen_place(places: Sequence[HearingLocation], value: str | None) -> HearingLocation | None:
    wanted = _int_or_none(value)
    return next((p for p in places if p.pk == wanted), places[0] if places else None)


# --- Slot pickers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotChoice:
    slot: HearingSlot
    day: dt.date  # at the hearing location
    hearing_when: str  # in the hearing location's zone, named
    report_when: str  # at the reporting port, in the port's zone, named
    report_at: dt.datetime
    room: int


@dataclass
class SlotGroup:
    place: HearingLocation
    days: list[tuple[dt.date, list[SlotChoice]]] = field(default_factory=list)


def _slot_groups(slots: Iterable[HearingSlot]) -> list[SlotGroup]:
    """Slots grouped by hearing location (by name), then by day there; each with the hearing time in the
    location's zone and the report time at its port in the port's zone (they can differ)."""
    groups: dict[int, SlotGroup] = {}
    for slot in slots:
        place = slot.hearing_location
        group = groups.setdefault(place.pk, SlotGroup(place))
        day = _local_day(slot.starts_at, place.time_zone)
        if not group.days or group.days[-1][0] != day:
            group.days.append((day, []))
        group.days[-1][1].append(
            SlotChoice(
                slot=slot,
                day=day,
                hearing_when=zone_words(slot.starts_at, place.time_zone),
                report_when=zone_words(slot.starts_at - place.report_lead, place.reporting_port.time_zone),
                report_at=slot.starts_at - place.report_lead,
                room=slot.room,
            )
        )
    return sorted(groups.values(), key=lambda g: (g.place.name, g.place.pk))


def _bounded(slots: QuerySet[HearingSlot]) -> tuple[list[HearingSlot], bool]:
    """At most SLOT_CHOICES_MAX slots, and whether there were more (one query of max + 1 rows)."""
    rows = list(slots[: SLOT_CHOICES_MAX + 1])
    return rows[:SLOT_CHOICES_MAX], len(rows) > SLOT_CHOICES_MAX


# --- The family's NTA (N1, N3) -----------------------------------------------------------------------


@dataclass
class NtaMemberRow:
    case: Case
    relationship_label: str
    state: str  # "serve" (will be served now), "served", "blocked" (a hold refuses it), "not_amenable"
    why: SafeString | str = ""
    allegations: list[str] = field(default_factory=list)


def _family_cases(request: HttpRequest, encounter_id: int) -> tuple[User, list[Case]]:
    user = _user_with(request, SERVE_ROLES, "Serving a Notice to Appear")
    cases = selectors.family_nta_form_cases(user=user, encounter_id=encounter_id)
    if not cases:  # no such family, or not at the user's duty locations: the same answer
        raise Http404("No such family at your duty locations.")
    return user, cases


def _relationship_label(value: str | None) -> str:
    try:
        return str(FamilyMember.Relationship(value or "").label)
    except ValueError:
        return "Member"


def _nta_rows(user: User, cases: list[Case], classification: str) -> list[NtaMemberRow]:
    encounter = cases[0].encounter
    arrived_on = _local_day(encounter.occurred_at, encounter.location.time_zone)
    holds = family_open_holds(family_unit_id=encounter.family_unit_id)
    rows = []
    for case in cases:
        row = NtaMemberRow(
            case=case,
            relationship_label=_relationship_label(getattr(case, "relationship", "")),
            state="serve",
        )
        if getattr(case, "has_nta", False):
            row.state = "served"
        elif case.status != CaseStatus.AMENABLE:
            row.state = "not_amenable"
            row.why = f"{case.get_status_display()}: only members the supervisor found amenable are served an NTA (A3)."
        else:
            # The predicate nta_serve_family enforces after locking: a pending fear claim (S1/S4) refuses it.
            refusal = move_refusal(
                actor=user, case=case, target=CaseStatus.ENROLLED, workflow=NTA_SERVICE, holds=holds
            )
            if refusal is not None:
                row.state = "blocked"
                row.why = domain_error_text(refusal)
        if row.state in ("serve", "blocked"):
            row.allegations = nta_allegations(
                citizen_of=str(
                    countries.name(str(case.alien.country_of_citizenship))
                    or case.alien.country_of_citizenship
                ),
                arrived_at=encounter.location.name,
                arrived_on=f"{arrived_on:%B} {arrived_on.day}, {arrived_on.year}",
                classification=classification,
            )
        rows.append(row)
    return rows


def _render_nta(
    request: HttpRequest,
    user: User,
    cases: list[Case],
    *,
    form: NtaServeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    encounter = cases[0].encounter
    _log_cases(request, user, [c.pk for c in cases])
    head = next(
        (c for c in cases if getattr(c, "relationship", "") == FamilyMember.Relationship.HEAD), cases[0]
    )
    charges = selectors.charges_active()
    languages = selectors.languages()
    if form is None:
        form = NtaServeForm(
            initial=NtaServeForm.initial_for(
                language_code=head.alien.preferred_language.code,
                arriving=encounter.location.kind == Location.Kind.PORT_OF_ENTRY,
            ),
            charges=charges,
            languages=languages,
        )
    classification = str(form["classification"].value() or NoticeToAppear.Classification.ARRIVING)
    rows = _nta_rows(user, cases, classification)
    to_serve = [r for r in rows if r.state == "serve"]
    blocked = [r for r in rows if r.state == "blocked"]
    places = list(selectors.hearing_locations())
    # The hearing locations people of this port report for come first; "all" lists every location.
    place_param = request.GET.get("place", "")
    near = [p for p in places if p.reporting_port_id == encounter.location_id]
    chosen = next((p for p in places if str(p.pk) == place_param), None)
    shown_places = [chosen] if chosen else (places if place_param == "all" or not near else near)
    groups: list[SlotGroup] = []
    more = False
    if to_serve and not blocked:
        slots = selectors.slots_list(days=SERVE_SLOT_DAYS, with_room=len(to_serve)).filter(
            hearing_location_id__in=[p.pk for p in shown_places]
        )
        rows_shown, more = _bounded(slots)
        groups = _slot_groups(rows_shown)
    chosen_slot = form["slot"].value()
    context = {
        "encounter": encounter,
        "zone": encounter.location.time_zone,
        "head": head,
        "rows": rows,
        "to_serve": to_serve,
        "blocked": blocked,
        "served": [r for r in rows if r.state == "served"],
        "form": form,
        "charge_choices": [(c.code, f"INA {c.code}", c.text) for c in charges],
        "checked_charges": set(form["charges"].value() or []),
        "places": places,
        "place_param": place_param,
        "shown_places": shown_places,
        "near": near,
        "groups": groups,
        "more_slots": more,
        "slot_days": SERVE_SLOT_DAYS,
        "chosen_slot": str(chosen_slot) if chosen_slot else "",
        "action": request.get_full_path(),
    }
    return render(request, "hearings/family_nta.html", context, status=status)


def _served_message(encounter_id: int, cases: dict[int, Case], ntas: Sequence[NoticeToAppear]) -> SafeString:
    hearing = ntas[0].initial_hearing
    place = hearing.hearing_location
    names = ", ".join(cases[n.case_id].alien.full_name for n in ntas if n.case_id in cases)
    return format_html(
        "NTA served on {names}. Initial hearing: {place}, {when}; report at {port}, {report}. "
        '<a class="usa-link" href="{pdf}" data-testid="nta-pdf-link">Print the NTA record (PDF)</a> · '
        '<a class="usa-link" href="{queue}">The print staff’s queue</a>',
        names=names,
        place=place.name,
        when=zone_words(hearing.starts_at, place.time_zone),
        port=place.reporting_port.name,
        report=zone_words(hearing.report_at, place.reporting_port.time_zone),
        pdf=reverse("hearings:nta-pdf", args=[encounter_id]),
        queue=reverse("hearings:print-queue"),
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def family_nta(request: HttpRequest, encounter_id: int) -> HttpResponse:
    """Serve the NTA on every amenable member of the family, in one action (N1): one slot for all, each
    member's NTA, the first tear sheet, the move to enrolled."""
    user, cases = _family_cases(request, encounter_id)
    if request.method != "POST":
        return _render_nta(request, user, cases)
    form = NtaServeForm(request.POST, charges=selectors.charges_active(), languages=selectors.languages())
    if not form.is_valid():
        return _render_nta(request, user, cases, form=form, status=400)
    before = {c.pk for c in cases if getattr(c, "has_nta", False)}
    data = form.cleaned_data
    try:
        ntas = services.nta_serve_family(
            encounter_id=encounter_id,
            slot_id=data["slot"],
            actor=user,
            classification=data["classification"],
            charge_codes=data["charges"],
            oral_notice_language=data["oral_notice_language"],
            interpretation=data["interpretation"],
            interpreter_language=data["interpreter_language"] or None,
            address=form.address_input(),
        )
    except DomainError as error:
        form.add_domain_error(error)
        if error.code in ("slot_full", "slot_past"):
            form.add_error("slot", "Choose another slot: the list below is up to date.")
        # Reload: the family may have changed meanwhile (served, a hold opened), and the page must show it.
        _, cases = _family_cases(request, encounter_id)
        return _render_nta(request, user, cases, form=form, status=error.http_status)
    by_id = {c.pk: c for c in cases}
    head = next(
        (c for c in cases if getattr(c, "relationship", "") == FamilyMember.Relationship.HEAD), cases[0]
    )
    new = [n for n in ntas if n.case_id not in before]
    if not new:
        messages.info(request, "The NTA had already been served on every member; nothing changed.")
    else:
        messages.success(request, _served_message(encounter_id, by_id, new))
    return redirect("cases:detail", pk=head.pk)


# --- Docket time (slots) -----------------------------------------------------------------------------


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def slots(request: HttpRequest) -> HttpResponse:
    """Court staff: a hearing location's slots for a week (``?place=&week=``), and publishing docket time.

    Not paginated: one location's week is bounded (7 days of a docket's start times, about 10 a day)."""
    user = _user_with(request, COURT_ROLES, "Docket time")
    places = list(selectors.hearing_locations())
    place = _chosen_place(places, request.GET.get("place"))
    if place is None:
        raise Http404("No active hearing location.")
    today = timezone.localdate(timezone.now(), place.zone)
    week = _week_start(_date_or_none(request.GET.get("week")) or today)
    form = SlotsPublishForm(
        request.POST or None,
        places=selectors.hearing_locations(),
        shown=places,
        initial={"hearing_location": place.pk, "day": max(week, today)},
    )
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                published = services.slots_publish(
                    hearing_location_id=data["hearing_location"].pk,
                    day=data["day"],
                    times=data["times"],
                    capacity=data["capacity"],
                    actor=user,
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.http_status
            else:
                where = data["hearing_location"]
                times = ", ".join(zone_words(s.starts_at, where.time_zone) for s in published)
                messages.success(
                    request,
                    f"Published {len(published)} slot{'s' if len(published) != 1 else ''} at {where.name} "
                    f"({data['capacity']} places each): {times}.",
                )
                query = urlencode({"place": where.pk, "week": _week_start(data["day"]).isoformat()})
                return redirect(f"{reverse('hearings:slots')}?{query}")
    # The UTC window around the local week (every zone is a few hours from UTC), then the local days.
    window = selectors.slots_list(hearing_location_id=place.pk, start=week - dt.timedelta(days=1), days=9)
    end = week + dt.timedelta(days=7)
    rows = [
        SlotChoice(
            slot=s,
            day=_local_day(s.starts_at, place.time_zone),
            hearing_when=zone_words(s.starts_at, place.time_zone),
            report_when=zone_words(s.starts_at - place.report_lead, place.reporting_port.time_zone),
            report_at=s.starts_at - place.report_lead,
            room=s.room,
        )
        for s in window
    ]
    rows = [row for row in rows if week <= row.day < end]
    context = {
        "places": places,
        "place": place,
        "week": week,
        "week_end": end - dt.timedelta(days=1),
        "previous_week": (week - dt.timedelta(days=7)).isoformat(),
        "next_week": end.isoformat(),
        "rows": rows,
        "form": form,
    }
    return render(request, "hearings/slots.html", context, status=status)


# --- The filing queue (M3/M4) ------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def filing_queue(request: HttpRequest) -> HttpResponse:
    """Served NTAs not yet confirmed as filed with the court, oldest first, 50 a page (keyset); only filed
    NTAs count as enrolled (M3/M4)."""
    user = _user_with(request, COURT_ROLES, "The filing queue")
    courts = selectors.hearing_courts()
    court = next((c for c in courts if c.pk == _int_or_none(request.GET.get("court"))), None)
    form = NtaFileForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                filed = services.nta_file(
                    nta_ids=form.cleaned_data["nta_ids"], filed_on=form.cleaned_data["filed_on"], actor=user
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.http_status
            else:
                count = len(filed)
                messages.success(
                    request,
                    f"{count} NTA{'s' if count != 1 else ''} confirmed as filed on "
                    f"{form.cleaned_data['filed_on']:%Y-%m-%d}; they now count as enrolled (M3/M4).",
                )
                return redirect(request.get_full_path())
    # The page's NTAs by keyset on narrow rows, then what the rows show as plain values (one query): fifty
    # NTAs with their case, person, court, places, hearing and officer as model instances cost ~5 ms of the
    # 15 a list may take at 500k cases (2026-12-04: 6.3 ms to read them as models, 1.4 as values).
    page = keyset_page(
        selectors.filing_queue(user=user, court_id=court.pk if court else None)
        .select_related(None)
        .only("id", "served_at", "case_id"),
        sorts=FILING_SORTS,
        params=request.GET,
    )
    _log_cases(request, user, [nta.case_id for nta in page.rows])
    checked = {str(v) for v in (form["nta_ids"].value() or [])} if form.is_bound else set()
    shown = selectors.filing_rows([nta.pk for nta in page.rows])
    rows = [
        {
            **row,
            "served_when": zone_words(row["served_at"], row["served_location__time_zone"]),
            "hearing_when": zone_words(
                row["initial_hearing__starts_at"], row["initial_hearing__hearing_location__time_zone"]
            ),
            "checked": str(row["id"]) in checked,
        }
        for row in shown
    ]
    context = {"courts": courts, "court": court, "page": page, "rows": rows, "form": form}
    return render(request, "hearings/filing_queue.html", context, status=status)


# --- The docket: hearings.court_views.docket (in court, H2–H5) -------------------------------------


# --- Moving a hearing (H2) ---------------------------------------------------------------------------


def _render_move(
    request: HttpRequest,
    user: User,
    hearing: Hearing,
    *,
    form: HearingMoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    _log_cases(request, user, [hearing.case_id])
    scheduled = hearing.status == Hearing.Status.SCHEDULED
    family = selectors.family_hearings_in_slot(user=user, hearing=hearing) if scheduled else []
    place = hearing.hearing_location
    groups: list[SlotGroup] = []
    more = False
    if scheduled:
        slots = (
            selectors.slots_list(days=MOVE_SLOT_DAYS, with_room=1)
            .filter(hearing_location__court_id=place.court_id)
            .exclude(pk=hearing.slot_id)
        )
        shown, more = _bounded(slots)
        groups = _slot_groups(shown)
    # The docket's "Continue" links here with ?mode=continued (H2); otherwise reschedule is preselected.
    asked = request.GET.get("mode")
    mode = Hearing.Status.CONTINUED if asked == Hearing.Status.CONTINUED else Hearing.Status.RESCHEDULED
    form = form or HearingMoveForm(initial={"mode": mode})
    chosen_slot = form["slot"].value()
    context = {
        "hearing": hearing,
        "case": hearing.case,
        "place": place,
        "when": zone_words(hearing.starts_at, place.time_zone),
        "report_when": zone_words(hearing.report_at, place.reporting_port.time_zone),
        "scheduled": scheduled,
        "closed": hearing.case.status in CASE_CLOSED_STATUSES,
        "replaced_by": getattr(hearing, "replaced_by", None) if not scheduled else None,
        "others": [h for h in family if h.pk != hearing.pk],
        "form": form,
        "groups": groups,
        "more_slots": more,
        "slot_days": MOVE_SLOT_DAYS,
        "chosen_slot": str(chosen_slot) if chosen_slot else "",
    }
    return render(request, "hearings/hearing_move.html", context, status=status)


def _visible_hearing(request: HttpRequest, hearing_id: int) -> tuple[User, Hearing]:
    user = _user_with(request, COURT_ROLES, "Rescheduling or continuing a hearing")
    hearing = selectors.hearing_for(user=user, hearing_id=hearing_id)
    if hearing is None:
        raise Http404("No such hearing.")
    return user, hearing


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def hearing_move(request: HttpRequest, hearing_id: int) -> HttpResponse:
    """Reschedule or continue a hearing (H2) — with the family's hearings in the same slot if asked — into
    a slot of the same court with room; the new tear sheet is issued by the event bus (N5)."""
    user, hearing = _visible_hearing(request, hearing_id)
    if request.method != "POST":
        return _render_move(request, user, hearing)
    form = HearingMoveForm(request.POST)
    if not form.is_valid():
        return _render_move(request, user, hearing, form=form, status=400)
    ids = [hearing.pk]
    if form.cleaned_data["family"] and hearing.status == Hearing.Status.SCHEDULED:
        ids = [h.pk for h in selectors.family_hearings_in_slot(user=user, hearing=hearing)] or ids
    try:
        moved = services.hearings_move(
            hearing_ids=ids,
            slot_id=form.cleaned_data["slot"],
            mode=form.cleaned_data["mode"],
            actor=user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        if error.code in ("slot_full", "slot_past"):
            form.add_error("slot", "Choose another slot: the list below is up to date.")
        _, hearing = _visible_hearing(request, hearing_id)
        return _render_move(request, user, hearing, form=form, status=error.http_status)
    new = moved[0]
    place = new.hearing_location
    verb = "rescheduled" if form.cleaned_data["mode"] == Hearing.Status.RESCHEDULED else "continued"
    count = len(moved)
    messages.success(
        request,
        f"{'Hearing' if count == 1 else f'{count} hearings'} {verb} to {place.name}, "
        f"{zone_words(new.starts_at, place.time_zone)}. A new tear sheet will be issued and the print staff of "
        f"{hearing.case.location.name} told (N5); the old one is marked superseded.",
    )
    return redirect("hearings:case-hearings", case_id=hearing.case_id)


# --- A case's hearings and documents -----------------------------------------------------------------


@dataclass(frozen=True)
class HearingRow:
    hearing: Hearing
    when: str
    report_when: str
    replaced_by: Hearing | None
    replaced_when: str
    replaces: Hearing | None


@dataclass(frozen=True)
class SheetRow:
    sheet: TearSheet
    language: str
    hearing_when: str
    issued_when: str
    printed_when: str
    superseded_by_version: int | None
    superseded_when: str


def _visible_case(request: HttpRequest, user: User, case_id: int) -> Case:
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:  # does not exist, or outside the user's duty locations: the same answer
        raise Http404("No such case.")
    return case


@never_cache
@login_required
@require_safe
def case_hearings(request: HttpRequest, case_id: int) -> HttpResponse:
    """The NTA (served, filed or not yet), the hearings newest first, the tear sheets (current, waiting,
    superseded: N5) and the addresses in Mexico (N6) of one case. ``?partial=1`` renders only the summary
    the case page loads in place (htmx)."""
    user = signed_in_user(request)
    if not selectors.may_read_hearings(user):
        raise PermissionDenied("Hearings and documents are not shown to your role.")
    case = _visible_case(request, user, case_id)
    data = selectors.case_hearings(user=user, case=case)
    if data is None:
        raise Http404("No such case.")
    _log_cases(request, user, [case.pk])
    local = case.location.time_zone
    by_id = {h.pk: h for h in data.hearings}
    replacement = {h.replaces_id: h for h in data.hearings if h.replaces_id}
    hearing_rows = []
    for h in data.hearings:
        place = h.hearing_location
        new = replacement.get(h.pk)
        hearing_rows.append(
            HearingRow(
                hearing=h,
                when=zone_words(h.starts_at, place.time_zone),
                report_when=zone_words(h.report_at, place.reporting_port.time_zone),
                replaced_by=new,
                replaced_when=zone_words(new.starts_at, new.hearing_location.time_zone) if new else "",
                replaces=by_id.get(h.replaces_id) if h.replaces_id else None,
            )
        )
    versions = {s.pk: s.version for s in data.sheets}
    sheet_rows = []
    for s in data.sheets:
        sheet_hearing = by_id.get(s.hearing_id)
        sheet_rows.append(
            SheetRow(
                sheet=s,
                language=language_words(s.language_code),
                hearing_when=zone_words(sheet_hearing.starts_at, sheet_hearing.hearing_location.time_zone)
                if sheet_hearing
                else "",
                issued_when=zone_words(s.issued_at, local),
                printed_when=zone_words(s.printed_at, local),
                superseded_by_version=versions.get(s.superseded_by_id) if s.superseded_by_id else None,
                superseded_when=zone_words(s.superseded_at, local),
            )
        )
    nta = data.nta
    next_hearing = data.next_hearing
    context = {
        "case": case,
        "person": case.alien,
        "nta": nta,
        "nta_served_when": zone_words(nta.served_at, nta.served_location.time_zone) if nta else "",
        # The charges' codes: the selector annotates the NTA with them.
        "nta_charge_codes": list(nta.charge_codes) if nta else [],  # type: ignore[attr-defined]
        "nta_initial": by_id.get(nta.initial_hearing_id) if nta else None,
        "hearings": hearing_rows,
        "next_hearing": next(r for r in hearing_rows if r.hearing.pk == next_hearing.pk)
        if next_hearing
        else None,
        "sheets": sheet_rows,
        "current_sheet": next((r for r in sheet_rows if r.sheet.superseded_at is None), None),
        "addresses": data.addresses,
        "current_address": data.current_address,
        "may_serve": user.has_role(*SERVE_ROLES) and case.status == CaseStatus.AMENABLE and nta is None,
        "may_move": user.has_role(*COURT_ROLES),
        "may_record_address": user.has_role(*ADDRESS_ROLES) and nta is not None,
        "local_zone": local,
        **_court_context(user, case, data),
    }
    if request.GET.get("partial"):
        return render(request, "hearings/_case_hearings_summary.html", context)
    return render(request, "hearings/case_hearings.html", context)


def _court_context(user: User, case: Case, data: selectors.CaseHearings) -> dict[str, object]:
    """In court (H3–H5): counsel of record, decisions with their appeal, reopenings, the hand-off to ICE
    ERO; for court staff, the forms (``hearings.court_views`` takes them)."""
    court = court_selectors.case_court(user=user, case=case, hearings=data)
    may_court = user.has_role(*COURT_ROLES)
    groups: list[SlotGroup] = []
    if court is not None and may_court and court.needs_hearing:
        groups = _slot_groups(court_selectors.schedule_slots(court_id=court.court_id))
    today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(case.location.time_zone))
    return {
        "court": court,
        "may_court": may_court,
        "counsel_form": RepresentationForm(initial={"eoir28_filed_on": today}),
        "counsel_end_form": RepresentationEndForm(initial={"ended_on": today}),
        "appeal_form": AppealForm(),
        "reopen_form": ReopeningForm(initial={"granted_on": today}),
        "schedule_form": ScheduleForm(),
        "schedule_groups": groups,
    }


# --- Change of address (N6) --------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def address_change(request: HttpRequest, case_id: int) -> HttpResponse:
    """N6: record a Form EOIR-33; the new address is what later notices and tear sheets print."""
    user = _user_with(request, ADDRESS_ROLES, "Recording a change of address")
    case = _visible_case(request, user, case_id)
    form = AddressChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                record = services.address_change_record(
                    case_id=case.pk,
                    address=form.address_input(),
                    received_on=form.cleaned_data["received_on"],
                    how_received=form.cleaned_data["how_received"],
                    actor=user,
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    f"Change of address recorded (EOIR-33, N6): {record.one_line}. Later notices use it.",
                )
                return redirect("hearings:case-hearings", case_id=case.pk)
    data = selectors.case_hearings(user=user, case=case)
    _log_cases(request, user, [case.pk])
    context = {
        "case": case,
        "person": case.alien,
        "form": form,
        "current_address": data.current_address if data else None,
        "has_nta": bool(data and data.nta),
    }
    return render(request, "hearings/address_change.html", context, status=status)
