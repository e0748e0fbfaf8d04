"""REST API of the case registry (``/api/v1/``): aliens, family units, encounters and cases.

Reads come from ``cases.selectors`` (already scoped to the requesting user, related rows loaded); writes go
through ``cases.services`` (one transaction each, history with actor and reason). A row outside the user's
scope is a 404, never a 403, so the API does not reveal that it exists.

Who may do what is declared per action in ``allowed_roles`` and enforced by the project's deny-by-default
``RolePermission``; the same sets are written into each operation's OpenAPI description, so the docs cannot
disagree with the check. In short:

- aliens, cases — list, retrieve: CBP field roles, print staff, court staff, USCIS, ICE, administrators;
- family-units, encounters — list, retrieve: the same without print staff;
- every collection — create: CBP field roles (CBP officer, Border Patrol agent, CBP supervisor);
- cases/{id}/timeline, cases/{id}/allowed-transitions: the case readers without print staff;
- cases/{id}/transition: every role named in ``cases.permissions.TRANSITION_ROLES``; the service then checks
  that role against the target status, the duty location, the transition table and F4;
- analysts: nothing (they read aggregate metrics only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases import selectors, services
from cases.api.filters import AlienFilter, CaseFilter, EncounterFilter
from cases.api.serializers import (
    AlienSerializer,
    CaseAllowedTransitionsSerializer,
    CaseSerializer,
    CaseTransitionSerializer,
    EncounterSerializer,
    FamilyUnitSerializer,
    TimelineEntrySerializer,
)
from cases.models import Alien, Case, Encounter, FamilyUnit
from cases.permissions import TRANSITION_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.accounts.roles import Role
from mpp.api import ApiErrorSerializer, ViewOrderedCursorPagination, described, error_responses
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record

# --- who may do what -----------------------------------------------------------------------------------

CBP_FIELD_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR})
# Court, USCIS and ICE staff work nationally from the registry CBP builds; administrators support them.
REGISTRY_READER_ROLES = CBP_FIELD_ROLES | {
    Role.COURT_STAFF,
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
    Role.ICE_OFFICER,
    Role.ADMINISTRATOR,
}
# Print staff print tear sheets and notices: they need the person and the case, not the family or the
# encounter, nor the case's decision history.
PERSON_AND_CASE_READER_ROLES = REGISTRY_READER_ROLES | {Role.PRINT_STAFF}
# Asking for a move is open to every role that owns at least one target status; the service checks the
# particular target (cases.permissions.TRANSITION_ROLES), the duty location, the table and F4.
TRANSITION_REQUEST_ROLES = frozenset().union(*TRANSITION_ROLES.values())


class RegistryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve and create through a service; subclasses name the selector and the service call."""

    pagination_class = ViewOrderedCursorPagination
    lookup_value_converter = "int"
    allowed_roles: Mapping[str, frozenset[str]] = {}
    ordering: tuple[str, ...] = ("-created_at", "-id")
    access_log_type: str | None = None

    def get_queryset(self) -> QuerySet[Any]:
        """The rows the requesting user may see. Pass ``self.request.user`` as it is, not
        ``signed_in_user``: drf-spectacular calls this with an anonymous user while it builds the schema, and
        the ``*_visible_to`` selectors return no rows for one."""
        raise NotImplementedError

    def create_through_service(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def render(self, instance: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(instance).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_through_service(dict(serializer.validated_data))
        return self.render(instance, status_code=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        self.log_access(instance)
        return self.render(instance)

    def log_access(self, instance: Any) -> None:
        """Personal data: record who read which record through the API (mpp.audit access log)."""
        if self.access_log_type:
            access_log_record(
                user=signed_in_user(self.request),
                channel=AccessLog.Channel.API,
                object_type=self.access_log_type,
                object_id=instance.pk,
                path=self.request.path,
            )


# --- aliens --------------------------------------------------------------------------------------------

ALIEN_ROLES = {
    "list": PERSON_AND_CASE_READER_ROLES,
    "retrieve": PERSON_AND_CASE_READER_ROLES,
    "create": CBP_FIELD_ROLES,
}


@extend_schema_view(
    list=described(
        "People in the registry that you can see: all of them for national roles; for CBP field roles and "
        "print staff, those with a case at one of your duty locations or registered by you. Newest first.",
        ALIEN_ROLES["list"],
        responses={200: AlienSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One person. The read is recorded in the access log.",
        ALIEN_ROLES["retrieve"],
        responses={200: AlienSerializer, **error_responses(403, 404)},
    ),
    create=described(
        "Register a person. N2: the A-number may be written as on documents (A123456789, 123-456-789, "
        "8 digits with a leading zero implied) and is stored as A + nine digits; a number already registered "
        "is refused (400, `a_number`). The date of birth cannot be in the future.",
        ALIEN_ROLES["create"],
        responses={201: AlienSerializer, **error_responses(400, 403)},
    ),
)
class AlienViewSet(RegistryViewSet):
    """People (N2: found by A-number).

    Roles admitted — list, retrieve: CBP officer, Border Patrol agent, CBP supervisor, print staff, court
    staff, asylum officer, supervisory asylum officer, ICE officer, administrator; create: CBP officer,
    Border Patrol agent, CBP supervisor. Analysts: none.
    """

    serializer_class = AlienSerializer
    filterset_class = AlienFilter
    allowed_roles = ALIEN_ROLES
    ordering = ("-id",)  # registration order on the primary key index
    access_log_type = "alien"

    def get_queryset(self) -> QuerySet[Alien]:
        return selectors.aliens_visible_to(self.request.user)

    def create_through_service(self, data: dict[str, Any]) -> Alien:
        return services.alien_create(actor=signed_in_user(self.request), **data)


# --- family units --------------------------------------------------------------------------------------

FAMILY_UNIT_ROLES = {
    "list": REGISTRY_READER_ROLES,
    "retrieve": REGISTRY_READER_ROLES,
    "create": CBP_FIELD_ROLES,
}


@extend_schema_view(
    list=described(
        "Family units you can see (at your duty locations, or recorded by you, for CBP field roles). "
        "Newest first.",
        FAMILY_UNIT_ROLES["list"],
        responses={200: FamilyUnitSerializer, **error_responses(403)},
    ),
    retrieve=described(
        "One family unit with its members.",
        FAMILY_UNIT_ROLES["retrieve"],
        responses={200: FamilyUnitSerializer, **error_responses(403, 404)},
    ),
    create=described(
        "Record the people encountered together: at least one member, exactly one `head`, nobody twice. "
        "Each member must be a person you can see. A single adult is a family of one (F-rules).",
        FAMILY_UNIT_ROLES["create"],
        responses={201: FamilyUnitSerializer, **error_responses(400, 403)},
    ),
)
class FamilyUnitViewSet(RegistryViewSet):
    """Family units (F1-F6 read the same for a family of one).

    Roles admitted — list, retrieve: CBP officer, Border Patrol agent, CBP supervisor, court staff, asylum
    officer, supervisory asylum officer, ICE officer, administrator; create: CBP officer, Border Patrol
    agent, CBP supervisor. Print staff and analysts: none.
    """

    serializer_class = FamilyUnitSerializer
    allowed_roles = FAMILY_UNIT_ROLES
    ordering = ("-id",)

    def get_queryset(self) -> QuerySet[FamilyUnit]:
        return selectors.family_units_visible_to(self.request.user)

    def create_through_service(self, data: dict[str, Any]) -> FamilyUnit:
        members = [
            services.MemberSpec(alien=member["alien"], relationship=member["relationship"])
            for member in data["members"]
        ]
        unit = services.family_unit_create(actor=signed_in_user(self.request), members=members)
        # Render through the selector so the members come with their prefetch, as on the list.
        return self.get_queryset().get(pk=unit.pk)


# --- encounters ----------------------------------------------------------------------------------------

ENCOUNTER_ROLES = {
    "list": REGISTRY_READER_ROLES,
    "retrieve": REGISTRY_READER_ROLES,
    "create": CBP_FIELD_ROLES,
}


@extend_schema_view(
    list=described(
        "Encounters you can see (at your duty locations, for CBP field roles). Most recent first.",
        ENCOUNTER_ROLES["list"],
        responses={200: EncounterSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One encounter.",
        ENCOUNTER_ROLES["retrieve"],
        responses={200: EncounterSerializer, **error_responses(403, 404)},
    ),
    create=described(
        "Record an encounter. A1: at a port of entry (component OFO) or a Border Patrol station (USBP); the "
        "component follows from the location and may be left out. The location must be one of your duty "
        "locations (else 403); the time must carry its UTC offset and not be in the future.",
        ENCOUNTER_ROLES["create"],
        responses={201: EncounterSerializer, **error_responses(400, 403)},
    ),
)
class EncounterViewSet(RegistryViewSet):
    """Encounters at or between ports of entry (A1).

    Roles admitted — list, retrieve: CBP officer, Border Patrol agent, CBP supervisor, court staff, asylum
    officer, supervisory asylum officer, ICE officer, administrator; create: CBP officer, Border Patrol
    agent, CBP supervisor. Print staff and analysts: none.
    """

    serializer_class = EncounterSerializer
    filterset_class = EncounterFilter
    allowed_roles = ENCOUNTER_ROLES
    ordering = ("-occurred_at", "-id")  # matches the index (location, -occurred_at)

    def get_queryset(self) -> QuerySet[Encounter]:
        return selectors.encounters_visible_to(self.request.user)

    def create_through_service(self, data: dict[str, Any]) -> Encounter:
        return services.encounter_create(actor=signed_in_user(self.request), **data)


# --- cases ---------------------------------------------------------------------------------------------

CASE_ROLES = {
    "list": PERSON_AND_CASE_READER_ROLES,
    "retrieve": PERSON_AND_CASE_READER_ROLES,
    "create": CBP_FIELD_ROLES,
    "transition": TRANSITION_REQUEST_ROLES,
    "timeline": REGISTRY_READER_ROLES,
    "allowed_transitions": REGISTRY_READER_ROLES,
}


@extend_schema_view(
    list=described(
        "Cases you can see (at your duty locations, for CBP field roles and print staff). Newest first.",
        CASE_ROLES["list"],
        responses={200: CaseSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One case. The read is recorded in the access log.",
        CASE_ROLES["retrieve"],
        responses={200: CaseSerializer, **error_responses(403, 404)},
    ),
    create=described(
        "Open a person's case for an encounter, in `screening`. The person must be a member of the "
        "encounter's family unit and have no case for it yet; the encounter must be at one of your duty "
        "locations. The status then changes only through `transition`.",
        CASE_ROLES["create"],
        responses={201: CaseSerializer, **error_responses(400, 403)},
    ),
)
class CaseViewSet(RegistryViewSet):
    """Cases and their one status machine.

    Roles admitted — list, retrieve: CBP officer, Border Patrol agent, CBP supervisor, print staff, court
    staff, asylum officer, supervisory asylum officer, ICE officer, administrator; create: CBP officer,
    Border Patrol agent, CBP supervisor; timeline and allowed-transitions: the list/retrieve roles except
    print staff; transition: every role that owns at least one target status in
    ``cases.permissions.TRANSITION_ROLES`` (CBP officer, Border Patrol agent, CBP supervisor, supervisory
    asylum officer, court staff, ICE officer), the service then checking the particular target. Analysts:
    none.
    """

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    allowed_roles = CASE_ROLES
    ordering = ("-created_at", "-id")  # matches the indexes (status, -created_at), (location, status, …)
    access_log_type = "case"

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.cases_visible_to(self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return {
            "transition": CaseTransitionSerializer,
            "timeline": TimelineEntrySerializer,
            "allowed_transitions": CaseAllowedTransitionsSerializer,
        }.get(self.action, CaseSerializer)

    def create_through_service(self, data: dict[str, Any]) -> Case:
        case = services.case_open(
            actor=signed_in_user(self.request), encounter=data["encounter"], alien=data["alien"]
        )
        return self.get_queryset().get(pk=case.pk)

    @described(
        "Move the case to `to_status`, recording `reason` in its history. Refusals: 403 `not_permitted` when "
        "your role does not own that target status; 409 `illegal_transition` when the transition table "
        "forbids the move (the message names both states); 409 `family_fear_pending` with rule `F4` when a "
        "family member's pending fear claim blocks a return to Mexico. Repeating a move that already "
        "happened changes nothing. Returns the case as it is after the move.",
        CASE_ROLES["transition"],
        request=CaseTransitionSerializer,
        responses={
            200: CaseSerializer,
            **error_responses(400, 403, 404),
            409: OpenApiResponse(ApiErrorSerializer, description="Refused by the status machine or a rule."),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        serializer = CaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = services.case_transition(
            case_id=case.pk,
            to_status=serializer.validated_data["to_status"],
            actor=signed_in_user(request),
            reason=serializer.validated_data["reason"],
        )
        return Response(
            CaseSerializer(self.get_queryset().get(pk=moved.pk), context=self.get_serializer_context()).data
        )

    @described(
        "Who moved the case when, from which status to which, and why; oldest first. The read is recorded in "
        "the access log.",
        CASE_ROLES["timeline"],
        responses={200: TimelineEntrySerializer(many=True), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        self.log_access(case)
        entries = selectors.case_timeline(case=case)
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @described(
        "The statuses you may move this case to now: the transition table ∩ the target statuses your roles "
        "own. A move listed here is still checked again when asked (F4 may refuse a return to Mexico).",
        CASE_ROLES["allowed_transitions"],
        responses={200: CaseAllowedTransitionsSerializer, **error_responses(403, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="allowed-transitions",
        url_name="allowed-transitions",
        pagination_class=None,
        filter_backends=[],
    )
    def allowed_transitions(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        moves = selectors.case_moves_for(user=signed_in_user(request), case=case)
        body = {
            "case": case.pk,
            "status": case.status,
            "status_label": case.get_status_display(),
            "allowed": [{"status": move.value, "label": move.label} for move in moves],
        }
        return Response(CaseAllowedTransitionsSerializer(body).data)
