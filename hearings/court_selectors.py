"""Reads of what happens in court (H2–H5, F6), for the docket, the case's hearings page and the API: the
day's docket with what each row shows in one query, and a case's counsel, decisions, appeals, reopenings
and hand-offs to ICE ERO."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from cases.models import Case, CaseStatus, EroHandoff, full_name
from cases.selectors import case_is_visible_to
from hearings.models import (
    Completion,
    Hearing,
    HearingLocation,
    HearingSlot,
    Reopening,
    Representation,
)
from hearings.selectors import (
    DOCKET_COLUMNS,
    CaseHearings,
    _scope_cases,
    local_day_bounds,
    may_read_hearings,
    slots_list,
)
from mpp.accounts.models import User
from mpp.db import in_order_of

# What a docket row shows besides DOCKET_COLUMNS: the hearing-day row (H1), the NTA's interpretation (N3).
COURT_DOCKET_COLUMNS = (
    *DOCKET_COLUMNS,
    "attendance__id",
    "attendance__hearing_id",
    "attendance__checked_in_at",
    "attendance__transported_at",
    "attendance__appearance",
    "attendance__returned_at",
    "case__nta__id",
    "case__nta__case_id",
    "case__nta__interpretation",
    "case__nta__interpreter_language_id",
    "case__nta__interpreter_language__id",
    "case__nta__interpreter_language__name",
)


def court_docket(*, user: User, hearing_location_id: int, day: dt.date) -> QuerySet[Hearing]:
    """Every hearing at a hearing location on a day (in its zone), in hearing order, moved ones included:
    the person, language, interpreter (N3), the counsel of record now (H3: ``counsel_name``), the hearing-
    day row (H1) and the decision made at it (``decision``). One query for a page, whatever its rows: the
    counsel and the decision are subqueries on indexed columns."""
    place = HearingLocation.objects.get(pk=hearing_location_id)
    return (
        docket_hearings(user=user, place=place, day=day)
        .select_related(
            "case__alien__preferred_language",
            "case__location",
            "case__nta__interpreter_language",
            "replaced_by",
            "attendance",
        )
        .only(*COURT_DOCKET_COLUMNS)
        .annotate(counsel_name=_counsel_now(), decision=_decision_made())
    )


def _counsel_now() -> Subquery:
    """A docket row's counsel of record now (H3), a subquery on an indexed column."""
    counsel = Representation.objects.filter(case_id=OuterRef("case_id"), ended_on__isnull=True)
    return Subquery(counsel.values("name")[:1])


def _decision_made() -> Subquery:
    """The latest decision made at the hearing (H4/H5), a subquery on an indexed column."""
    return Subquery(
        Completion.objects.filter(hearing_id=OuterRef("pk")).order_by("-id").values("decision")[:1]
    )


# --- the docket page: a keyset page of hearing ids, then its rows as plain values --------------------------


def docket_hearings(*, user: User, place: HearingLocation, day: dt.date) -> QuerySet[Hearing]:
    """The hearings at ``place`` on ``day`` (its zone) the user may see, narrow (id, start, case): what the
    docket page's keyset reads (``docket_rows`` then reads what the page's rows show)."""
    start, end = local_day_bounds(day, place.time_zone)
    qs = Hearing.objects.filter(hearing_location_id=place.pk, starts_at__gte=start, starts_at__lt=end).only(
        "id", "starts_at", "case_id"
    )
    return _scope_cases(qs, user).order_by("starts_at", "id")


@dataclass(frozen=True)
class DocketRow:
    """What one docket row shows (plain values: fifty hearings with their case, person, language, NTA,
    attendance and replacement as model instances cost ~5 ms of a page at 500k cases, 2026-12-04)."""

    pk: int
    case_id: int
    status: str
    kind_label: str
    starts_at: dt.datetime
    closed_to_public: bool
    decision: str | None  # the latest decision made at the hearing (H4/H5)
    counsel_name: str | None  # the counsel of record now (H3)
    name: str
    a_number: str | None
    language: str | None
    interpretation: str | None  # the NTA's (N3); None without an NTA
    interpreter_language: str | None
    replaced_by_starts_at: dt.datetime | None
    replaced_by_location_id: int | None
    appearance: str | None  # the hearing-day row (H1); all None without one
    has_attendance: bool
    checked_in_at: dt.datetime | None
    transported_at: dt.datetime | None
    returned_at: dt.datetime | None


_KIND_LABELS = dict(Hearing.Kind.choices)


