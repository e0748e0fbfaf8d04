"""Every read of fear claims (S1-S4) used by pages and the API, with the field-level rule applied in one
place: ``claim_view`` is what a reader may know of a claim.

- Everyone who reads the case (``cases.selectors.may_read_case_context``) sees that a claim exists, when
  and where it was stated, its asylum office, its status and, once concurred, its outcome.
- ``fear`` readers (USCIS and the CBP supervisor, ``mpp.accounts.roles.DETAIL_ROLES``) also see who stated
  it for whom, the statement, and the determination and its grounds.
- ``interview`` readers (USCIS only) also see the interview: interpreter, counsel, the account, medical
  details, the analysis and the supervisory review's reasons.
- USCIS read that content only of the claims of the asylum offices they are posted at.

The asylum office's work (queues, the claim page) is for the USCIS roles posted at that office.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from cases.models import Case, CaseEvent, HoldExemption
from cases.selectors import cases_visible_to, may_read, may_read_case_context
from mpp.accounts.models import Location, User, display_name_values
from mpp.accounts.roles import Role
from mpp.db import in_order_of
from mpp.pagination import KeysetPage, SortOption, keyset_page
from screenings.models import FearAssessment, FearClaim
from screenings.workflow import ASSESS_ROLES, CONCUR_ROLES


def asylum_offices_of(user: User) -> list[Location]:
    """The asylum offices ``user`` is posted at (their duty locations of that kind), by name."""
    if not user.has_role(*ASSESS_ROLES):
        return []
    return list(
        Location.objects.filter(pk__in=user.duty_location_ids, kind=Location.Kind.ASYLUM_OFFICE).order_by(
            "name"
        )
    )


def works_at_office(user: User, office_id: int) -> bool:
    return user.has_role(*ASSESS_ROLES) and office_id in user.duty_location_ids


def assessed_by_user(*, user: User, assessment: FearAssessment) -> bool:
    """S3 separation of duties: whether ``user`` submitted this assessment or any earlier version of it
    (the history rows name each version's assessor). Whoever did may not concur with it or return it.
    The one predicate of ``fear_assessment_review`` and of the pages; at most one query."""
    if assessment.assessed_by_id == user.pk:
        return True
    return FearAssessment.history.filter(id=assessment.pk, assessed_by_id=user.pk).exists()


# --- queues ---------------------------------------------------------------------------------------------

# The asylum office's queue, by what is waiting: oldest first (the index fear_claim_queue_idx serves each
# tab: office and status, then stated_at, id).
QUEUE_TABS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # key: (label, who works it, statuses)
    "to_schedule": ("To schedule", "asylum officers", (FearClaim.Status.REFERRED,)),
    "scheduled": ("Interview scheduled", "asylum officers", (FearClaim.Status.SCHEDULED,)),
    "returned": ("Returned for correction", "asylum officers", (FearClaim.Status.RETURNED,)),
    "review": ("Awaiting supervisory review", "supervisory asylum officers", (FearClaim.Status.SUBMITTED,)),
    "decided": ("Decided", "everyone", (FearClaim.Status.DECIDED,)),
}
QUEUE_SORTS = (
    SortOption(
        key="oldest", label="Oldest first", ordering=("stated_at", "id"), earlier="Older", later="Newer"
    ),
    SortOption(
        key="newest", label="Newest first", ordering=("-stated_at", "-id"), earlier="Newer", later="Older"
    ),
)
# What a queue row shows, as plain values of one query for the page (``fear_queue_values``): the page
# through model instances of the claim, case, person, place and assessment with its officer (about 300 a page)
# cost more than its query (2026-12-06).
QUEUE_ROW_VALUES = (
    "id",
    "case_id",
    "case__status",
    "case__alien_id",
    "case__alien__a_number",
    "case__alien__family_name",
    "case__alien__given_names",
    "case__alien__date_of_birth",
    "case__alien__country_of_citizenship",
    "status",
    "outcome",
    "stated_at",
    "setting",
    "location__code",
    "location__name",
    "location__time_zone",
    "asylum_office__code",
    "asylum_office__name",
    "assessment__id",
    "assessment__status",
    "assessment__interview_at",
    *display_name_values("assessment__asylum_officer"),
)


def default_tab(user: User) -> str:
    return "review" if user.has_role(*CONCUR_ROLES) else "to_schedule"


def fear_claim_queue(
    *, user: User, office_id: int, tab: str, params: Mapping[str, Any]
) -> KeysetPage[FearClaim]:
    """One page (50) of the office's claims in ``tab``, oldest first: the claims' keys from an index range
    however many claims the office has (``fear_queue_values`` reads what the rows show). Empty for anyone not
    posted at the office."""
    statuses = QUEUE_TABS.get(tab, QUEUE_TABS["to_schedule"])[2]
    qs = FearClaim.objects.none()
    if works_at_office(user, office_id):
        qs = FearClaim.objects.filter(asylum_office_id=office_id, status__in=statuses).only(
            "id", "stated_at", "case_id", "asylum_office_id"
        )
    return keyset_page(qs, sorts=QUEUE_SORTS, params=params)


def fear_queue_values(claim_ids: Sequence[int]) -> list[dict[str, Any]]:
    """``QUEUE_ROW_VALUES`` of the claims ``claim_ids`` (a queue page's, already scoped), in that order."""
    rows = FearClaim.objects.filter(pk__in=list(claim_ids)).values(*QUEUE_ROW_VALUES)
    return in_order_of(claim_ids, rows, key=lambda row: row["id"])


# --- one claim ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentView:
    """The assessment as one reader may see it; None where withheld."""

    assessment: FearAssessment
    status_label: str
    interview_at: Any
    asylum_officer: str
    interview_held_at: Any
    determination: str | None
    determination_label: str | None
    grounds: list[str] | None  # labels
    interview_language: str | None
    interpretation: str | None
    interpreter_id: str | None
    counsel: str | None
    account: str | None
    medical_notes: str | None
    determination_reason: str | None
    assessed_by: str | None
    assessed_at: Any
    reviewed_by: str | None
    reviewed_at: Any
    review_reason: str | None


@dataclass(frozen=True)
class ClaimView:
    """A fear claim as one reader may see it (the module docstring says who sees what)."""

    claim: FearClaim
    status_label: str
    outcome_label: str | None  # once concurred; None before
    may_read_fear: bool
    may_read_interview: bool
    stated_by: str | None
    stated_by_name: str | None
    statement: str | None
    assessment: AssessmentView | None
    restricted: tuple[str, ...]  # the kinds of content withheld from this reader

    @property
    def is_pending(self) -> bool:
        return self.claim.is_pending


def _assessment_view(assessment: FearAssessment, *, fear: bool, interview: bool) -> AssessmentView:
    concurred = assessment.status == FearAssessment.Status.CONCURRED
    # The determination is in effect (and so everyone's business) once concurred; before, only fear readers.
    show_determination = fear or concurred
    return AssessmentView(
        assessment=assessment,
        status_label=assessment.get_status_display(),
        interview_at=assessment.interview_at,
        asylum_officer=assessment.asylum_officer.display_name,
        interview_held_at=assessment.interview_held_at,
        determination=assessment.determination if show_determination else None,
        determination_label=assessment.get_determination_display()
        if show_determination and assessment.determination
        else None,
        grounds=[FearAssessment.Ground(g).label for g in assessment.grounds] if fear else None,
        interview_language=(assessment.interview_language.name if assessment.interview_language else "")
        if interview
        else None,
        interpretation=assessment.get_interpretation_mode_display() if interview else None,
        interpreter_id=assessment.interpreter_id if interview else None,
        counsel=(
            (
                f"Retained counsel by telephone: {assessment.counsel_name}"
                if assessment.counsel_present_by_phone
                else ""
            )
            if interview
            else None
        ),
        account=assessment.account if interview else None,
        medical_notes=assessment.medical_notes if interview else None,
        determination_reason=assessment.determination_reason if interview else None,
        assessed_by=assessment.assessed_by.display_name if assessment.assessed_by else None,
        assessed_at=assessment.assessed_at,
        reviewed_by=assessment.reviewed_by.display_name if assessment.reviewed_by else None,
        reviewed_at=assessment.reviewed_at,
        review_reason=assessment.review_reason if interview else None,
    )


def claim_view(*, user: User, claim: FearClaim) -> ClaimView:
    """``claim`` as ``user`` may read it. Reads what ``claim_base`` loaded; no query of its own."""
    # USCIS read the content of their own office's claims only; a CBP supervisor's ``fear`` reading is of
    # the cases of their duty locations, which they see already.
    at_office = works_at_office(user, claim.asylum_office_id)
    fear = may_read(user, ["fear"]) and (at_office or user.has_role(Role.CBP_SUPERVISOR))
    interview = may_read(user, ["interview"]) and at_office
    assessment = getattr(claim, "assessment", None)  # a missing reverse one-to-one raises AttributeError
    restricted = tuple(kind for kind, ok in (("fear", fear), ("interview", interview)) if not ok)
    return ClaimView(
        claim=claim,
        status_label=claim.get_status_display(),
        outcome_label=claim.get_outcome_display() if claim.outcome else None,
        may_read_fear=fear,
        may_read_interview=interview,
        stated_by=claim.get_stated_by_display() if fear else None,
        stated_by_name=(claim.stated_by_alien.full_name if claim.stated_by_alien else "") if fear else None,
        statement=claim.statement if fear else None,
        assessment=_assessment_view(assessment, fear=fear, interview=interview) if assessment else None,
        restricted=restricted,
    )


def claim_base() -> QuerySet[FearClaim]:
    return FearClaim.objects.select_related(
        "case__alien",
        "case__location",
        "location",
        "asylum_office",
        "language",
        "recorded_by",
        "stated_by_alien",
        "hold",
        "assessment__asylum_officer",
        "assessment__assessed_by",
        "assessment__reviewed_by",
        "assessment__interview_language",
    )


def fear_claims_visible_to(user: User) -> QuerySet[FearClaim]:
    """Claims on the cases ``user`` may see, for the readers of case context (not print staff)."""
    if not may_read_case_context(user):
        return FearClaim.objects.none()
    return claim_base().filter(case__in=cases_visible_to(user).values("pk"))


def fear_claims_of_case(*, user: User, case: Case) -> list[ClaimView]:
    """The case's claims, newest first, as ``user`` may read them (one query); none for print staff."""
    if not may_read_case_context(user):
        return []
    rows = claim_base().filter(case=case).order_by("-stated_at", "-id")
    return [claim_view(user=user, claim=row) for row in rows]


def fear_claim_for_office(*, user: User, claim_id: int) -> FearClaim | None:
    """The claim, for a USCIS reader posted at its office (the claim page); None otherwise, the same as a
    missing claim."""
    claim = claim_base().filter(pk=claim_id).first()
    if claim is None or not works_at_office(user, claim.asylum_office_id):
        return None
    return claim


def asylum_officers_of(office_id: int) -> QuerySet[User]:
    """The active asylum officers (and supervisors) posted at the office, for the scheduling form."""
    return (
        User.objects.filter(is_active=True, groups__name__in=sorted(ASSESS_ROLES), duty_locations=office_id)
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


# --- the case page's fear section and the claim page's effects ---------------------------------------------

# The case events a concurred assessment records on each member's case: moved, or why not (S4, F3, F5).
EFFECT_EVENTS = ("fear.removed_from_mpp", "fear.not_processed", "fear.family_effect")


def claim_locations_for(user: User) -> QuerySet[Location]:
    """Where a user records that a fear was stated: their duty locations for CBP (ports and stations, or a
    court or facility they are posted at); ports, courts and hearing facilities for court staff."""
    kinds = [
        Location.Kind.PORT_OF_ENTRY,
        Location.Kind.BORDER_PATROL_STATION,
        Location.Kind.IMMIGRATION_COURT,
        Location.Kind.HEARING_FACILITY,
    ]
    if user.is_location_scoped:
        return user.duty_locations.filter(kind__in=kinds, is_active=True).order_by("name")
    return Location.objects.filter(
        kind__in=[
            Location.Kind.PORT_OF_ENTRY,
            Location.Kind.IMMIGRATION_COURT,
            Location.Kind.HEARING_FACILITY,
        ],
        is_active=True,
    ).order_by("name")


def separations_of_case(case: Case) -> list[HoldExemption]:
    """F4's exceptions on this case: this member separated from another's hold, or members separated from
    this case's hold (one query)."""
    return list(
        HoldExemption.objects.filter(Q(case=case) | Q(hold__case=case))
        .select_related("hold__case__alien", "hold__location", "case__alien", "recorded_by")
        .order_by("recorded_at", "id")
    )


@dataclass(frozen=True)
class EffectRow:
    event: CaseEvent
    moved: bool


def claim_effects(claim: FearClaim) -> list[EffectRow]:
    """What the concurrence did to each member's case (S4, F3, F5): the events it recorded, by case."""
    rows = (
        CaseEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(FearClaim),
            subject_id=claim.pk,
            type__in=EFFECT_EVENTS,
        )
        .select_related("case__alien")
        .order_by("case_id", "occurred_at", "id")
    )
    return [EffectRow(event=e, moved=e.type != "fear.family_effect") for e in rows]
