"""REST API of fear claims (``/api/v1/fear-claims/``): S1 (the claim and its referral to USCIS), S2/S3 (the
assessment interview, the determination and the supervisory review) and, through the review, S4/F3/F5.

Reads come from ``screenings.fear_selectors``, which apply the field-level rule in one place
(``claim_view``: ``fear`` and ``interview`` content, ``mpp.accounts.roles.DETAIL_ROLES``); writes go through
``screenings.fear_services`` (one transaction each: locks, holds, the moves of a concurred positive
assessment, case events, outbox events). Domain refusals are mapped to HTTP by ``mpp.api.exception_handler``
(``code``, ``detail``, ``field``, ``rule``).

Who may do what is declared per action in ``allowed_roles`` (the sets of ``screenings.workflow``, the ones the
services enforce), checked by the deny-by-default ``RolePermission`` and written into each operation's
description:

- list, retrieve: the claim readers (``CLAIM_READ_ROLES``: CBP officers, agents and supervisors, court staff,
  asylum officers and their supervisors, ICE). Print staff, analysts and administrators: 403.
- create (record a claim, S1): CBP officers, agents and supervisors, court staff (``FEAR_CLAIM_OPEN_ROLES``).
- schedule, assessment: asylum officers and supervisory asylum officers (``ASSESS_ROLES``).
- review: supervisory asylum officers (``CONCUR_ROLES``), never on their own assessment.

Scope: the USCIS roles work the claims of the asylum offices they are posted at; another office's claim is
a 404, the same answer as a missing id (``fear_claim_for_office``). Every other reader sees the claims on
the cases they can see (``fear_claims_visible_to``). Every read is recorded in the access log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases.selectors import cases_visible_to
from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import Location, User
from mpp.api import described, error_response, error_responses
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from screenings import fear_selectors, fear_services
from screenings.api.fear_serializers import (
    FearAssessmentSubmitSerializer,
    FearClaimPageSerializer,
    FearClaimQuerySerializer,
    FearClaimRecordedSerializer,
    FearClaimRecordSerializer,
    FearClaimRowSerializer,
    FearClaimSerializer,
    FearInterviewScheduleSerializer,
    FearReviewSerializer,
    claim_body,
    claim_row,
    queue_row_json,
)
from screenings.models import FearClaim
from screenings.workflow import ASSESS_ROLES, CLAIM_READ_ROLES, CONCUR_ROLES, FEAR_CLAIM_OPEN_ROLES

FEAR_CLAIM_ROLES: Mapping[str, frozenset[str]] = {
    "list": CLAIM_READ_ROLES,
    "retrieve": CLAIM_READ_ROLES,
    "create": FEAR_CLAIM_OPEN_ROLES,
    "schedule": ASSESS_ROLES,
    "assessment": ASSESS_ROLES,
    "review": CONCUR_ROLES,
}
INVALID_CURSOR = "Not a cursor of this list: follow the `next` or `previous` link of a page."
FIELD_LEVEL = (
    " What you see of the content depends on your role (field-level, the same in pages, events and "
    "exports): everyone admitted sees that the claim exists, when and where it was stated, the asylum office, "
    "its status and, once concurred, its outcome; `fear` readers (asylum officers, their supervisors, CBP "
    "supervisors) also who stated it, the statement, the determination and its grounds; `interview` readers "
    "(asylum officers and their supervisors) also the interview — interpreter, counsel, the account, medical "
    "details, the analysis and the review's reasons. Withheld values are null and `restricted` names their "
    "kinds."
)
OTHER_OFFICE = " A claim of an asylum office you are not posted at is a 404, as a missing one."


def conflict(description: str) -> dict[int, OpenApiResponse]:
    return {409: error_response(description)}


def refused(description: str) -> dict[int, OpenApiResponse]:
    return {403: error_response(description)}


def log_read(request: Request, object_ids: list[int]) -> None:
    """Fear claims are personal data: record who was shown which (one row; none for an empty page)."""
    access_log_record(
        user=signed_in_user(request),
        request=request,
        channel=AccessLog.Channel.API,
        object_type="fear_claim",
        object_ids=object_ids,
    )


def office_claim(user: User, claim_id: int) -> FearClaim:
    """The claim, for a USCIS reader posted at its office; otherwise 404 (as a missing one)."""
    claim = fear_selectors.fear_claim_for_office(user=user, claim_id=claim_id)
    if claim is None:
        raise NotFound()
    return claim


def readable_claim(user: User, claim_id: int) -> FearClaim:
    """The claim as ``user`` reaches it: the USCIS roles through their asylum offices (their work, and the
    only way they see a claim's content here), everyone else through the cases they can see."""
    if user.has_role(*ASSESS_ROLES):
        return office_claim(user, claim_id)
    claim = fear_selectors.fear_claims_visible_to(user).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def readable_body(user: User, claim: FearClaim) -> dict[str, Any]:
    """What ``FearClaimSerializer`` renders of the claim for ``user``: from ``claim_view``, nothing else."""
    return claim_body(fear_selectors.claim_view(user=user, claim=claim))


def case_rows(user: User, case_id: int) -> list[dict[str, Any]]:
    """The rows of one case's claims, newest first (``fear_claims_of_case``); none for a case you cannot see."""
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:  # not one you can see: no claims, as a case without any
        return []
    views = fear_selectors.fear_claims_of_case(user=user, case=case)
    return [
        claim_row(
            view.claim,
            {
                view.claim.location_id: view.claim.location,
                view.claim.asylum_office_id: view.claim.asylum_office,
            },
        )
        for view in views
    ]


def queue_page(request: Request, user: User, searched: Mapping[str, Any]) -> dict[str, Any]:
    """One page of an asylum office's queue (``fear_claim_queue``: keyset, oldest first) with its links."""
    office: Location = searched["office"]
    if not fear_selectors.works_at_office(user, office.pk):
        yours = ", ".join(o.code for o in fear_selectors.asylum_offices_of(user)) or "none"
        raise ValidationError(
            {
                "office": [
                    ErrorDetail(f"Not one of your asylum offices (yours: {yours}).", code="not_your_office")
                ]
            }
        )
    tab = searched.get("tab") or fear_selectors.default_tab(user)
    params = {"office": office.code, "tab": tab}
    if searched.get("cursor"):
        params["cursor"] = searched["cursor"]
    page = fear_selectors.fear_claim_queue(user=user, office_id=office.pk, tab=tab, params=params)
    if page.cursor_refused:
        raise ValidationError({"cursor": [ErrorDetail(INVALID_CURSOR, code="invalid_cursor")]})
    link = request.build_absolute_uri
    return {
        "next": link(request.path + page.next_query) if page.has_next else None,
        "previous": link(request.path + page.previous_query) if page.has_previous else None,
        # Rendered from the rows' values (FearClaimRowSerializer's JSON: queue_row_json).
        "results": [queue_row_json(v) for v in fear_selectors.fear_queue_values([c.pk for c in page.rows])],
    }


@extend_schema_view(
    list=described(
        "Fear claims, in one of two ways. With `office` (USCIS roles): that asylum office's queue — one you "
        "are posted at, else 400 naming `office` — by what is waiting (`tab`, or the claims' `status`), "
        "oldest first, 50 a page, keyset-paginated (follow `next`; a cursor that is not this list's is 400 "
        "naming `cursor`). With `case`: the claims of that case, newest first, on one page; a case you cannot "
        "see has none. Rows hold nothing restricted — who, when, where, the office, the status and the "
        "outcome once concurred; open a claim for the rest you may read. The rows returned are recorded in "
        "the access log.",
        FEAR_CLAIM_ROLES["list"],
        parameters=[FearClaimQuerySerializer],
        responses={200: FearClaimPageSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One fear claim and its assessment." + FIELD_LEVEL + OTHER_OFFICE + " Other readers reach the "
        "claims of the cases they can see. The read is recorded in the access log.",
        FEAR_CLAIM_ROLES["retrieve"],
        responses={200: FearClaimSerializer, **error_responses(403, 404)},
    ),
    create=described(
        "S1: record that a person affirmatively stated a fear of persecution or torture in Mexico, or of "
        "return to Mexico — themselves, or a parent or legal guardian for a child — while in the U.S. It "
        "refers them to the USCIS asylum office serving `location` and opens the `fear_claim` hold: the "
        "claimant's amenability decision and enrolment wait, and nobody in the family is returned to Mexico "
        "until it is decided (F4). 201 with the claim. A person with a claim pending already has it (one "
        "record, never a second): 200 with that claim and `already_pending` true, nothing recorded. "
        "Refusals: 400 naming the field (`stated_by`: an adult states their own fear; `stated_by_alien`: not "
        "a member of the family unit; `location`: an asylum office, or no office serves it; `language`; "
        "`stated_at` in the future or before the encounter); 403 when `location` is not one of your "
        "duty locations; 404 when the case is not one you can see; 409 `fear_claim_not_applicable` (rule "
        "S1) when the person is not, or no longer, in MPP.",
        FEAR_CLAIM_ROLES["create"],
        request=FearClaimRecordSerializer,
        responses={
            201: OpenApiResponse(FearClaimRecordedSerializer, description="The claim recorded."),
            200: OpenApiResponse(
                FearClaimRecordedSerializer, description="Already pending: the claim as it is (nothing new)."
            ),
            **error_responses(400, 404, 415),
            **refused("Role not admitted, or the location is not one of your duty locations."),
            **conflict("`fear_claim_not_applicable` (S1): not, or no longer, in MPP."),
        },
    ),
)
class FearClaimViewSet(viewsets.GenericViewSet):
    """Fear claims (S1) and their assessment (S2, S3): the queue, one claim, recording one, scheduling the
    interview, submitting the assessment, the supervisory review."""

    allowed_roles = FEAR_CLAIM_ROLES
    serializer_class = FearClaimSerializer
    pagination_class = None  # the queue pages itself (fear_claim_queue: keyset, 50 rows)
    filter_backends: list[type] = []
    lookup_value_converter = "int"

    def get_serializer_class(self) -> type[Any]:
        return {
            "list": FearClaimRowSerializer,
            "create": FearClaimRecordSerializer,
            "schedule": FearInterviewScheduleSerializer,
            "assessment": FearAssessmentSubmitSerializer,
            "review": FearReviewSerializer,
        }.get(self.action, FearClaimSerializer)

    # --- reads ---------------------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        # A blank parameter (an empty form field) means "not given"; the last of repeated values counts.
        given = {key: value for key, value in request.query_params.dict().items() if value.strip()}
        query = FearClaimQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        searched = query.validated_data
        user = signed_in_user(request)
        body: dict[str, Any]
        if "case" in searched:
            body = {"next": None, "previous": None, "results": case_rows(user, searched["case"])}
            log_read(request, [row["id"] for row in body["results"]])
            return Response(FearClaimPageSerializer(body).data)
        body = queue_page(request, user, searched)  # already rendered
        log_read(request, [row["id"] for row in body["results"]])
        return Response(body)

    def retrieve(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        claim = readable_claim(user, pk)
        log_read(request, [claim.pk])
        return Response(FearClaimSerializer(readable_body(user, claim)).data)

    # --- writes --------------------------------------------------------------------------------------

    def create(self, request: Request) -> Response:
        serializer = FearClaimRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in_user(request)
        started = timezone.now()
        claim = fear_services.fear_claim_record(
            case_id=data["case"],
            actor=user,
            data=fear_services.ClaimInput(
                stated_by=data["stated_by"],
                location_id=data["location"].pk,
                setting=data["setting"],
                language_id=data["language"].pk,
                stated_at=data.get("stated_at"),
                stated_by_alien_id=data.get("stated_by_alien"),
                statement=data["statement"],
            ),
        )
        # The service answers a second statement with the claim already pending (S1: one record). This
        # request recorded the claim when it was created by this user after the request began.
        recorded = claim.recorded_by_id == user.pk and claim.created_at >= started
        body = readable_body(user, readable_claim(user, claim.pk))
        log_read(request, [claim.pk])
        return Response(
            FearClaimRecordedSerializer({**body, "already_pending": not recorded}).data,
            status=status.HTTP_201_CREATED if recorded else status.HTTP_200_OK,
        )

    @described(
        "S2: schedule (or reschedule) the MPP assessment interview with an asylum officer posted at the "
        "claim's office — you, unless `asylum_officer` names another. Counsel's availability does not delay "
        "it (S2). Returns the claim." + OTHER_OFFICE + " Refusals: 400 naming `interview_at` (before the "
        "fear was stated) or `asylum_officer` (not an active asylum officer of the office); 409 "
        "`already_assessed` once the assessment was submitted.",
        FEAR_CLAIM_ROLES["schedule"],
        request=FearInterviewScheduleSerializer,
        responses={
            200: FearClaimSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("`already_assessed`: the assessment was submitted; the interview is not rescheduled."),
        },
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        claim = office_claim(user, pk)
        serializer = FearInterviewScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fear_services.fear_interview_schedule(
            claim_id=claim.pk,
            actor=user,
            interview_at=serializer.validated_data["interview_at"],
            asylum_officer_id=serializer.validated_data.get("asylum_officer"),
        )
        return self.render_office_claim(request, user, claim.pk)

    @described(
        "S2, S3: record the interview (when it took place; the interpreter and the language when the "
        "person cannot proceed in English and the officer cannot proceed in the person's language; retained "
        "counsel by telephone) and the determination — more likely than not to face persecution on account "
        "of race, religion, nationality, membership in a particular social group or political opinion, or "
        "torture, if returned to Mexico: `positive` with its grounds, or `negative` — for a supervisory "
        "asylum officer's review. Not in effect until concurred. After a return for correction, submit the "
        "corrected assessment again. Returns the claim." + OTHER_OFFICE + " Refusals: 400 naming the field "
        "(`interview_held_at` in the future or before the claim; `grounds`: a positive names one, a negative "
        "none; `interview_language` and `interpreter_id` with an interpreter, `counsel_name` with counsel: "
        "rule S2; `account`, `determination_reason`); 409 `not_scheduled` (schedule the interview first) or "
        "`already_assessed`.",
        FEAR_CLAIM_ROLES["assessment"],
        request=FearAssessmentSubmitSerializer,
        responses={
            200: FearClaimSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("`not_scheduled`: no interview scheduled; `already_assessed`: already submitted."),
        },
    )
    @action(detail=True, methods=["post"])
    def assessment(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        claim = office_claim(user, pk)
        serializer = FearAssessmentSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        language = data.get("interview_language")
        fear_services.fear_assessment_submit(
            claim_id=claim.pk,
            actor=user,
            data=fear_services.AssessmentInput(
                interview_held_at=data["interview_held_at"],
                determination=data["determination"],
                grounds=list(data["grounds"]),
                account=data["account"],
                determination_reason=data["determination_reason"],
                interview_language_id=language.pk if language else None,
                interpretation_mode=data["interpretation_mode"],
                interpreter_id=data["interpreter_id"],
                counsel_present_by_phone=data["counsel_present_by_phone"],
                counsel_name=data["counsel_name"],
                medical_notes=data["medical_notes"],
            ),
        )
        return self.render_office_claim(request, user, claim.pk)

    @described(
        "S3: concur with the submitted assessment (it takes effect) or return it to the asylum officer for "
        "correction, with `reason`. Concurring releases the `fear_claim` hold with the outcome. Positive: "
        "the claimant is not processed for MPP or is removed from it (`fear_of_mexico`, S4) and so is every "
        "member of the family in the U.S. together (`family_member_fear_positive`, F5; "
        "`family_mexican_member_fear`, F3, for a Mexican claimant), in one transaction, each case's timeline "
        "saying why, each referred to ICE for a custody determination. Negative: the hold is released and "
        "nobody moves. The port's CBP supervisors and ICE officers there are told. Returns the claim."
        + OTHER_OFFICE
        + " Refusals: 403 `separation_of_duties` (rule S3) when you made this assessment; 409 "
        "`already_reviewed` when another supervisor decided first (the message names who and when) or "
        "`not_submitted`; 400 naming `decision` or `reason`.",
        FEAR_CLAIM_ROLES["review"],
        request=FearReviewSerializer,
        responses={
            200: FearClaimSerializer,
            **error_responses(400, 404, 415),
            **refused("Role not admitted; `separation_of_duties` (S3): you made this assessment."),
            **conflict("`already_reviewed`: another supervisor decided first; `not_submitted`."),
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        claim = office_claim(user, pk)
        serializer = FearReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fear_services.fear_assessment_review(
            claim_id=claim.pk,
            actor=user,
            decision=serializer.validated_data["decision"],
            reason=serializer.validated_data["reason"],
        )
        return self.render_office_claim(request, user, claim.pk)

    def render_office_claim(self, request: Request, user: User, claim_id: int) -> Response:
        claim = office_claim(user, claim_id)
        log_read(request, [claim.pk])
        return Response(FearClaimSerializer(readable_body(user, claim)).data)