def docket_rows(hearing_ids: list[int]) -> list[DocketRow]:
    """The ``DocketRow`` of each of ``hearing_ids`` (scoped by the page's query), in that order; one query,
    the counsel and the decision as subqueries on indexed columns."""
    values = (
        Hearing.objects.filter(pk__in=hearing_ids)
        .annotate(counsel_name=_counsel_now(), decision=_decision_made())
        .values(
            "id",
            "case_id",
            "status",
            "kind",
            "starts_at",
            "closed_to_public",
            "decision",
            "counsel_name",
            "case__alien__given_names",
            "case__alien__family_name",
            "case__alien__a_number",
            "case__alien__preferred_language__name",
            "case__nta__interpretation",
            "case__nta__interpreter_language__name",
            "replaced_by__starts_at",
            "replaced_by__hearing_location_id",
            "attendance__id",
            "attendance__appearance",
            "attendance__checked_in_at",
            "attendance__transported_at",
            "attendance__returned_at",
        )
    )
    rows = (
        DocketRow(
            pk=v["id"],
            case_id=v["case_id"],
            status=v["status"],
            kind_label=str(_KIND_LABELS.get(v["kind"], v["kind"])),
            starts_at=v["starts_at"],
            closed_to_public=v["closed_to_public"],
            decision=v["decision"],
            counsel_name=v["counsel_name"],
            name=full_name(v["case__alien__given_names"], v["case__alien__family_name"]),
            a_number=v["case__alien__a_number"],
            language=v["case__alien__preferred_language__name"],
            interpretation=v["case__nta__interpretation"],
            interpreter_language=v["case__nta__interpreter_language__name"],
            replaced_by_starts_at=v["replaced_by__starts_at"],
            replaced_by_location_id=v["replaced_by__hearing_location_id"],
            appearance=v["attendance__appearance"],
            has_attendance=v["attendance__id"] is not None,
            checked_in_at=v["attendance__checked_in_at"],
            transported_at=v["attendance__transported_at"],
            returned_at=v["attendance__returned_at"],
        )
        for v in values
    )
    return in_order_of(hearing_ids, rows, key=lambda row: row.pk)


@dataclass(frozen=True)
class CompletionView:
    completion: Completion
    reopened_by: Reopening | None

    @property
    def is_current(self) -> bool:
        return self.reopened_by is None


@dataclass(frozen=True)
class CaseCourt:
    """A case in court, for its hearings page: counsel (H3), decisions (H4/H5) newest first with their
    appeal and reopening, the ERO hand-offs (H4), and what can be done next."""

    case: Case
    representations: list[Representation]  # newest first
    completions: list[CompletionView]  # newest first
    handoffs: list[EroHandoff]  # newest first
    has_scheduled_hearing: bool
    court_id: int | None

    @property
    def counsel(self) -> Representation | None:
        return next((r for r in self.representations if r.ended_on is None), None)

    @property
    def current(self) -> CompletionView | None:
        return self.completions[0] if self.completions and self.completions[0].is_current else None

    @property
    def relief_granted(self) -> bool:
        return self.case.status == CaseStatus.COMPLETED_RELIEF

    @property
    def due_handoff(self) -> EroHandoff | None:
        return next((h for h in self.handoffs if h.handed_at is None and h.cancelled_at is None), None)

    @property
    def may_reopen(self) -> bool:
        return self.current is not None

    @property
    def needs_hearing(self) -> bool:
        return self.case.status == CaseStatus.REOPENED and not self.has_scheduled_hearing


def case_court(*, user: User, case: Case, hearings: CaseHearings) -> CaseCourt | None:
    """A case's counsel, decisions (with their appeal and reopening), and hand-offs: 2 queries, 3 with a
    removal order in the history (the hearings
    and the NTA come from ``hearings.selectors.case_hearings``). None when the user may not read hearings or
    see the case."""
    if not may_read_hearings(user) or not case_is_visible_to(user, case):
        return None
    representations = list(Representation.objects.filter(case=case).order_by("-eoir28_filed_on", "-id"))
    completions = list(
        Completion.objects.filter(case=case)
        .select_related("reopening", "reopened_by", "hearing__hearing_location")
        .order_by("-id")
    )
    # A hand-off carries out a removal order: without one in the case's history there is none to read.
    handoffs = (
        list(
            EroHandoff.objects.filter(case=case)
            .select_related("location", "handed_location", "handed_by")
            .order_by("-id")
        )
        if any(c.is_removal_order for c in completions)
        else []
    )
    return CaseCourt(
        case=case,
        representations=representations,
        completions=[CompletionView(c, getattr(c, "reopened_by", None)) for c in completions],
        handoffs=handoffs,
        has_scheduled_hearing=hearings.next_hearing is not None,
        court_id=hearings.nta.court_id if hearings.nta else None,
    )


def schedule_slots(*, court_id: int | None, days: int = 60, limit: int = 200) -> list[HearingSlot]:
    """Slots with room in the next ``days`` days before the case's court, soonest first (a reopened case's
    hearing is booked there)."""
    qs = slots_list(days=days, with_room=1)
    if court_id is not None:
        qs = qs.filter(hearing_location__court_id=court_id)
    return list(qs[:limit])


def completion_for(*, user: User, completion_id: int) -> Completion | None:
    """One decision of a case the user may see (another location's answers None)."""
    qs = Completion.objects.select_related("case__alien", "case__location").filter(pk=completion_id)
    return _scope_cases(qs, user).first()


def representation_for(*, user: User, representation_id: int) -> Representation | None:
    qs = Representation.objects.select_related("case").filter(pk=representation_id)
    return _scope_cases(qs, user).first()


def completions_visible_to(*, user: User, case_id: int | None = None) -> QuerySet[Completion]:
    qs = Completion.objects.select_related("case__alien", "reopening")
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return _scope_cases(qs, user).order_by("-id")


def representations_visible_to(*, user: User, case_id: int | None = None) -> QuerySet[Representation]:
    qs = Representation.objects.all()
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return _scope_cases(qs, user).order_by("-id")


def reopenings_visible_to(*, user: User, case_id: int | None = None) -> QuerySet[Reopening]:
    qs = Reopening.objects.all()
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return _scope_cases(qs, user).order_by("-id")
