"""REST API of step 2 — intake and amenability (``/api/v1/``): A1–A5, F1–F3, N3, S1.

Reads come from ``screenings.selectors`` and ``cases.selectors`` (scoped to the requesting user, related rows
loaded); writes go through ``screenings.services`` (one transaction each; case statuses move with actor and
reason in the history). A record outside the user's scope is a 404, never a 403, so the API does not reveal
that it exists; domain refusals are mapped to HTTP by ``mpp.api.exception_handler``.

Who may do what is declared per method (plain views) or per action (the review viewset) in ``allowed_roles``,
enforced by the deny-by-default ``RolePermission`` and written into each operation's OpenAPI description:

- POST intakes/, PUT/PATCH cases/{id}/screening/, POST families/{id}/submit-for-review/: CBP officer, Border
  Patrol agent (the roles ``screenings.services`` lets enter and screen; it also checks the duty location);
- GET aliens/duplicates/, GET families/{id}/proposal/: CBP officer, Border Patrol agent, CBP supervisor;
- GET cases/{id}/screening/: the CBP field roles, USCIS asylum officers (S1 interview: the fear statement and
  the interpretation language) and ICE officers (custody determinations, F6/S4: health and criminal facts).
  Not court staff (the court's record is the NTA and the hearings, not CBP's screening), print staff,
  administrators or analysts: the facts hold medical and criminal details;
- GET amenability-reviews/ (the queue), POST amenability-reviews/{id}/decide/ and
  amenability-reviews/{id}/return/ (back to the officer for re-screening): CBP supervisor;
- GET amenability-reviews/{id}/: CBP supervisor, CBP officer, Border Patrol agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Case
from cases.selectors import alien_duplicate_candidates
from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.api import ViewOrderedCursorPagination, described, error_response, error_responses
from mpp.audit.api import AccessLoggedListMixin
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from screenings import selectors, services
from screenings.api.rows import review_queue_rows
from screenings.api.serializers import (
    AmenabilityReviewSerializer,
    DecideSerializer,
    DuplicateCandidateSerializer,
    DuplicateQuerySerializer,
    FamilyProposalSerializer,
    IntakeRefusalSerializer,
    IntakeResultSerializer,
    IntakeSerializer,
    ReturnSerializer,
    ReviewQueueItemSerializer,
    ScreeningFactsReplaceSerializer,
    ScreeningFactsSerializer,
    intake_cases,
    possible_duplicate_body,
    screening_of,
)
from screenings.exceptions import PossibleDuplicate
from screenings.models import AmenabilityReview

# --- who may do what -----------------------------------------------------------------------------------

# The same sets the services enforce, so the API cannot admit a role the service would refuse.
INTAKE_ROLES = services.INTAKE_ROLES  # cbp_officer, border_patrol_agent
DECIDE_ROLES = services.DECIDE_ROLES  # cbp_supervisor
CBP_FIELD_ROLES = INTAKE_ROLES | DECIDE_ROLES
SCREENING_READER_ROLES = CBP_FIELD_ROLES | {
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
    Role.ICE_OFFICER,
}


def conflict(description: str) -> dict[int, OpenApiResponse]:
    return {409: error_response(description)}


def refused(description: str) -> dict[int, OpenApiResponse]:
    return {403: error_response(description)}


def log_read(request: Request, object_type: str, object_id: int) -> None:
    """Personal data (health, criminal history, fear): record who read it through the API."""
    access_log_record(
        user=signed_in_user(request),
        request=request,
        channel=AccessLog.Channel.API,
        object_type=object_type,
        object_ids=[object_id],
    )


class ScreeningAPIView(GenericAPIView):
    """A plain endpoint of this API: roles per HTTP method; no pagination or filters."""

    allowed_roles: Mapping[str, frozenset[str]] = {}
    pagination_class = None
    filter_backends: list[type] = []


# --- 1. intake -----------------------------------------------------------------------------------------


class IntakeView(ScreeningAPIView):
    """An encounter with its whole family, in one call: one case per member, in ``screening``."""

    allowed_roles = {"post": INTAKE_ROLES}
    serializer_class = IntakeSerializer

    @described(
        "Register an encounter with its whole family and open a case per member, all or nothing. Each member "
        "is a new person (names, date of birth, sex, country, language; A-number optional, any N2 spelling), "
        "or a registered one linked by `existing_alien_id`; a member whose A-number is registered is linked "
        "to that person (N2). A possible duplicate (similar name born the same day, or day and month swapped) "
        "is refused with 400 `possible_duplicate` listing the `candidates`: send the member again with "
        "`existing_alien_id`, or with the candidate in `dismissed_duplicates` and the reason. A member's "
        "error names it: `field` is `members.<index>.<field>`. The location must be one of your duty "
        "locations (else 403); the time must carry its UTC offset and not be in the future.",
        INTAKE_ROLES,
        request=IntakeSerializer,
        responses={
            201: IntakeResultSerializer,
            400: OpenApiResponse(
                IntakeRefusalSerializer, description="Invalid input, or a possible duplicate."
            ),
            **refused("Role not admitted, or the location is not one of your duty locations."),
            **error_responses(415),
        },
        operation_id="intakes_create",
    )
    def post(self, request: Request) -> Response:
        serializer = IntakeSerializer(data=request.data, context=self.get_serializer_context())
        if not serializer.is_valid():
            raise serializer.refusal()
        members = serializer.member_inputs()
        try:
            encounter = services.intake_create(
                actor=signed_in_user(request),
                location=serializer.validated_data["location"],
                occurred_at=serializer.validated_data["occurred_at"],
                members=members,
            )
        except PossibleDuplicate as exc:
            # The candidates are registered people, from any location: log who was shown whom.
            shown = [alien.pk for found in exc.candidates.values() for alien in found]
            access_log_record(
                user=signed_in_user(request),
                request=request,
                channel=AccessLog.Channel.API,
                object_type="alien",
                object_ids=shown,
            )
            return Response(possible_duplicate_body(exc, members), status=status.HTTP_400_BAD_REQUEST)
        cases = selectors.family_cases(encounter_id=encounter.pk)
        # The result names the family's people, linked registered ones among them: one row for them.
        access_log_record(
            user=signed_in_user(request),
            request=request,
            channel=AccessLog.Channel.API,
            object_type="alien",
            object_ids=[case.alien_id for case in cases],
        )
        body = {
            "encounter": encounter.pk,
            "family_unit": encounter.family_unit_id,
            "cases": intake_cases(cases, family_unit_id=encounter.family_unit_id),
        }
        return Response(IntakeResultSerializer(body).data, status=status.HTTP_201_CREATED)


# --- 2. possible duplicates ------------------------------------------------------------------------------


class AlienDuplicatesView(ScreeningAPIView):
    """Registered people who may be the person being entered."""

    allowed_roles = {"get": CBP_FIELD_ROLES}
    serializer_class = DuplicateCandidateSerializer

    @described(
        "People already registered who may be this person: the same A-number (`match: a_number`, any N2 "
        "spelling), or a similar name — accents and typos tolerated — born the same day or with the day and "
        "month swapped (`match: name_and_birth_date`). Searched across all locations: identity is checked "
        "nationally. Give an A-number, or a family name and a date of birth. At most a handful of rows, "
        "best first; not paginated.",
        CBP_FIELD_ROLES,
        parameters=[DuplicateQuerySerializer],
        responses={200: DuplicateCandidateSerializer(many=True), **error_responses(400, 403)},
        operation_id="aliens_duplicates_list",
    )
    def get(self, request: Request) -> Response:
        # A blank parameter (an empty form field) means "not given".
        given = {
            key: value
            for key, value in request.query_params.items()
            if isinstance(value, str) and value.strip()
        }
        query = DuplicateQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        searched = query.validated_data
        found = alien_duplicate_candidates(
            family_name=searched.get("family_name", ""),
            given_names=searched.get("given_names", ""),
            date_of_birth=searched.get("date_of_birth"),
            a_number=searched.get("a_number"),
        )
        context = {"a_number": searched.get("a_number")}
        # A national search that shows people from other locations: log who saw whom (one INSERT).
        access_log_record(
            user=signed_in_user(request),
            request=request,
            channel=AccessLog.Channel.API,
            object_type="alien",
            object_ids=[a.pk for a in found],
        )
        return Response(DuplicateCandidateSerializer(found, many=True, context=context).data)


# --- 3. screening facts ----------------------------------------------------------------------------------

SCREENING_ROLES = {"get": SCREENING_READER_ROLES, "put": INTAKE_ROLES, "patch": INTAKE_ROLES}
SCREENING_WRITE_TEXT = (
    "Refusals: 400 naming the field, with `rule` when a policy rule decided (N3: not fluent without an "
    "interpretation mode, or a mode without its language; A5: a referral outcome without a referral; F2: "
    "the Mexican member's choice for someone who is not Mexican); 409 `screening_closed` once the family "
    "was submitted for review (A3); 403 when the case is not at one of your duty locations."
)


class CaseScreeningView(ScreeningAPIView):
    """The screening facts of one case (A2, A4, A5, F2, F3, N3)."""

    allowed_roles = SCREENING_ROLES
    serializer_class = ScreeningFactsSerializer

    def visible_case(self, case_id: int) -> Case:
        case = selectors.screening_case_for(user=signed_in_user(self.request), case_id=case_id)
        if case is None:
            raise NotFound()
        return case

    @described(
        "The screening facts recorded for the case; `recorded` is false (and every field its default) until "
        "the first save. The read is recorded in the access log.",
        SCREENING_ROLES["get"],
        responses={200: ScreeningFactsSerializer, **error_responses(403, 404)},
        operation_id="cases_screening_retrieve",
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id)
        log_read(request, "screening", case.pk)
        return Response(ScreeningFactsSerializer(screening_of(case)).data)

    @described(
        "Record the screening facts of the case, all of them: a field left out is reset to its default (the "
        "`default` of each field of the request body). Only while the case is in screening. "
        + SCREENING_WRITE_TEXT,
        SCREENING_ROLES["put"],
        request=ScreeningFactsReplaceSerializer,
        responses={
            200: ScreeningFactsSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("`screening_closed`: the family was submitted for review (A3)."),
        },
        operation_id="cases_screening_update",
    )
    def put(self, request: Request, case_id: int) -> Response:
        return self.save(request, case_id, replace=True)

    @described(
        "Record some screening facts of the case; the fields left out keep their values. "
        + SCREENING_WRITE_TEXT,
        SCREENING_ROLES["patch"],
        request=ScreeningFactsSerializer,
        responses={
            200: ScreeningFactsSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("`screening_closed`: the family was submitted for review (A3)."),
        },
        operation_id="cases_screening_partial_update",
    )
    def patch(self, request: Request, case_id: int) -> Response:
        return self.save(request, case_id, replace=False)

    def save(self, request: Request, case_id: int, *, replace: bool) -> Response:
        case = self.visible_case(case_id)
        body = ScreeningFactsReplaceSerializer if replace else ScreeningFactsSerializer
        serializer = body(data=request.data, partial=not replace)
        serializer.is_valid(raise_exception=True)
        facts = services.screening_facts_save(
            actor=signed_in_user(request), case_id=case.pk, facts=serializer.facts()
        )
        return Response(ScreeningFactsSerializer(facts).data)


# --- 4, 5. the family's proposal and its submission ----------------------------------------------------------


class FamilyProposalView(ScreeningAPIView):
    """What the rules propose for the family as the facts stand now."""

    allowed_roles = {"get": CBP_FIELD_ROLES}
    serializer_class = FamilyProposalSerializer

    @described(
        "The live proposal for the family of an encounter (`screenings.rules.propose`): per member amenable "
        "or not, with reason codes (rule id and plain explanation: A2 `mexican_national`, `uac` …), notes "
        "that inform without excluding (A1 basis, F1 family kept together, A4 health history, S1 referral, "
        "N3 interpretation), and blockers — facts still missing (F2 choice, A5 outcome, N3) — that stop the "
        "family being submitted; `family_reasons` holds F3. It decides nothing: a supervisor does (A3). "
        "`case` is the member's case id. The read is recorded in the access log.",
        CBP_FIELD_ROLES,
        responses={200: FamilyProposalSerializer, **error_responses(403, 404)},
        operation_id="families_proposal_retrieve",
    )
    def get(self, request: Request, encounter_id: int) -> Response:
        encounter = selectors.encounter_for_screening(user=signed_in_user(request), encounter_id=encounter_id)
        if encounter is None:
            raise NotFound()
        _, proposal = selectors.family_proposal(encounter_id=encounter.pk)
        log_read(request, "family_proposal", encounter.pk)
        return Response(FamilyProposalSerializer({"encounter": encounter.pk, **proposal.as_json()}).data)


def review_for(user: User, review_id: int) -> AmenabilityReview:
    """The review as ``user`` may see it, with the family's cases and people loaded for ``members``."""
    review = selectors.review_visible_to(user=user, review_id=review_id)
    if review is None:
        raise NotFound()
    return review


