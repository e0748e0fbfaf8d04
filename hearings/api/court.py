"""REST API of what happens in court (``/api/v1/``, H2–H5, F6): the day's docket, a hearing held or missed,
counsel of record (H3), the immigration judge's decisions and their appeal (H4/H5), reopenings and remands
(H5), and the hearing a reopened case needs.

Reads come from ``hearings.court_selectors`` / ``hearings.selectors`` (scoped to the requesting user);
writes go through ``hearings.court_services``. A case or record outside the user's scope is a 404. Who may
do what: reads — ``READ_ROLES`` (CBP officers, agents and supervisors at their duty locations, court staff,
print staff, ICE and USCIS officers); every write — court staff (``COURT_ROLES``). Reads naming people
are recorded in the access log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from cases.exceptions import CaseNotFound
from cases.selectors import cases_visible_to
from hearings import court_selectors, court_services, selectors
from hearings.api.serializers import HearingKindField, HearingSerializer, named_choice_field
from hearings.api.views import conflict, log_read, query_of
from hearings.models import (
    Completion,
    Hearing,
    HearingAttendance,
    HearingLocation,
    NoticeToAppear,
    Reopening,
    Representation,
)
from hearings.workflow import COURT_ROLES, READ_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.api import ViewOrderedCursorPagination, described, error_responses

# --- serializers ----------------------------------------------------------------------------------------

# Components of their own (the API has several ``kind`` enums; clients generate one type per component).
RepresentationKindField = named_choice_field(
    "RepresentationKind", Representation.Kind.choices, "H3: attorney or accredited representative."
)
ReopeningKindField = named_choice_field(
    "ReopeningKind", Reopening.Kind.choices, "H5: a motion to reopen granted, or a BIA remand."
)


class RepresentationSerializer(serializers.ModelSerializer):
    """H3: an attorney or accredited representative of record (EOIR-28), current while ``ended_on`` is null."""

    kind = RepresentationKindField(read_only=True)

    class Meta:
        model = Representation
        fields = [
            "id",
            "case",
            "kind",
            "name",
            "organization",
            "eoir_id",
            "phone",
            "eoir28_filed_on",
            "ended_on",
            "end_reason",
            "created_at",
        ]
        read_only_fields = fields


class RepresentationCreateSerializer(serializers.Serializer):
    kind = RepresentationKindField()
    name = serializers.CharField(max_length=200)
    organization = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    eoir_id = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    eoir28_filed_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class RepresentationEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class CompletionSerializer(serializers.ModelSerializer):
    """H4/H5: a decision completing the case; ``is_initial`` false for one after a reopening (named)."""

    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    stays_in_us = serializers.BooleanField(
        source="is_relief", read_only=True, help_text="H4: relief granted."
    )

    class Meta:
        model = Completion
        fields = [
            "id",
            "case",
            "hearing",
            "decision",
            "decision_label",
            "decided_on",
            "is_initial",
            "reopening",
            "appeal",
            "appeal_due_on",
            "appeal_filed_on",
            "appeal_decided_on",
            "appeal_outcome",
            "stays_in_us",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class CompletionCreateSerializer(serializers.Serializer):
    hearing = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    decision = serializers.ChoiceField(choices=Completion.Decision.choices)
    decided_on = serializers.DateField()
    appeal = serializers.ChoiceField(
        choices=[Completion.Appeal.NONE, Completion.Appeal.RESERVED], default=Completion.Appeal.NONE
    )
    appeal_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000)


class AppealSerializer(serializers.Serializer):
    appeal = serializers.ChoiceField(
        choices=[
            Completion.Appeal.RESERVED,
            Completion.Appeal.FILED,
            Completion.Appeal.NOT_FILED,
            Completion.Appeal.DECIDED,
        ]
    )
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(
        choices=["", *[v for v in Completion.AppealOutcome.values if v]], required=False, default=""
    )
    reason = serializers.CharField(max_length=2000)


class ReopeningSerializer(serializers.ModelSerializer):
    kind = ReopeningKindField(read_only=True)

    class Meta:
        model = Reopening
        fields = ["id", "case", "completion", "kind", "granted_on", "reason", "created_at"]
        read_only_fields = fields


class ReopeningCreateSerializer(serializers.Serializer):
    kind = ReopeningKindField()
    granted_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class HearingActionSerializer(serializers.Serializer):
    hearing_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50
    )
    reason = serializers.CharField(max_length=2000)


class HearingScheduleSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)
    kind = HearingKindField(default=Hearing.Kind.MASTER)
    reason = serializers.CharField(max_length=2000)


class DocketQuerySerializer(serializers.Serializer):
    hearing_location = serializers.PrimaryKeyRelatedField(
        queryset=HearingLocation.objects.filter(is_active=True)
    )
    day = serializers.DateField()


class DocketRowSerializer(serializers.Serializer):
    """One hearing on the day's docket, with what the court needs at a glance."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    starts_at = serializers.DateTimeField()
    status = serializers.CharField()
    kind = serializers.CharField()
    person = serializers.CharField(source="case.alien.full_name")
    a_number = serializers.CharField(source="case.alien.a_number", allow_null=True)
    language = serializers.CharField(source="case.alien.preferred_language.name", allow_null=True)
    interpretation = serializers.SerializerMethodField(help_text="N3: none, in_person or telephonic.")
    interpreter_language = serializers.SerializerMethodField()
    counsel = serializers.CharField(source="counsel_name", allow_null=True, help_text="H3: of record now.")
    checked_in_at = serializers.SerializerMethodField()
    transported_at = serializers.SerializerMethodField()
    appearance = serializers.SerializerMethodField(help_text="'', attended or failed_to_appear.")
    decision = serializers.CharField(allow_null=True, help_text="The decision made at this hearing, if any.")

    @staticmethod
    def _nta(row: Hearing) -> Any:
        try:
            return row.case.nta
        except NoticeToAppear.DoesNotExist:
            return None

    @staticmethod
    def _attendance(row: Hearing) -> Any:
        try:
            return row.attendance
        except HearingAttendance.DoesNotExist:
            return None

    def get_interpretation(self, row: Hearing) -> str | None:
        nta = self._nta(row)
        return nta.interpretation if nta else None

    def get_interpreter_language(self, row: Hearing) -> str | None:
        nta = self._nta(row)
        return nta.interpreter_language.name if nta and nta.interpreter_language else None

    def get_checked_in_at(self, row: Hearing) -> str | None:
        a = self._attendance(row)
        return a.checked_in_at.isoformat() if a and a.checked_in_at else None

    def get_transported_at(self, row: Hearing) -> str | None:
        a = self._attendance(row)
        return a.transported_at.isoformat() if a and a.transported_at else None

    def get_appearance(self, row: Hearing) -> str:
        a = self._attendance(row)
        return a.appearance if a else ""


