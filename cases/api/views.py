"""REST API of the case registry (``/api/v1/``): aliens, family units, encounters and cases; ICE custody
determinations (S4) and F4's exception to a hold's family block.

Reads come from ``cases.selectors`` (already scoped to the requesting user, related rows loaded); writes go
through ``cases.services`` (one transaction each, history with actor and reason). A row outside the user's
scope is a 404, never a 403, so the API does not reveal that it exists.

Who may do what is declared per action in ``allowed_roles`` and enforced by the project's deny-by-default
``RolePermission``; the same sets are written into each operation's OpenAPI description, so the docs cannot
disagree with the check. In short:

- aliens, cases — list, retrieve: CBP field roles, print staff, court staff, USCIS, ICE, administrators;
- family-units, encounters — list, retrieve: the same without print staff;
- every collection — create: CBP field roles (CBP officer, Border Patrol agent, CBP supervisor);
- cases/{id}/timeline, cases/{id}/allowed-transitions: the case readers without print staff (there is no
  generic status change: each move is made by the workflow that owns it, through its own endpoint;
  allowed-transitions says which and where);
- cases/{id}/holds: read by the case readers without print staff; opened and released by the roles the
  registered hold kinds name (the service checks the kind);
- custody-referrals (S4, ICE's custody queue): ICE officers;
- cases/{case_id}/custody-determinations: read by ICE officers, CBP supervisors (their duty locations),
  court staff and USCIS asylum officers and supervisors (``cases.selectors.CUSTODY_READ_ROLES``, which says
  why); recorded by ICE officers only (``cases.services.CUSTODY_ROLES``);
- holds/{hold_id}/exemptions (F4's exception): the roles the registered hold kinds name for it (the fear
  claim's: CBP supervisors); the service checks the kind, the family and the duty location;
- analysts: nothing (they read aggregate metrics only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases import selectors, services
from cases.api.filters import AlienFilter, CaseFilter, EncounterFilter
from cases.api.serializers import (
    AlienSerializer,
    ANumberAssignSerializer,
    CaseAllowedTransitionsSerializer,
    CaseRowSerializer,
    CaseSearchQuerySerializer,
    CaseSearchSerializer,
    CaseSerializer,
    CustodyDeterminationCreateSerializer,
    CustodyDeterminationSerializer,
    CustodyReferralRowSerializer,
    EncounterSerializer,
    FamilyUnitSerializer,
    HoldExemptionCreateSerializer,
    HoldExemptionSerializer,
    HoldOpenSerializer,
    HoldReleaseSerializer,
    HoldSerializer,
    TimelineEntrySerializer,
)
from cases.exceptions import CaseNotFound
from cases.models import Alien, Case, Encounter, FamilyUnit, HoldExemption
from cases.registry import hold_kinds
from cases.rules import looks_like_a_number, normalize_a_number
from mpp.accounts.auth import signed_in_user
from mpp.accounts.roles import Role
from mpp.api import ViewOrderedCursorPagination, described, error_response, error_responses
from mpp.audit.api import AccessLoggedListMixin
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
# Opening or releasing a hold is open to the roles some registered kind names; the service checks the kind.
# (Read when the URLs load, after every app's ready() has registered its kinds.)
HOLD_OPEN_ROLES = frozenset().union(*(kind.open_roles for kind in hold_kinds()))
HOLD_RELEASE_ROLES = frozenset().union(*(kind.release_roles for kind in hold_kinds()))


class TimelinePagination(ViewOrderedCursorPagination):
    """A case's events oldest first, by the index on (case, occurred_at, id)."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return ("occurred_at", "id")


