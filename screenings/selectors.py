"""Reads of the screening workflow: drafts, a family's facts as the rules read them, the review queue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol, TypedDict

from django.db.models import Exists, FloatField, OuterRef, Prefetch, QuerySet, Value

from cases.models import Alien, Case, CaseStatus, Encounter, Hold, Language
from cases.registry import hold_kinds
from cases.rules import age_on, local_day, looks_like_a_number, normalize_a_number
from cases.selectors import (
    DUPLICATE_SIMILARITY,
    HoldBlock,
    cases_visible_to,
    duplicate_birth_dates,
    duplicate_similarity,
    encounters_visible_to,
    family_open_holds,
    hold_blocks,
    user_sees_cases,
)
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from mpp.db import Literal
from mpp.pagination import KeysetPage, SortOption, keyset_page
from screenings.exceptions import NotPermitted
from screenings.models import AmenabilityReview, FearClaim, IntakeDraft, MemberDecision, ScreeningFacts
from screenings.rules import FamilyProposal, MemberFacts, propose

# The possible duplicates shown per member, best first (as ``alien_duplicate_candidates`` shows them).
DUPLICATE_LIMIT = 5


def drafts_for(*, user: User) -> QuerySet[IntakeDraft]:
    """The user's open drafts, last saved first, each with its location (what "My drafts" shows). Read a page
    at a time (``DRAFT_SORTS``): the index (created_by, status, updated_at, id) serves filter and order."""
    return (
        IntakeDraft.objects.filter(created_by=user, status=IntakeDraft.Status.OPEN)
        .select_related("location")
        .order_by("-updated_at", "-id")
    )


# "My drafts": the draft last saved first, the only order offered.
DRAFT_SORTS = (
    SortOption(
        key="recent",
        label="Last saved first",
        ordering=("-updated_at", "-id"),
        earlier="More recent",
        later="Older",
        start="Most recent",
    ),
)


def fear_positive_annotation() -> Exists:
    """S4: whether the case has a concurred positive fear assessment, as ``fear_positive`` for
    ``member_facts`` (one subquery for the whole family instead of a query per member)."""
    return Exists(FearClaim.objects.filter(case_id=OuterRef("pk"), outcome=FearClaim.Outcome.POSITIVE))


def family_cases(*, encounter_id: int) -> list[Case]:
    """The cases of one encounter with person, family role and screening facts loaded (2 queries)."""
    return list(
        Case.objects.filter(encounter_id=encounter_id)
        .select_related("alien", "alien__preferred_language", "encounter", "encounter__location", "screening")
        .prefetch_related("alien__family_memberships")
        .annotate(fear_positive=fear_positive_annotation())
        .order_by("id")
    )


class _MemberIdentity(TypedDict):
    """The facts of a member that do not come from the screening."""

    key: int
    name: str
    age: int
    citizenship: str
    relationship: str


def _fear_assessed_positive(case: Case) -> bool:
    """S4: a concurred positive assessment of this person's fear claim. Callers that load many cases
    annotate ``fear_positive`` (``fear_positive_annotation``) so this reads no row."""
    known = getattr(case, "fear_positive", None)
    if known is not None:
        return bool(known)
    return FearClaim.objects.filter(case_id=case.pk, outcome=FearClaim.Outcome.POSITIVE).exists()


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
        fear_assessed_positive=_fear_assessed_positive(case),
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


def review_queue_for(*, user: User) -> QuerySet[AmenabilityReview]:
    """A3: the supervisor's queue — families at their duty locations awaiting review, oldest first — with the
    location and who submitted each. Read a page at a time by the partial index of the pending reviews on
    (location, submitted_at, id), which matches filter and order."""
    if not user.has_role(Role.CBP_SUPERVISOR):
        return AmenabilityReview.objects.none()
    return (
        # Literal: the partial index's predicate, matched by the generic plan of the prepared statement too.
        AmenabilityReview.objects.filter(
            status=Literal(AmenabilityReview.Status.PENDING), location_id__in=user.duty_location_ids
        )
        .select_related("location", "submitted_by")
        .order_by("submitted_at", "id")
    )


# The queue page's orders: oldest first by default (A3: the family waiting longest is decided first).
REVIEW_QUEUE_SORTS = (
    SortOption(
        key="oldest",
        label="Oldest first",
        ordering=("submitted_at", "id"),
        earlier="Older",
        later="Newer",
        start="Oldest",
    ),
    SortOption(
        key="newest",
        label="Newest first",
        ordering=("-submitted_at", "-id"),
        earlier="Newer",
        later="Older",
        start="Newest",
    ),
)


def review_queue_page(*, user: User, params: Mapping[str, Any]) -> KeysetPage[AmenabilityReview]:
    """The page of the queue the query string ``params`` asks for (50 reviews, ``?sort=oldest|newest``,
    ``?cursor=``), as the page shows it: each review's location, submitter and ``waits_for_hold`` (an open
    hold, a pending fear claim, refuses the decision: S1/S4). The members' names come from the frozen
    proposal. Two queries however long the queue: the page, and the holds of its families only (an EXISTS
    in the page's query is planned as a hash of every open fear claim in the program)."""
    page = keyset_page(review_queue_for(user=user), sorts=REVIEW_QUEUE_SORTS, params=params)
    waiting = encounters_waiting_for_hold(encounter_ids=[review.encounter_id for review in page.rows])
    for review in page.rows:
        review.waits_for_hold = review.encounter_id in waiting  # type: ignore[attr-defined]
    return page


def encounters_waiting_for_hold(*, encounter_ids: Iterable[int]) -> set[int]:
    """The encounters among ``encounter_ids`` whose amenability decision an open hold refuses (S1/S4). One
    query by the case's encounter and the open-hold index; none for no encounter."""
    ids = list(encounter_ids)
    if not ids:
        return set()
    return set(
        _decision_blocking_holds()
        .filter(case__encounter_id__in=ids)
        .order_by()
        .values_list("case__encounter_id", flat=True)
        .distinct()
    )


_NAME_FIELDS = ("alien__given_names", "alien__family_name")


def reviews_pending_for(*, user: User) -> QuerySet[AmenabilityReview]:
    """The queue (``review_queue_for``) as ``ReviewQueueItemSerializer`` reads it, each member's case status and
    A-number: each family's cases and people prefetched for the rows fetched (two more queries). The API's
    list renders its rows from values instead (``screenings.api.rows``); the tests compare the two. Whether
    each waits for
    a hold (S1/S4) is read for the page's rows afterwards (``encounters_waiting_for_hold``): as a subquery of
    this query PostgreSQL hashed every open fear-claim hold in the program before the first row."""
    # Only what a queue row reads of each member (case, status, person's A-number and name): the full rows of
    # ~150 cases and people a page cost ~4 ms to build as model instances at 500k cases.
    cases = (
        Case.objects.select_related("alien")
        .only("id", "encounter_id", "alien_id", "status", "alien__id", "alien__a_number", *_NAME_FIELDS)
        .order_by("id")
    )
    return (
        review_queue_for(user=user)
        .select_related("encounter")
        .prefetch_related(Prefetch("encounter__cases", queryset=cases))
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


class TypedMember(Protocol):
    """What the duplicate check reads of a member as typed (``services.MemberInput``)."""

    @property
    def family_name(self) -> str: ...
    @property
    def given_names(self) -> str: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def a_number(self) -> str | None: ...
    @property
    def existing_alien_id(self) -> int | None: ...
    @property
    def dismissed(self) -> Mapping[int, str]: ...


def members_duplicate_candidates(
    members: Sequence[TypedMember], *, limit: int = DUPLICATE_LIMIT
) -> list[list[Alien]]:
    """For each member, the registered people it may be and that were not dismissed: for every member what
    ``services.member_duplicates`` finds (``cases.selectors.alien_duplicate_candidates``: the same A-number,
    then a similar name born the same day or with day and month swapped, best first), in one query for the
    whole family instead of one or two per member. The people come without their language (the draft page
    does not show it). No query when no member can be checked (linked, or neither A-number nor name and
    birth date)."""
    parts: list[QuerySet[Alien]] = []
    for index, member in enumerate(members):
        if member.existing_alien_id:
            continue
        a_number = (
            normalize_a_number(member.a_number)
            if member.a_number and looks_like_a_number(member.a_number)
            else None
        )
        if a_number:
            parts.append(
                Alien.objects.filter(a_number=a_number).annotate(
                    similarity=Value(1.0, output_field=FloatField()), member=Value(index), rank=Value(0)
                )
            )
        born = member.date_of_birth
        if not (member.family_name.strip() and born):
            continue
        fuzzy = Alien.objects.filter(date_of_birth__in=duplicate_birth_dates(born))
        if a_number:  # the person with this A-number is listed once, as the exact match
            fuzzy = fuzzy.exclude(a_number=a_number)
        parts.append(
            fuzzy.annotate(
                similarity=duplicate_similarity(
                    family_name=member.family_name, given_names=member.given_names
                )
            )
            .filter(similarity__gte=DUPLICATE_SIMILARITY)
            .annotate(member=Value(index), rank=Value(1))
            .order_by("-similarity", "pk")[:limit]
        )
    found: list[list[Alien]] = [[] for _ in members]
    if not parts:
        return found
    rows = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    rows.sort(key=lambda a: (a.member, a.rank, -a.similarity, a.pk))  # type: ignore[attr-defined]
    for alien in rows:
        member = members[alien.member]  # type: ignore[attr-defined]
        if alien.pk not in member.dismissed:
            found[alien.member].append(alien)  # type: ignore[attr-defined]
    return found


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