class FamilySubmitView(ScreeningAPIView):
    """Send the family to the supervisors of its location (A3)."""

    allowed_roles = {"post": INTAKE_ROLES}
    serializer_class = AmenabilityReviewSerializer

    @described(
        "Freeze the proposal and send the family to the supervisors of its location for the amenability "
        "decision (A3); every case moves to `awaiting_review` and the supervisors are notified. Refused with "
        "409 `screening_incomplete` while the proposal has blockers (the message lists them with their "
        "rules), or `screening_closed` when a case has left screening. Submitting again returns the same "
        "review and changes nothing. No request body.",
        INTAKE_ROLES,
        request=None,
        responses={
            201: AmenabilityReviewSerializer,
            **error_responses(403, 404),
            **conflict("`screening_incomplete`: facts are missing; `screening_closed`."),
        },
        operation_id="families_submit_for_review_create",
    )
    def post(self, request: Request, encounter_id: int) -> Response:
        encounter = selectors.encounter_for_screening(user=signed_in_user(request), encounter_id=encounter_id)
        if encounter is None:
            raise NotFound()
        review = services.family_submit_for_review(actor=signed_in_user(request), encounter_id=encounter.pk)
        return Response(
            AmenabilityReviewSerializer(review_for(signed_in_user(request), review.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- 6, 7. the supervisor's review (A3) ----------------------------------------------------------------------

REVIEW_ROLES = {
    "list": DECIDE_ROLES,
    "retrieve": CBP_FIELD_ROLES,
    "decide": DECIDE_ROLES,
    "return_to_officer": DECIDE_ROLES,  # POST amenability-reviews/{id}/return/
}


@extend_schema_view(
    list=described(
        "The supervisor's queue: families at your duty locations waiting for the amenability decision (A3), "
        "oldest first, each member with the proposal in short. Cursor-paginated.",
        REVIEW_ROLES["list"],
        responses={200: ReviewQueueItemSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One family's review: the proposal frozen at submission, each member's case as it stands and, once "
        "decided, who decided, when, why, and the outcome per member. A review returned to the officer for "
        "re-screening has `status` `returned`, who returned it, when and why in `returned_by`, `returned_at` "
        "and `return_reason` (`decided_*` null), and no decisions. The read is recorded in the access log.",
        REVIEW_ROLES["retrieve"],
        responses={200: AmenabilityReviewSerializer, **error_responses(403, 404)},
    ),
)
class AmenabilityReviewViewSet(AccessLoggedListMixin, viewsets.GenericViewSet):
    """The amenability reviews (A3): the queue, one review, the decision, the return to the officer.

    The queue shows each family's members: a page of it is recorded in one access-log row naming its
    reviews (``AccessLoggedListMixin``)."""

    allowed_roles = REVIEW_ROLES
    serializer_class = ReviewQueueItemSerializer
    pagination_class = ViewOrderedCursorPagination
    ordering = ("submitted_at", "id")  # oldest first; matches the index (location, status, submitted_at)
    filter_backends: list[type] = []
    lookup_value_converter = "int"
    access_log_type = "amenability_review"
    # The queue's page: its ids first (mpp.api.ViewOrderedCursorPagination), then its rows as values,
    # members and waits_for_hold included (screenings.api.rows): 400 model instances a page otherwise.
    narrow_page = True

    def json_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return review_queue_rows(ids)

    def get_queryset(self) -> QuerySet[AmenabilityReview]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return AmenabilityReview.objects.none()
        # The queue's own query: the page reads only its ids from it (narrow_page), then review_queue_rows.
        return selectors.review_queue_for(user=signed_in_user(self.request))

    def get_serializer_class(self) -> type[Any]:
        return {
            "list": ReviewQueueItemSerializer,
            "decide": DecideSerializer,
            "return_to_officer": ReturnSerializer,
        }.get(self.action, AmenabilityReviewSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        review = review_for(signed_in_user(request), pk)
        log_read(request, "amenability_review", review.pk)
        return Response(AmenabilityReviewSerializer(review).data)

    @described(
        "Decide the family (A3): confirm the proposal, with an override for some members — "
        "`exclude_discretion` (A2 discretion), `exclude_health` (A4, case by case) or `overrule_health` (A4, "
        "a proposed health exclusion overruled) — each with a written reason. Every case moves (amenable, "
        "not amenable with its reason codes, or fear claim pending for a member who stated fear, S1) with "
        "`reason` and you as the actor in its history. Refusals: 403 `separation_of_duties` (rule A3) when "
        "you entered or submitted this family; 409 `already_decided` (the message names who decided and "
        "when); 400 naming the field (`reason`, `overrides`; rule A4 for overruling a health exclusion that "
        "was not proposed). A review at a location that is not yours is a 404.",
        REVIEW_ROLES["decide"],
        request=DecideSerializer,
        responses={
            200: AmenabilityReviewSerializer,
            **error_responses(400, 404, 415),
            **refused("Role not admitted; `separation_of_duties` (A3); `not_permitted` (not your location)."),
            **conflict("`already_decided`: another supervisor decided this family first (A3)."),
        },
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        review = review_for(signed_in_user(request), pk)
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        overrides = {
            item["case"]: services.MemberOverride(kind=item["kind"], reason=item["reason"])
            for item in serializer.validated_data["overrides"]
        }
        services.amenability_decide(
            actor=signed_in_user(request),
            review_id=review.pk,
            reason=serializer.validated_data["reason"],
            overrides=overrides,
        )
        return Response(AmenabilityReviewSerializer(review_for(signed_in_user(request), review.pk)).data)

    @described(
        "Return the family to the officer for re-screening instead of deciding (A3): the review is closed as "
        "`returned` with `reason` (what the officer must look at again) and you as `returned_by`; every case "
        "goes back to `screening` with the reason in its history; the officers who entered and submitted the "
        "family are notified. The corrected screening is submitted again as a new review "
        "(`families/{encounter_id}/submit-for-review/`). Nothing is decided. Refusals: 403 "
        "`separation_of_duties` (rule A3) when you entered or submitted this family; 409 `already_decided` "
        "when the family was already decided or returned (the message names who and when); 400 naming "
        "`reason`. A review at a location that is not yours is a 404.",
        REVIEW_ROLES["return_to_officer"],
        request=ReturnSerializer,
        responses={
            200: AmenabilityReviewSerializer,
            **error_responses(400, 404, 415),
            **refused("Role not admitted; `separation_of_duties` (A3); `not_permitted` (not your location)."),
            **conflict("`already_decided`: another supervisor decided or returned this family first (A3)."),
        },
        operation_id="amenability_reviews_return_create",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_officer(self, request: Request, pk: int) -> Response:
        review = review_for(signed_in_user(request), pk)
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.amenability_return(
            actor=signed_in_user(request), review_id=review.pk, reason=serializer.validated_data["reason"]
        )
        return Response(AmenabilityReviewSerializer(review_for(signed_in_user(request), review.pk)).data)