class RegistryViewSet(AccessLoggedListMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve and create through a service; subclasses name the selector and the service call.

    Personal data: ``access_log_type`` names the kind of record; a list records the rows of the page it
    returned, a retrieve the one record, each in one access-log row (``AccessLoggedListMixin``)."""

    pagination_class = ViewOrderedCursorPagination
    lookup_value_converter = "int"
    allowed_roles: Mapping[str, frozenset[str]] = {}
    ordering: tuple[str, ...] = ("-created_at", "-id")

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


# --- aliens --------------------------------------------------------------------------------------------

ALIEN_ROLES = {
    "list": PERSON_AND_CASE_READER_ROLES,
    "retrieve": PERSON_AND_CASE_READER_ROLES,
    "create": CBP_FIELD_ROLES,
    "assign_a_number": services.A_NUMBER_ROLES,
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
        responses={201: AlienSerializer, **error_responses(400, 403, 415)},
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

    def get_serializer_class(self) -> type[BaseSerializer]:
        return ANumberAssignSerializer if self.action == "assign_a_number" else AlienSerializer

    @described(
        "Give a person registered without one their A-number (N2, any accepted spelling); recorded on each "
        "of their cases' timelines. 400 naming `a_number`: not an A-number, already registered to someone "
        "else (`a_number_exists`), or the person already has another (`a_number_already_assigned`). "
        "Repeating the same assignment changes nothing.",
        ALIEN_ROLES["assign_a_number"],
        request=ANumberAssignSerializer,
        responses={200: AlienSerializer, **error_responses(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"], url_path="assign-a-number", url_name="assign-a-number")
    def assign_a_number(self, request: Request, pk: str) -> Response:
        alien = self.get_object()
        serializer = ANumberAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.alien_assign_a_number(
            alien_id=alien.pk, actor=signed_in_user(request), **serializer.validated_data
        )
        return Response(AlienSerializer(self.get_queryset().get(pk=alien.pk)).data)


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
        responses={200: FamilyUnitSerializer, **error_responses(400, 403)},
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
        responses={201: FamilyUnitSerializer, **error_responses(400, 403, 415)},
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
    access_log_type = "family_unit"

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
        responses={201: EncounterSerializer, **error_responses(400, 403, 415)},
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
    access_log_type = "encounter"

    def get_queryset(self) -> QuerySet[Encounter]:
        return selectors.encounters_visible_to(self.request.user)

    def create_through_service(self, data: dict[str, Any]) -> Encounter:
        return services.encounter_create(actor=signed_in_user(self.request), **data)


# --- cases ---------------------------------------------------------------------------------------------

CASE_ROLES = {
    "list": PERSON_AND_CASE_READER_ROLES,
    "search": PERSON_AND_CASE_READER_ROLES,
    "retrieve": PERSON_AND_CASE_READER_ROLES,
    "create": CBP_FIELD_ROLES,
    "timeline": REGISTRY_READER_ROLES,
    "allowed_transitions": REGISTRY_READER_ROLES,
    "holds": REGISTRY_READER_ROLES,
    "hold_open": HOLD_OPEN_ROLES,
    "hold_release": HOLD_RELEASE_ROLES,
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
        "locations. The status then changes only through the workflow that owns each move "
        "(`allowed-transitions` says which and where).",
        CASE_ROLES["create"],
        responses={201: CaseSerializer, **error_responses(400, 403, 415)},
    ),
)
class CaseViewSet(RegistryViewSet):
    """Cases and their one status machine.

    Roles admitted — list, retrieve: CBP officer, Border Patrol agent, CBP supervisor, print staff, court
    staff, asylum officer, supervisory asylum officer, ICE officer, administrator; create: CBP officer,
    Border Patrol agent, CBP supervisor; timeline and allowed-transitions: the list/retrieve roles except
    print staff (no status is changed here: each move is made by the workflow that owns it); holds: the
    timeline roles; opening and releasing a
    hold: the roles the registered hold kinds name, the service then checking the kind. Analysts: none.
    """

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    allowed_roles = CASE_ROLES
    ordering = ("-created_at", "-id")  # matches the indexes (status, -created_at), (location, status, …)
    access_log_type = "case"

    def get_queryset(self) -> QuerySet[Case]:
        if self.action == "list":  # a page of rows: the person and the location are what a row shows
            return selectors.case_rows_visible_to(self.request.user)
        return selectors.cases_visible_to(self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        by_action: dict[str, type[BaseSerializer]] = {
            "list": CaseRowSerializer,
            "search": CaseSearchSerializer,
            "timeline": TimelineEntrySerializer,
            "allowed_transitions": CaseAllowedTransitionsSerializer,
            "holds": HoldSerializer,
            "hold_open": HoldOpenSerializer,
            "hold_release": HoldReleaseSerializer,
        }
        return by_action.get(self.action, CaseSerializer)

    def create_through_service(self, data: dict[str, Any]) -> Case:
        case = services.case_open(
            actor=signed_in_user(self.request), encounter=data["encounter"], alien=data["alien"]
        )
        return self.get_queryset().get(pk=case.pk)

    @described(
        "Find cases by A-number or name, as the search page does: an A-number in any accepted spelling "
        "(exact, N2), or a name — given and family names in any order, accents, case and punctuation "
        "ignored, one typo allowed (TÉLLEZ from `Tellez` or `Telez`). At most 50 cases, best match first: "
        "every word exactly, then every word closely, then relatives sharing a family name; the newest case "
        "first within each. Only cases you can see. The cases returned are recorded in the access log.",
        CASE_ROLES["search"],
        parameters=[CaseSearchQuerySerializer],
        responses={200: CaseSearchSerializer, **error_responses(400, 403)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def search(self, request: Request) -> Response:
        query = CaseSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        typed = query.validated_data["q"]
        results = selectors.case_search(user=signed_in_user(request), query=typed)
        self.log_access(*results)
        body = {
            "query": typed,
            "a_number": normalize_a_number(typed) if looks_like_a_number(typed) else None,
            "results": results,
        }
        return Response(CaseSearchSerializer(body, context=self.get_serializer_context()).data)

    @described(
        "Everything recorded on the case (opened, status changes, screening facts, reviews, holds) with "
        "who, when and why; oldest first, 50 a page (`next` is the page after; keyset pagination, however "
        "long the timeline). Medical and fear content is withheld from roles that may not read it "
        "(`restricted` says which). The read is recorded in the access log.",
        CASE_ROLES["timeline"],
        responses={200: TimelineEntrySerializer(many=True), **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=TimelinePagination, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        self.log_access(case)
        user = signed_in_user(request)
        if not selectors.may_read_case_context(user):  # CASE_ROLES["timeline"] admits only these already
            raise PermissionDenied("Your role does not read a case's history.")
        rows = self.paginate_queryset(selectors.case_events_of(case)) or []
        entries = [selectors.timeline_entry(row, user) for row in rows]
        return self.get_paginated_response(TimelineEntrySerializer(entries, many=True).data)

    @described(
        "The moves that may come next for this case that your roles make: the transition table ∩ the "
        "edges whose roles include yours, each with the `workflow` that makes it and `where` (in words). "
        "Nothing here moves the case: there is no generic status change; each move is made by its "
        "workflow's own endpoint, which checks it again. A move an open hold blocks now is listed with its "
        "`refusal` (rule, code, explanation).",
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
            "allowed": [
                {
                    "status": move.status.value,
                    "label": move.label,
                    "workflow": move.edge.owner,
                    "where": move.edge.where,
                    "refusal": move.refusal.as_dict() if move.refusal else None,
                }
                for move in moves
            ],
        }
        return Response(CaseAllowedTransitionsSerializer(body).data)

    @described(
        "The holds on this case, open first: what each blocks, under which rule, who opened it, when and "
        "where, and how it ended. Reasons are null for readers who may not see what the kind may reveal "
        "(fear, medical). The read is recorded in the access log.",
        CASE_ROLES["holds"],
        responses={200: HoldSerializer(many=True), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def holds(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        self.log_access(case)
        views = selectors.holds_of_case(user=signed_in_user(request), case=case)
        return Response(HoldSerializer(views, many=True).data)

    @described(
        "Open a hold of a registered kind on the case, e.g. `fear_claim` (S1: a fear of return stated; it "
        "blocks the claimant's amenability decision and enrolment, and every family member's return to "
        "Mexico, F4). Changes no status. Opening a kind already open returns the open hold. 403 when your "
        "role does not open that kind; 400 naming the field for an unknown kind or a missing reason.",
        CASE_ROLES["hold_open"],
        request=HoldOpenSerializer,
        responses={201: HoldSerializer, **error_responses(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"], url_path="holds/open", url_name="hold-open")
    def hold_open(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        serializer = HoldOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in_user(request)
        hold = services.hold_open(case_id=case.pk, actor=user, **serializer.validated_data)
        view = next(v for v in selectors.holds_of_case(user=user, case=case) if v.hold.pk == hold.pk)
        return Response(HoldSerializer(view).data, status=status.HTTP_201_CREATED)

    @described(
        "Release an open hold on this case with the outcome its kind asks for (`fear_claim`: `negative` or "
        "`positive`, the concurred assessment, S3/S4). The case stays where it is. 409 `already_released` "
        "when someone released it first; 403 when your role does not release that kind.",
        CASE_ROLES["hold_release"],
        request=HoldReleaseSerializer,
        responses={
            200: HoldSerializer,
            **error_responses(400, 403, 404, 415),
            409: error_response("`already_released`: someone released the hold first."),
        },
    )
    @action(detail=True, methods=["post"], url_path="holds/<int:hold_id>/release", url_name="hold-release")
    def hold_release(self, request: Request, pk: str, hold_id: int) -> Response:
        case = self.get_object()
        if not case.holds.filter(pk=hold_id).exists():
            raise CaseNotFound("No such hold on this case.")  # answered as any 404: mpp.api.NOT_FOUND_DETAIL
        serializer = HoldReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in_user(request)
        services.hold_release(hold_id=hold_id, actor=user, **serializer.validated_data)
        view = next(v for v in selectors.holds_of_case(user=user, case=case) if v.hold.pk == hold_id)
        return Response(HoldSerializer(view).data)


# --- ICE custody (S4, F6) ---------------------------------------------------------------------------

# The queue is ICE's work list; a person's determinations are read by the custody readers
# (``cases.selectors.CUSTODY_READ_ROLES``: ICE, CBP supervisors at their duty locations, court staff, USCIS)
# and recorded by ICE officers only (``cases.services.CUSTODY_ROLES``).
CUSTODY_QUEUE_ROLES = {"list": services.CUSTODY_ROLES}
CUSTODY_DETERMINATION_ROLES = {"get": selectors.CUSTODY_READ_ROLES, "post": services.CUSTODY_ROLES}


class CustodyQueuePagination(ViewOrderedCursorPagination):
    """Open referrals oldest first, by the partial index custody_referral_open_idx (referred_at, id)."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return ("referred_at", "id")


def _log_cases(request: Request, case_ids: list[int]) -> None:
    """Custody records name people: one access-log row naming the cases shown (none for none)."""
    access_log_record(
        user=signed_in_user(request),
        request=request,
        channel=AccessLog.Channel.API,
        object_type="case",
        object_ids=case_ids,
    )


@extend_schema_view(
    list=described(
        "ICE's custody queue (S4): people not returned to Mexico under MPP — removed from MPP or not processed "
        "for it — whose first custody determination is due, every port, the oldest referral first; each with "
        "why (`rule`, `code` and the plain `reason`). Cursor-paginated, 50 a page. Record the determination "
        "with `POST /api/v1/cases/{case_id}/custody-determinations/`; the person then leaves the queue. The "
        "cases returned are recorded in the access log.",
        CUSTODY_QUEUE_ROLES["list"],
        responses={200: CustodyReferralRowSerializer, **error_responses(400, 403)},
    ),
)
class CustodyReferralViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """ICE's custody queue (S4, F6). Roles admitted: ICE officer."""

    allowed_roles = CUSTODY_QUEUE_ROLES
    serializer_class = CustodyReferralRowSerializer
    pagination_class = CustodyQueuePagination
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.open_custody_referrals(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = list(self.paginate_queryset(self.get_queryset()) or [])
        _log_cases(request, [row.case_id for row in rows])
        return self.get_paginated_response(CustodyReferralRowSerializer(rows, many=True).data)


def _case_custody(request: Request, case_id: int) -> selectors.CaseCustody:
    user = signed_in_user(request)
    case = selectors.cases_visible_to(user).filter(pk=case_id).first()
    custody = selectors.custody_of_case(user=user, case=case) if case is not None else None
    if custody is None:  # no such case, or outside the reader's duty locations: the same answer
        raise CaseNotFound("No such case.")
    return custody


class CaseCustodyDeterminationsView(GenericAPIView):
    """A person's ICE custody determinations (S4, F6), and recording one."""

    allowed_roles = CUSTODY_DETERMINATION_ROLES
    serializer_class = CustodyDeterminationSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "S4: the case's custody determinations, the current one first, then the ones it revisited, latest "
        "first (`is_current` false, `superseded_by` naming the one that revisited it): the decision, the "
        "reason, who decided and when. Not paginated: one person's history. CBP supervisors read the cases "
        "of their duty locations (else 404). The read is recorded in the access log.",
        CUSTODY_DETERMINATION_ROLES["get"],
        responses={200: CustodyDeterminationSerializer(many=True), **error_responses(403, 404)},
        operation_id="cases_custody_determinations_list",
    )
    def get(self, request: Request, case_id: int) -> Response:
        custody = _case_custody(request, case_id)
        _log_cases(request, [custody.case.pk])
        return Response(CustodyDeterminationSerializer(custody.determinations, many=True).data)

    @described(
        "S4: record ICE's case-by-case custody determination — `detain`, `parole`, `recognizance` (release on "
        "recognizance) or `other` — with the reason; it answers the open referral, if any. When the case has "
        "a determination already, this revisits it: the earlier one stays, superseded. Two officers deciding "
        "at once both record theirs, in order. Refusals: 400 naming `decision` or `reason`; 409 "
        "`custody_not_due` (S4) when the person is neither referred to ICE, nor removed from MPP or not "
        "processed for it, and has no determination to revisit. Returns the new determination.",
        CUSTODY_DETERMINATION_ROLES["post"],
        request=CustodyDeterminationCreateSerializer,
        responses={
            201: CustodyDeterminationSerializer,
            **error_responses(400, 403, 404, 415),
            409: error_response("`custody_not_due` (S4): no custody determination is due for this person."),
        },
        operation_id="cases_custody_determinations_create",
    )
    def post(self, request: Request, case_id: int) -> Response:
        custody = _case_custody(request, case_id)
        serializer = CustodyDeterminationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        determination = services.custody_determine(
            case_id=custody.case.pk, actor=signed_in_user(request), **serializer.validated_data
        )
        view = next(
            v
            for v in _case_custody(request, case_id).determinations
            if v.determination.pk == determination.pk
        )
        return Response(CustodyDeterminationSerializer(view).data, status=status.HTTP_201_CREATED)


# --- F4's exception: separating a member from a hold's family block -------------------------------------

# The roles the registered hold kinds name for it (the fear claim's: CBP supervisors); the service checks
# the kind, the duty location and the family. (Read when the URLs load, after every app's ready().)
HOLD_EXEMPT_ROLES = frozenset().union(*(kind.exempt_roles for kind in hold_kinds()))
HOLD_EXEMPTION_ROLES = {"post": HOLD_EXEMPT_ROLES}


class HoldExemptionsView(GenericAPIView):
    """F4's exception: an independent basis to separate one member from the family block of a hold."""

    allowed_roles = HOLD_EXEMPTION_ROLES
    serializer_class = HoldExemptionSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "F4's exception: record an independent basis to separate one member of the family (`case`) from the "
        "block an open hold on another member's case puts on the family — e.g. a pending fear claim, which "
        "refuses every member's return to Mexico. Only that member's moves are freed; the claimant's own "
        "hold and the rest of the family stay blocked. Changes no status; recorded on both members' "
        "timelines. Recording it again for the same member changes nothing (200, the first record). "
        "Refusals: 400 naming `case` (not in the family, the claimant themself, or a case you cannot see) "
        "or `reason`; 404 when the hold is not one you can see; 409 `already_released` when the hold was "
        "released meanwhile.",
        HOLD_EXEMPTION_ROLES["post"],
        request=HoldExemptionCreateSerializer,
        responses={
            201: HoldExemptionSerializer,
            200: HoldExemptionSerializer,
            **error_responses(400, 403, 404, 415),
            409: error_response("`already_released`: the hold was released meanwhile; nothing to separate."),
        },
        operation_id="holds_exemptions_create",
    )
    def post(self, request: Request, hold_id: int) -> Response:
        user = signed_in_user(request)
        if not selectors.holds_visible_to(user).filter(pk=hold_id).exists():
            raise CaseNotFound("No such hold.")
        serializer = HoldExemptionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member = serializer.validated_data["case"]
        recorded_before = HoldExemption.objects.filter(hold_id=hold_id, case=member).exists()
        exemption = services.hold_exempt_member(
            hold_id=hold_id, case_id=member.pk, actor=user, reason=serializer.validated_data["reason"]
        )
        exemption = HoldExemption.objects.select_related("recorded_by").get(pk=exemption.pk)
        _log_cases(request, [member.pk])
        return Response(
            HoldExemptionSerializer(exemption).data,
            status=status.HTTP_200_OK if recorded_before else status.HTTP_201_CREATED,
        )
