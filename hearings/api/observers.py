"""Observers and press at the immigration hearing facilities in the API (O1, O2), and hearings closed to the
public (O1).

- ``observer-requests/?facility=<id>``: a facility's log, newest first (keyset, 50 a page); POST records a
  request; ``observer-requests/{id}/decide/`` grants or refuses it (``o1_closed_hearing`` for a hearing
  closed to the public, in plain words, never the reason);
- ``hearings/{id}/close-to-public/``, ``hearings/{id}/open-to-public/``: court staff only.

Reads come from ``hearings.observer_selectors``, writes go through ``hearings.observer_services``. The log
names no person heard: a hearing is given by its id, time, place and whether it is closed; the closed
reason is never in the API. Roles: ``OBSERVER_ROLES`` (court staff; CBP supervisors at their facilities)
for the log; court staff for closing. A facility or request outside the caller's answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from hearings import observer_selectors as selectors
from hearings import observer_services as services
from hearings.api.serializers import id_field, named_choice_field
from hearings.models import Hearing, HearingLocation, ObserverRequest
from hearings.workflow import COURT_ROLES, OBSERVER_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.api import ViewOrderedCursorPagination, described, error_response, error_responses

# --- serializers -------------------------------------------------------------------------------------


ObserverKindField = named_choice_field(
    "ObserverKind",
    ObserverRequest.Kind.choices,
    "O1: the public, in person; O2: the press, through DHS Public Affairs.",
)
ObserverDecisionField = named_choice_field(
    "ObserverDecision",
    ObserverRequest.Decision.choices,
    "Not yet decided (empty), granted or refused (O1, O2).",
)
DECIDE_CHOICES = [
    (ObserverRequest.Decision.GRANTED.value, "Granted"),
    (ObserverRequest.Decision.REFUSED.value, "Refused"),
]
ObserverDecideChoiceField = named_choice_field(
    "ObserverDecideChoice", DECIDE_CHOICES, "Grant or refuse (O1, O2)."
)


class ObserverLogQuerySerializer(serializers.Serializer):
    facility = id_field(help_text="Id of an immigration hearing facility (a hearing location of that kind).")


class ObserverRequestSerializer(serializers.ModelSerializer):
    """One request to observe (O1) or press visit (O2), as the log shows it: never the person heard."""

    facility: serializers.SlugRelatedField[HearingLocation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    kind = ObserverKindField(read_only=True)
    decision = ObserverDecisionField(read_only=True)
    hearing = serializers.IntegerField(source="hearing_id", allow_null=True, read_only=True)
    hearing_starts_at = serializers.DateTimeField(source="hearing.starts_at", allow_null=True, default=None)
    hearing_location = serializers.CharField(
        source="hearing.hearing_location.name", allow_null=True, default=None
    )
    hearing_closed_to_public = serializers.BooleanField(
        source="hearing.closed_to_public",
        allow_null=True,
        default=None,
        help_text="O1: the named hearing is closed to the public (observers are refused; no details).",
    )
    recorded_by = serializers.CharField(source="recorded_by.display_name")
    decided_by = serializers.CharField(source="decided_by.display_name", allow_null=True, default=None)

    class Meta:
        model = ObserverRequest
        fields = [
            "id",
            "facility",
            "kind",
            "requester_name",
            "outlet",
            "public_affairs_contact",
            "asked_at",
            "for_day",
            "hearing",
            "hearing_starts_at",
            "hearing_location",
            "hearing_closed_to_public",
            "decision",
            "refusal_code",
            "decision_reason",
            "decided_by",
            "decided_at",
            "recorded_by",
        ]
        read_only_fields = fields


class ObserverRequestCreateSerializer(serializers.Serializer):
    facility = id_field(help_text="Id of the immigration hearing facility (O1: Laredo, Brownsville).")
    kind = ObserverKindField()
    requester_name = serializers.CharField(max_length=200)
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    public_affairs_contact = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="O2: who at DHS Public Affairs coordinated a press visit (required for the press).",
    )
    for_day = serializers.DateField(help_text="The day they ask to observe, in the facility's zone.")
    hearing = id_field(
        required=False, allow_null=True, default=None, help_text="One hearing that day, or null."
    )
    asked_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Default now."
    )
    reason = serializers.CharField(max_length=2000, help_text="How the request reached you.")


class ObserverDecideSerializer(serializers.Serializer):
    decision = ObserverDecideChoiceField()
    reason = serializers.CharField(max_length=2000, help_text="Why; recorded with your name and the time.")


class HearingPublicSerializer(serializers.ModelSerializer):
    """Whether a hearing is open to the public (O1); the reason it is closed is not in the API."""

    class Meta:
        model = Hearing
        fields = ["id", "starts_at", "hearing_location", "closed_to_public"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why; kept on the hearing for court staff only (never shown to observers)."
    )


# --- the log -------------------------------------------------------------------------------------------

OBSERVER_API_ROLES = {"list": OBSERVER_ROLES, "create": OBSERVER_ROLES, "decide": OBSERVER_ROLES}


@extend_schema_view(
    list=described(
        "O1/O2: a hearing facility's observer and press requests, newest first (by when they asked), 50 a "
        "page (`next` follows; keyset). Each: who asked (for the press: outlet and DHS Public Affairs "
        "contact), when, for which day or hearing (its time, place and whether it is closed to the public — "
        "never the person heard), the decision, by whom and why. 404 for a facility you do not record "
        "observers for.",
        OBSERVER_API_ROLES["list"],
        parameters=[ObserverLogQuerySerializer],
        responses={200: ObserverRequestSerializer, **error_responses(400, 403, 404)},
    ),
    create=described(
        "O1/O2: record that someone asked, in person, to observe proceedings at an immigration hearing "
        "facility, or that a press outlet asked through DHS Public Affairs, for a day or one hearing of it. "
        "Refusals: 400 `o1_not_a_hearing_facility` (`facility`), `o2_outlet_required` (`outlet`), "
        "`o2_public_affairs_required` (`public_affairs_contact`), `o1_hearing_not_at_facility` "
        "(`hearing`: not at that facility on that day), `in_future` (`asked_at`); 404 for a facility you do "
        "not record observers for.",
        OBSERVER_API_ROLES["create"],
        request=ObserverRequestCreateSerializer,
        responses={201: ObserverRequestSerializer, **error_responses(400, 403, 404, 415)},
    ),
)
class ObserverRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    allowed_roles = OBSERVER_API_ROLES
    serializer_class = ObserverRequestSerializer
    pagination_class = ViewOrderedCursorPagination
    filter_backends: list[type] = []
    lookup_value_converter = "int"
    ordering = ("-asked_at", "-id")  # the index (facility, -asked_at, -id)

    def get_queryset(self) -> QuerySet[ObserverRequest]:
        if getattr(self, "swagger_fake_view", False):
            return ObserverRequest.objects.none()
        query = ObserverLogQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        user = signed_in_user(self.request)
        wanted = query.validated_data["facility"]
        place = next((p for p in selectors.observer_facilities_of(user) if p.pk == wanted), None)
        if place is None:
            raise NotFound()
        return ObserverRequest.objects.filter(facility=place).select_related(
            "facility", "hearing__hearing_location", "recorded_by", "decided_by"
        )

    def get_serializer_class(self) -> type[Any]:
        return ObserverRequestCreateSerializer if self.action == "create" else ObserverRequestSerializer

    def _answer(self, request_id: int, code: int = status.HTTP_200_OK) -> Response:
        row = ObserverRequest.objects.select_related(
            "facility", "hearing__hearing_location", "recorded_by", "decided_by"
        ).get(pk=request_id)
        return Response(ObserverRequestSerializer(row).data, status=code)

    def create(self, request: Request) -> Response:
        data = ObserverRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        recorded = services.observer_request_record(
            facility_id=given["facility"],
            kind=given["kind"],
            requester_name=given["requester_name"],
            outlet=given["outlet"],
            public_affairs_contact=given["public_affairs_contact"],
            for_day=given["for_day"],
            hearing_id=given["hearing"],
            asked_at=given["asked_at"],
            actor=signed_in_user(request),
            reason=given["reason"],
        )
        return self._answer(recorded.pk, status.HTTP_201_CREATED)

    @described(
        "O1/O2: grant or refuse the request, case by case, with why. A hearing closed to the public is "
        "never granted: 409 `o1_closed_hearing` (rule O1), “This hearing is closed to the public to protect "
        "the person's sensitive matters.” — never why; refusing it records that code. A request for a day "
        "covers the hearings open to the public that day only, and the decision says so. 409 "
        "`o1_already_decided` once decided; 404 for a request at a facility you do not record observers for.",
        OBSERVER_API_ROLES["decide"],
        request=ObserverDecideSerializer,
        responses={
            200: ObserverRequestSerializer,
            **error_responses(400, 403, 404, 415),
            409: error_response("`o1_closed_hearing`, `o1_already_decided`."),
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def decide(self, request: Request, pk: int) -> Response:
        data = ObserverDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.observer_request_decide(
            request_id=int(pk),
            decision=data.validated_data["decision"],
            actor=signed_in_user(request),
            reason=data.validated_data["reason"],
        )
        return self._answer(decided.pk)


# --- closing a hearing to the public ---------------------------------------------------------------------


class _HearingPublicView(GenericAPIView):
    allowed_roles = {"post": COURT_ROLES}
    serializer_class = ReasonSerializer
    pagination_class = None
    filter_backends: list[type] = []

    def _run(self, request: Request, hearing_id: int, *, close: bool) -> Response:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.hearing_close_to_public if close else services.hearing_open_to_public
        hearing = run(
            hearing_id=hearing_id, actor=signed_in_user(request), reason=data.validated_data["reason"]
        )
        return Response(HearingPublicSerializer(hearing).data)


class HearingCloseView(_HearingPublicView):
    @described(
        "O1: close the hearing to the public to protect the person's sensitive matters. The reason is kept "
        "on the hearing for court staff only (never in the API, never shown to observers); the case "
        "timeline says only that it was closed. A grant already given for it is revised to refused "
        "(`o1_closed_hearing`). Closing a closed hearing changes nothing.",
        COURT_ROLES,
        request=ReasonSerializer,
        responses={200: HearingPublicSerializer, **error_responses(400, 403, 404, 415)},
        operation_id="hearings_close_to_public",
    )
    def post(self, request: Request, hearing_id: int) -> Response:
        return self._run(request, hearing_id, close=True)


class HearingOpenView(_HearingPublicView):
    @described(
        "O1: open a closed hearing to the public again. Opening an open hearing changes nothing.",
        COURT_ROLES,
        request=ReasonSerializer,
        responses={200: HearingPublicSerializer, **error_responses(400, 403, 404, 415)},
        operation_id="hearings_open_to_public",
    )
    def post(self, request: Request, hearing_id: int) -> Response:
        return self._run(request, hearing_id, close=False)