# --- views ----------------------------------------------------------------------------------------------


def _case(request: Request, case_id: int) -> int:
    case = cases_visible_to(signed_in_user(request)).filter(pk=case_id).values_list("pk", flat=True).first()
    if case is None:
        raise CaseNotFound("No such case.")
    return case


class CourtView(GenericAPIView):
    pagination_class: type[BasePagination] | None = None
    filter_backends: list[type] = []


class DocketView(CourtView):
    """The day's docket at a hearing location (H2, H3, H1)."""

    allowed_roles = {"get": READ_ROLES}
    serializer_class = DocketRowSerializer
    pagination_class = ViewOrderedCursorPagination
    ordering = ("starts_at", "id")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return Hearing.objects.none()
        query = query_of(self.request, DocketQuerySerializer)
        return court_selectors.court_docket(
            user=signed_in_user(self.request),
            hearing_location_id=query["hearing_location"].pk,
            day=query["day"],
        )

    @described(
        "The day's docket at a hearing location (`hearing_location`, `day` in its zone), in hearing order, moved "
        "hearings included: person, A-number, language, interpretation (N3), counsel of record (H3), the hearing "
        "day (H1: checked in, transported, appearance) and the decision made at it. Cursor-paginated, 50 a "
        "page; the cases returned are recorded in the access log.",
        READ_ROLES,
        parameters=[DocketQuerySerializer],
        responses={200: DocketRowSerializer(many=True), **error_responses(400, 403)},
        operation_id="court_docket_list",
    )
    def get(self, request: Request) -> Response:
        rows = list(self.paginate_queryset(self.get_queryset()) or [])
        log_read(request, "case", [row.case_id for row in rows])
        return self.get_paginated_response(DocketRowSerializer(rows, many=True).data)


def _hearings_response(request: Request, hearings: list[Hearing], code: int = status.HTTP_200_OK) -> Response:
    rows = list(
        selectors.hearings_visible_to(user=signed_in_user(request)).filter(pk__in=[h.pk for h in hearings])
    )
    log_read(request, "hearing", [h.pk for h in rows])
    return Response(HearingSerializer(rows, many=True).data, status=code)


