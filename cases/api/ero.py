"""REST API of the hand-off to ICE ERO (H4, ``/api/v1/ero-handoffs/``): the hand-offs due — final orders of
removal not yet carried out — and recording one. Roles: ``cases.services.ERO_ROLES`` (CBP officers and
supervisors at their duty locations, ICE officers everywhere). Reads are recorded in the access log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.api.views import CustodyQueuePagination, _log_cases
from cases.exceptions import CaseNotFound
from cases.models import EroHandoff
from mpp.accounts.auth import signed_in_user
from mpp.api import described, error_response, error_responses

ERO_HANDOFF_ROLES = {"list": services.ERO_ROLES, "record": services.ERO_ROLES}


class EroHandoffSerializer(serializers.ModelSerializer):
    """H4: a final order of removal to carry out: ICE at ``location`` was told."""

    person = serializers.CharField(source="case.alien.full_name", read_only=True)
    a_number = serializers.CharField(source="case.alien.a_number", read_only=True, allow_null=True)
    location = serializers.CharField(source="location.code", read_only=True)
    handed_location = serializers.SerializerMethodField()

    class Meta:
        model = EroHandoff
        fields = [
            "id",
            "case",
            "person",
            "a_number",
            "order_ref",
            "ordered_on",
            "final_on",
            "order_words",
            "location",
            "due_at",
            "handed_at",
            "handed_location",
            "received_by_name",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_handed_location(self, handoff: EroHandoff) -> str | None:
        return handoff.handed_location.code if handoff.handed_location is not None else None


class EroHandoffRecordSerializer(serializers.Serializer):
    handed_location = serializers.IntegerField(min_value=1, help_text="Id of the location of the hand-off.")
    received_by_name = serializers.CharField(
        max_length=200, help_text="The ICE ERO officer who took custody."
    )
    handed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000)


class EroHandoffPagination(CustodyQueuePagination):
    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return ("due_at", "id")


@extend_schema_view(
    list=described(
        "H4: the hand-offs to ICE ERO due — final orders of removal (no appeal reserved, the deadline passed, "
        "the BIA dismissed the appeal, or in absentia) not yet carried out nor reopened — oldest first. ICE "
        "officers see every location's; CBP officers and supervisors their duty locations'. Cursor-paginated; "
        "the cases returned are recorded in the access log.",
        ERO_HANDOFF_ROLES["list"],
        responses={200: EroHandoffSerializer, **error_responses(400, 403)},
    ),
)
class EroHandoffViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    allowed_roles = ERO_HANDOFF_ROLES
    serializer_class = EroHandoffSerializer
    pagination_class = EroHandoffPagination
    filter_backends: list[type] = []
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.ero_handoffs_due(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = list(self.paginate_queryset(self.get_queryset()) or [])
        _log_cases(request, [row.case_id for row in rows])
        return self.get_paginated_response(EroHandoffSerializer(rows, many=True).data)

    @described(
        "H4: record the hand-off to ICE ERO — where (`handed_location`), the ERO officer who took custody "
        "(`received_by_name`), when (`handed_at`, default now): the case moves to `handed_to_ice`. A no-op when "
        "recorded already. 404 when no such hand-off is due for you; 409 `h4_not_final` (reopened, or no final "
        "order); 400 naming `received_by_name`, `handed_at`, `handed_location` or `reason`.",
        ERO_HANDOFF_ROLES["record"],
        request=EroHandoffRecordSerializer,
        responses={
            200: EroHandoffSerializer,
            **error_responses(400, 403, 404, 415),
            409: error_response("`h4_not_final` (H4): the hand-off is only on a final order of removal."),
        },
        operation_id="ero_handoffs_record",
    )
    @action(detail=True, methods=["post"], pagination_class=None, serializer_class=EroHandoffRecordSerializer)
    def record(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        handoff = selectors.ero_handoff_for(user=user, handoff_id=pk)
        if handoff is None:
            raise CaseNotFound("No such hand-off due.")
        serializer = EroHandoffRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        done = services.ero_handoff_record(
            handoff_id=handoff.pk,
            handed_location_id=data["handed_location"],
            received_by_name=data["received_by_name"],
            handed_at=data["handed_at"],
            actor=user,
            reason=data["reason"],
        )
        done = EroHandoff.objects.select_related("case__alien", "location", "handed_location").get(pk=done.pk)
        return Response(EroHandoffSerializer(done).data)
