"""Reads of the screening workflow: drafts, a family's facts as the rules read them, the review queue."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypedDict

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cases.models import Alien, Case, CaseStatus, Encounter, Hold, Language
from cases.registry import hold_kinds
from cases.rules import age_on, local_day
from cases.selectors import (
    HoldBlock,
    cases_visible_to,
    encounters_visible_to,
    family_open_holds,
    hold_blocks,
    user_sees_cases,
)
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from screenings.exceptions import NotPermitted
from screenings.models import AmenabilityReview, IntakeDraft, MemberDecision, ScreeningFacts
from screenings.rules import FamilyProposal, MemberFacts, propose


def drafts_for(*, user: User) -> QuerySet[IntakeDraft]:
    return IntakeDraft.objects.filter(created_by=user, status=IntakeDraft.Status.OPEN).select_related(
        "location"
    )


def family_cases(*, encounter_id: int) -> list[Case]:
    """The cases of one encounter with person, family role and screening facts loaded (2 queries)."""
    return list(
        Case.objects.filter(encounter_id=encounter_id)
        .select_related("alien", "alien__preferred_language", "encounter", "encounter__location", "screening")
        .prefetch_related("alien__family_memberships")
        .order_by("id")
    )


class _MemberIdentity(TypedDict):
    """The facts of a member that do not come from the screening."""

    key: int
    name: str
    age: int
    citizenship: str
    relationship: str


def member_facts(case: Case) -> MemberFacts:
    """What ``screenings.rules.propose`` reads for one case."""
    encounter = case.encounter
    relationship = next(
        m.relationship
        for m in case.alien.family_memberships.all()
        if m.family_unit_id == encounter.family_unit_id
    )
    base = _MemberIdentity(
        key=case.pk,
        name=case.alien.full_name,
        # A2 uac reads the age on the port's own day of the encounter, not the UTC date.
        age=age_on(case.alien.date_of_birth, local_day(encounter.occurred_at, encounter.location.time_zone)),
        citizenship=str(case.alien.country_of_citizenship),
        relationship=relationship,
    )
    facts: ScreeningFacts | None = getattr(case, "screening", None)
    if facts is None:
        return MemberFacts(**base, screened=False)
    return MemberFacts(
        **base,
        expedited_removal=facts.expedited_removal,
        returning_lpr=facts.returning_lpr,
        parole=facts.parole,
        criminal_history=facts.criminal_history,
        gom_usg_interest=facts.gom_usg_interest,
        fear_of_return_expressed=facts.fear_of_return_expressed,
        mexican_member_choice=facts.mexican_member_choice,
        fit_to_travel=facts.fit_to_travel,
        pregnancy_disclosed=facts.pregnancy_disclosed,
        prior_illness_disclosed=facts.prior_illness_disclosed,
        other_condition=facts.other_condition,
        medical_referral=facts.medical_referral,
        medical_referral_outcome=facts.medical_referral_outcome,
        officer_fluent=facts.officer_fluent,
        interpretation_mode=facts.interpretation_mode,
        interpretation_language=(
            None if facts.interpretation_language_id is None else str(facts.interpretation_language_id)
        ),
    )


def family_proposal(*, encounter_id: int) -> tuple[list[Case], FamilyProposal]:
    cases = family_cases(encounter_id=encounter_id)
    return cases, propose([member_facts(c) for c in cases])


def reviews_pending_for(*, user: User) -> QuerySet[AmenabilityReview]:
    """A3: the supervisor's queue — families at their duty locations awaiting review, oldest first."""
    if not user.has_role(Role.CBP_SUPERVISOR):
        return AmenabilityReview.objects.none()
    cases = Case.objects.select_related("alien").order_by("id")
    return (
        AmenabilityReview.objects.filter(
            status=AmenabilityReview.Status.PENDING, location_id__in=user.duty_location_ids
        )
        .select_related("encounter", "location", "submitted_by")
        .prefetch_related(Prefetch("encounter__cases", queryset=cases))
        .annotate(
            waits_for_hold=Exists(
                _decision_blocking_holds().filter(case__encounter_id=OuterRef("encounter_id"))
            )
        )
        .order_by("submitted_at", "id")
    )


# Where the supervisor's decision moves a member out of review (A3): a hold that blocks either holds it up.
DECISION_TARGETS = frozenset({CaseStatus.AMENABLE, CaseStatus.NOT_AMENABLE})


def _decision_blocking_holds() -> QuerySet[Hold]:
    """Open holds of the kinds that refuse a decision out of review (S1/S4: a pending fear claim)."""
    kinds = [k.code for k in hold_kinds() if k.blocks_own & DECISION_TARGETS]
    return Hold.objects.filter(kind__in=kinds, released_at__isnull=True)