class HearingHeldView(CourtView):
    allowed_roles = {"post": COURT_ROLES}
    serializer_class = HearingActionSerializer

    @described(
        "H2/H3: the hearings took place (a family heard together at once): the person attended and the counsel "
        "of record is recorded on each. Repeating it is a no-op. The hearing stays scheduled until a decision "
        "completes the case at it or it is continued (`POST /api/v1/hearings/move/`, mode continued: a new "
        "tear sheet, N5). Refusals: 404 a hearing you cannot see; 409 `hearing_not_scheduled`, "
        "`hearing_not_yet`, `appearance_recorded` (failure to appear recorded).",
        COURT_ROLES,
        request=HearingActionSerializer,
        responses={
            200: HearingSerializer(many=True),
            **error_responses(400, 403, 404, 415),
            **conflict("See above."),
        },
        operation_id="court_hearings_held",
    )
    def post(self, request: Request) -> Response:
        data = self._valid(request)
        held = court_services.hearing_held(
            hearing_ids=data["hearing_ids"], actor=signed_in_user(request), reason=data["reason"]
        )
        return _hearings_response(request, held)

    def _valid(self, request: Request) -> dict[str, Any]:
        serializer = HearingActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class HearingFailureToAppearView(HearingHeldView):
    @described(
        "The court records that the person did not appear at the hearings. Refused for someone checked in at "
        "the port that day (409 `h1_checked_in`), and as `held`. An order in absentia may follow.",
        COURT_ROLES,
        request=HearingActionSerializer,
        responses={
            200: HearingSerializer(many=True),
            **error_responses(400, 403, 404, 415),
            **conflict("See above."),
        },
        operation_id="court_hearings_failure_to_appear",
    )
    def post(self, request: Request) -> Response:
        data = self._valid(request)
        missed = court_services.failure_to_appear(
            hearing_ids=data["hearing_ids"], actor=signed_in_user(request), reason=data["reason"]
        )
        return _hearings_response(request, missed)


class CaseHearingScheduleView(CourtView):
    allowed_roles = {"post": COURT_ROLES}
    serializer_class = HearingScheduleSerializer

    @described(
        "Schedule the hearing of a case with none scheduled — a reopened or remanded one (H5): a place in "
        "`slot` before the NTA's court, a new tear sheet (printed where the case was processed), and the port "
        "the person reports to. Refusals: 400 `slot`; 409 `case_closed`, `hearing_already_scheduled`, "
        "`slot_full`.",
        COURT_ROLES,
        request=HearingScheduleSerializer,
        responses={
            201: HearingSerializer(many=True),
            **error_responses(400, 403, 404, 415),
            **conflict("See above."),
        },
        operation_id="court_case_hearing_schedule",
    )
    def post(self, request: Request, case_id: int) -> Response:
        serializer = HearingScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hearing = court_services.hearing_schedule(
            case_id=_case(request, case_id),
            slot_id=data["slot"],
            kind=data["kind"],
            actor=signed_in_user(request),
            reason=data["reason"],
        )
        return _hearings_response(request, [hearing], status.HTTP_201_CREATED)


class CaseRepresentationsView(CourtView):
    allowed_roles = {"get": READ_ROLES, "post": COURT_ROLES}
    serializer_class = RepresentationSerializer

    @described(
        "H3: the case's counsel of record, newest first (the current one has `ended_on` null).",
        READ_ROLES,
        responses={200: RepresentationSerializer(many=True), **error_responses(403, 404)},
        operation_id="court_case_representations_list",
    )
    def get(self, request: Request, case_id: int) -> Response:
        rows = court_selectors.representations_visible_to(
            user=signed_in_user(request), case_id=_case(request, case_id)
        )
        log_read(request, "case", [case_id])
        return Response(RepresentationSerializer(rows, many=True).data)

    @described(
        "H3: enter the attorney or accredited representative of record (EOIR-28 filed on "
        "`eoir28_filed_on`); the one of record before is ended as substituted on that date. 400 naming "
        "`kind`, `name`, `eoir28_filed_on` or `reason`.",
        COURT_ROLES,
        request=RepresentationCreateSerializer,
        responses={201: RepresentationSerializer, **error_responses(400, 403, 404, 415)},
        operation_id="court_case_representations_create",
    )
    def post(self, request: Request, case_id: int) -> Response:
        serializer = RepresentationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rep = court_services.representation_record(
            case_id=_case(request, case_id), actor=signed_in_user(request), **serializer.validated_data
        )
        return Response(RepresentationSerializer(rep).data, status=status.HTTP_201_CREATED)


class RepresentationEndView(CourtView):
    allowed_roles = {"post": COURT_ROLES}
    serializer_class = RepresentationEndSerializer

    @described(
        "H3: the counsel of record withdrew: ended on `ended_on` (the record stays). A no-op when ended.",
        COURT_ROLES,
        request=RepresentationEndSerializer,
        responses={200: RepresentationSerializer, **error_responses(400, 403, 404, 415)},
        operation_id="court_representations_end",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        rep = court_selectors.representation_for(user=user, representation_id=pk)
        if rep is None:
            raise CaseNotFound("No such representation.")
        serializer = RepresentationEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ended = court_services.representation_end(
            representation_id=rep.pk, actor=user, **serializer.validated_data
        )
        return Response(RepresentationSerializer(ended).data)


class CaseCompletionsView(CourtView):
    allowed_roles = {"get": READ_ROLES, "post": COURT_ROLES}
    serializer_class = CompletionSerializer

    @described(
        "H4/H5: the case's decisions, newest first, each initial or later (after the named reopening), with "
        "its appeal.",
        READ_ROLES,
        responses={200: CompletionSerializer(many=True), **error_responses(403, 404)},
        operation_id="court_case_completions_list",
    )
    def get(self, request: Request, case_id: int) -> Response:
        rows = court_selectors.completions_visible_to(
            user=signed_in_user(request), case_id=_case(request, case_id)
        )
        log_read(request, "case", [case_id])
        return Response(CompletionSerializer(rows, many=True).data)

    @described(
        "H4/H5: record the immigration judge's decision completing the case, at `hearing` (then held) or "
        "outside one. The first is the initial completion; a later one needs an open reopening (409 "
        "`h5_not_reopened`). Relief or protection: the person stays in the U.S. A removal order with no appeal "
        "reserved, or in absentia, is final: the hand-off to ICE ERO is due (H4). F6: when a family member is "
        "granted relief, the others not granted go to ICE's custody queue. Refusals: 400 naming `decision`, "
        "`decided_on`, `appeal`, `appeal_due_on`, `hearing`; 409 `in_absentia_appeared`, `h5_not_reopened`.",
        COURT_ROLES,
        request=CompletionCreateSerializer,
        responses={
            201: CompletionSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("See above."),
        },
        operation_id="court_case_completions_create",
    )
    def post(self, request: Request, case_id: int) -> Response:
        serializer = CompletionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        completion = court_services.completion_record(
            case_id=_case(request, case_id),
            hearing_id=data.pop("hearing"),
            actor=signed_in_user(request),
            **data,
        )
        return Response(CompletionSerializer(completion).data, status=status.HTTP_201_CREATED)


class CompletionAppealView(CourtView):
    allowed_roles = {"post": COURT_ROLES}
    serializer_class = AppealSerializer

    @described(
        "An appeal's next step: `reserved` (a new `due_on`), `filed` (`filed_on`), `not_filed` (the deadline "
        "passed: a removal order is final, H4), `decided` (`decided_on`, `outcome` dismissed — a removal order "
        "is final, H4 — or sustained: remanded, H5). Refusals: 400 naming the date or `outcome`; 409 "
        "`appeal_step`, `appeal_deadline_not_passed`, `completion_reopened`.",
        COURT_ROLES,
        request=AppealSerializer,
        responses={
            200: CompletionSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("See above."),
        },
        operation_id="court_completions_appeal",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        completion = court_selectors.completion_for(user=user, completion_id=pk)
        if completion is None:
            raise CaseNotFound("No such decision.")
        serializer = AppealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = court_services.appeal_record(
            completion_id=completion.pk, actor=user, **serializer.validated_data
        )
        return Response(CompletionSerializer(done).data)


class CaseReopeningsView(CourtView):
    allowed_roles = {"get": READ_ROLES, "post": COURT_ROLES}
    serializer_class = ReopeningSerializer

    @described(
        "H5: the case's reopenings and remands, newest first.",
        READ_ROLES,
        responses={200: ReopeningSerializer(many=True), **error_responses(403, 404)},
        operation_id="court_case_reopenings_list",
    )
    def get(self, request: Request, case_id: int) -> Response:
        rows = court_selectors.reopenings_visible_to(
            user=signed_in_user(request), case_id=_case(request, case_id)
        )
        log_read(request, "case", [case_id])
        return Response(ReopeningSerializer(rows, many=True).data)

    @described(
        "H5: a motion to reopen granted or a BIA remand: the latest decision is reopened, the case goes back "
        "on the docket (`reopened`), a due hand-off to ICE ERO is cancelled. Then schedule its hearing "
        "(`POST /api/v1/cases/{case_id}/hearings/schedule/`). 409 `h5_nothing_to_reopen`.",
        COURT_ROLES,
        request=ReopeningCreateSerializer,
        responses={201: ReopeningSerializer, **error_responses(400, 403, 404, 415), **conflict("See above.")},
        operation_id="court_case_reopenings_create",
    )
    def post(self, request: Request, case_id: int) -> Response:
        serializer = ReopeningCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reopening = court_services.reopening_record(
            case_id=_case(request, case_id), actor=signed_in_user(request), **serializer.validated_data
        )
        return Response(ReopeningSerializer(reopening).data, status=status.HTTP_201_CREATED)