def review_visible_to(*, user: User, review_id: int) -> AmenabilityReview | None:
    """A review for the page or API: CBP roles at its location, and national case roles, may read it."""
    decisions = MemberDecision.objects.select_related("case", "case__alien").order_by("case_id")
    cases = Case.objects.select_related("alien").order_by("id")
    review = (
        AmenabilityReview.objects.select_related("encounter", "location", "submitted_by", "decided_by")
        .prefetch_related(
            Prefetch("decisions", queryset=decisions), Prefetch("encounter__cases", queryset=cases)
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return None
    if not user_sees_cases(user):
        return None
    if user.is_location_scoped and review.location_id not in user.duty_location_ids:
        return None
    return review


def encounter_for_screening(*, user: User, encounter_id: int) -> Encounter | None:
    return encounters_visible_to(user).filter(pk=encounter_id).first()


def screening_case_for(*, user: User, case_id: int) -> Case | None:
    """A case the user may see, with its screening facts (if any) loaded."""
    return (
        cases_visible_to(user)
        .select_related("screening__interpretation_language", "screening__updated_by")
        .filter(pk=case_id)
        .first()
    )


# --- Reads of the HTML pages ----------------------------------------------------------------------------


def intake_locations_for(*, user: User) -> QuerySet[Location]:
    """The user's active duty locations where an encounter is entered: ports of entry and stations (A1)."""
    kinds = [Location.Kind.PORT_OF_ENTRY, Location.Kind.BORDER_PATROL_STATION]
    return user.duty_locations.filter(kind__in=kinds, is_active=True).order_by("name")


def intake_draft_for(*, user: User, draft_id: int) -> IntakeDraft | None:
    """One of the user's own drafts in any status (a submitted one leads on to its family's screening)."""
    return (
        IntakeDraft.objects.filter(pk=draft_id, created_by=user)
        .select_related("location", "encounter")
        .first()
    )


def intakes_submitted_by(*, user: User, limit: int = 10) -> list[IntakeDraft]:
    """The user's most recently submitted intakes, newest first, each with its encounter."""
    return list(
        IntakeDraft.objects.filter(created_by=user, status=IntakeDraft.Status.SUBMITTED)
        .select_related("location", "encounter")
        .order_by("-updated_at", "-id")[:limit]
    )


def aliens_by_id(*, ids: Iterable[int]) -> dict[int, Alien]:
    """Registered people by primary key (a draft member linked to one is shown as that person)."""
    return Alien.objects.select_related("preferred_language").in_bulk(list(ids))


def review_for_encounter(*, user: User, encounter_id: int) -> AmenabilityReview | None:
    """The family's review, if it was submitted, loaded as ``review_visible_to`` loads it."""
    review_id = (
        AmenabilityReview.objects.filter(
            encounter_id=encounter_id, status__in=AmenabilityReview.OPEN_OR_DECIDED
        )
        .values_list("pk", flat=True)
        .first()
    )
    return None if review_id is None else review_visible_to(user=user, review_id=review_id)


def languages_for_choice() -> list[Language]:
    """Every language, by name, for the language selects."""
    return list(Language.objects.order_by("name"))


def reviews_returned_for_encounter(*, encounter_id: int) -> list[AmenabilityReview]:
    """Reviews the supervisor sent back to the officer, newest first: who, when and why (A3)."""
    return list(
        AmenabilityReview.objects.filter(encounter_id=encounter_id, status=AmenabilityReview.Status.RETURNED)
        .select_related("decided_by", "submitted_by")
        .order_by("-decided_at", "-id")
    )


def review_decision_blocks(*, review: AmenabilityReview) -> list[HoldBlock]:
    """What refuses the family's amenability decision now: the open holds (a pending fear claim, S1/S4)
    that block a member's move out of review. The same check ``case_move`` makes when the decision is
    recorded (``cases.selectors.hold_blocks``); two queries."""
    cases = list(
        Case.objects.filter(encounter_id=review.encounter_id).select_related("encounter").order_by("pk")
    )
    if not cases:
        return []
    holds = family_open_holds(family_unit_id=cases[0].encounter.family_unit_id)
    blocks: dict[int, HoldBlock] = {}  # one per hold, whichever decision it blocks
    for case in cases:
        for target in sorted(DECISION_TARGETS):
            for block in hold_blocks(case=case, target=target, holds=holds):
                blocks.setdefault(block.hold.pk, block)
    return list(blocks.values())


def review_stands(*, review: AmenabilityReview, statuses: Sequence[str]) -> bool:
    """Whether ``review`` is still the family's live review, given its members' case statuses: a pending
    one is; a decided one is until every member is back in screening (re-screening after the decision),
    when the screening is open again and the next submission opens a new review. The one predicate of
    ``family_submit_for_review`` and of the screening page."""
    if review.status == AmenabilityReview.Status.PENDING:
        return True
    back_in_screening = bool(statuses) and all(s == CaseStatus.SCREENING for s in statuses)
    return review.status == AmenabilityReview.Status.DECIDED and not back_in_screening


def review_separation_refusal(*, actor: User, review: AmenabilityReview) -> NotPermitted | None:
    """A3 separation of duties: whoever entered the family, recorded any of its screening facts (any
    version: the facts' history rows name who saved each) or submitted it does not decide its review, nor
    return it. The one predicate of the service (``_lock_pending_review``) and of the review page's
    ``can_decide``. At most one query."""
    took_part = actor.pk in {review.submitted_by_id, review.encounter.created_by_id} or (
        ScreeningFacts.history.filter(
            case_id__in=Case.objects.filter(encounter_id=review.encounter_id).values("pk"),
            history_user_id=actor.pk,
        ).exists()
    )
    if not took_part:
        return None
    return NotPermitted(
        "You entered, screened or submitted this family, so another supervisor must decide it or return it.",
        code="separation_of_duties",
        rule="A3",
    )
