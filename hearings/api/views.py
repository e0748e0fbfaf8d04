"""REST API of the hearings app (``/api/v1/``): hearing locations and slots, hearings (H2), the NTA (N1, N3;
filing for M3/M4), tear sheets (N1, N5) with their PDF, the print queue and its batches, and changes of
address in Mexico (N6).

Reads come from ``hearings.selectors`` (scoped to the requesting user, related rows loaded); writes go
through ``hearings.services`` (one transaction each, history with actor and reason, case events, outbox
events). A record outside the user's scope — another duty location's sheet, batch, hearing or case — is a
404, never a 403, so the API does not reveal that it exists; domain refusals are mapped to HTTP by
``mpp.api.exception_handler`` (``code``, ``detail``, ``rule``, ``field``).

Who may do what is declared per action (viewsets) or per method (plain views) in ``allowed_roles``, enforced
by the deny-by-default ``RolePermission`` and written into each operation's description. The sets are
``hearings.workflow``'s, the ones the services enforce:

- reads (hearing locations, slots, hearings, NTAs, tear sheets and their PDF, addresses): ``READ_ROLES`` —
  CBP officers, agents and supervisors, court staff, print staff, ICE and USCIS officers. Location-scoped
  roles see their duty locations' cases only. Analysts and administrators read no case data here;
- publishing slots, moving hearings (H2), confirming NTA filing: court staff (``COURT_ROLES``);
- serving the family's NTA: CBP officers and Border Patrol agents (``SERVE_ROLES``);
- the print queue and print batches: print staff (``PRINT_ROLES``), at their duty locations;
- recording an EOIR-33 change of address: court staff, CBP officers and agents (``ADDRESS_ROLES``).

Personal data read through the API (hearings, NTAs, tear sheets, addresses, the PDFs) is recorded in the
access log: one row per request naming the records shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from cases.exceptions import IllegalTransition
from hearings import selectors, services
from hearings.api.rows import hearing_rows, nta_rows, tear_sheet_rows
from hearings.api.serializers import (
    AddressChangeSerializer,
    AddressSerializer,
    HearingLocationSerializer,
    HearingMoveSerializer,
    HearingQuerySerializer,
    HearingSerializer,
    HearingSlotSerializer,
    NtaFileSerializer,
    NtaQuerySerializer,
    NtaRowSerializer,
    NtaSerializer,
    NtaServeSerializer,
    PrintBatchCreateSerializer,
    PrintBatchSerializer,
    PrintQueueQuerySerializer,
    SlotPublishSerializer,
    SlotQuerySerializer,
    TearSheetQuerySerializer,
    TearSheetSerializer,
    address_input,
)
from hearings.documents import tear_sheet_pdf
from hearings.models import HearingLocation, HearingSlot, NoticeToAppear, PrintBatch, PrintBatchItem
from hearings.workflow import ADDRESS_ROLES, COURT_ROLES, PRINT_ROLES, READ_ROLES, SERVE_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.api import ViewOrderedCursorPagination, described, error_response, error_responses
from mpp.audit.api import AccessLoggedListMixin
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError

PDF = "application/pdf"


def conflict(description: str) -> dict[int, OpenApiResponse]:
    return {409: error_response(description)}


def pdf_response(description: str) -> dict[Any, OpenApiResponse]:
    return {(200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


@contextmanager
def api_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """The services name the fields of the pages' forms (``address_city``, ``sheets``); where the API's
    request names them otherwise (``address.city``, ``sheet_ids``), a refusal names the API's field."""
    try:
        yield
    except DomainError as exc:
        if exc.field is not None and exc.field in names:
            exc.field = names[exc.field]
        raise


def query_of(request: Request, serializer_class: type) -> dict[str, Any]:
    """The list's query parameters, validated (400 naming the parameter). A blank value means "not
    given"; the last of repeated values counts."""
    given = {key: value for key, value in request.query_params.dict().items() if value.strip()}
    given.pop("cursor", None)
    given.pop("page_size", None)
    query = serializer_class(data=given)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def log_read(request: Request, object_type: str, object_ids: list[int]) -> None:
    access_log_record(
        user=signed_in_user(request),
        request=request,
        channel=AccessLog.Channel.API,
        object_type=object_type,
        object_ids=object_ids,
    )


class PdfDownloadMixin:
    """Actions that answer a PDF: a request that accepts only ``application/pdf`` is served as well, and its
    refusals still come in the JSON error body."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)  # type: ignore[misc]


def pdf_file(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data: never kept by a shared cache
    return response


class HearingsViewSet(viewsets.GenericViewSet):
    """The hearings API's viewsets: roles per action, keyset pagination in the view's ``ordering``, filters
    read by a query serializer (no django-filter), ids as whole numbers."""

    allowed_roles: Mapping[str, frozenset[str]] = {}
    pagination_class: type[BasePagination] | None = ViewOrderedCursorPagination
    filter_backends: list[type] = []
    lookup_value_converter = "int"
    ordering: tuple[str, ...] = ("id",)

    def is_schema_generation(self) -> bool:
        return bool(getattr(self, "swagger_fake_view", False))


# --- hearing locations --------------------------------------------------------------------------------------

LOCATION_ROLES = {"list": READ_ROLES}


@extend_schema_view(
    list=described(
        "The hearing locations people are heard at (immigration court courtrooms, the immigration hearing "
        "facilities at Laredo and Brownsville): the court, the address, the zone its times are in, the port "
        "of entry where people report (H1, in the port's own zone) and how long before the hearing. "
        "Reference data, by name.",
        LOCATION_ROLES["list"],
        responses={200: HearingLocationSerializer, **error_responses(400, 403)},
    ),
)
class HearingLocationViewSet(mixins.ListModelMixin, HearingsViewSet):
    allowed_roles = LOCATION_ROLES
    serializer_class = HearingLocationSerializer
    ordering = ("name", "id")

    def get_queryset(self) -> QuerySet[HearingLocation]:
        return selectors.hearing_locations()


# --- slots ----------------------------------------------------------------------------------------------

SLOT_ROLES = {"list": READ_ROLES, "create": COURT_ROLES}


@extend_schema_view(
    list=described(
        "Docket time: slots from a day (default now) for some days, soonest first, each with its places "
        "left (`room`) and its time in the hearing location's zone, and the report time at the port in "
        "the port's zone. `with_room` keeps the future slots with room for that many people (booking a "
        "family's initial hearing). Cursor-paginated.",
        SLOT_ROLES["list"],
        parameters=[SlotQuerySerializer],
        responses={200: HearingSlotSerializer, **error_responses(400, 403)},
    ),
    create=described(
        "Publish docket time (as EOIR made it available to DHS): one slot per start time on `day` at the "
        "hearing location, in its zone, each with `capacity` places. All or nothing: 400 naming `times` "
        "when a time already has a slot (`slot_exists`), is given twice or does not exist that day (the "
        "clocks skip it); `day` in the past at the location; `capacity` 1-500.",
        SLOT_ROLES["create"],
        request=SlotPublishSerializer,
        responses={201: HearingSlotSerializer(many=True), **error_responses(400, 403, 415)},
    ),
)
class HearingSlotViewSet(mixins.ListModelMixin, HearingsViewSet):
    allowed_roles = SLOT_ROLES
    serializer_class = HearingSlotSerializer
    ordering = ("starts_at", "hearing_location_id", "id")  # the index (hearing_location, starts_at)

    def get_queryset(self) -> QuerySet[HearingSlot]:
        if self.is_schema_generation():
            return HearingSlot.objects.none()
        query = query_of(self.request, SlotQuerySerializer)
        place = query.get("hearing_location")
        return selectors.slots_list(
            hearing_location_id=place.pk if place else None,
            start=query.get("from"),
            days=query["days"],
            with_room=query["with_room"],
        )

    def get_serializer_class(self) -> type[Any]:
        return SlotPublishSerializer if self.action == "create" else HearingSlotSerializer

    def create(self, request: Request) -> Response:
        serializer = SlotPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        slots = services.slots_publish(
            hearing_location_id=data["hearing_location"].pk,
            day=data["day"],
            times=data["times"],
            capacity=data["capacity"],
            actor=signed_in_user(request),
        )
        return Response(HearingSlotSerializer(slots, many=True).data, status=status.HTTP_201_CREATED)


# --- hearings (H2) ---------------------------------------------------------------------------------------

HEARING_ROLES = {"list": READ_ROLES, "retrieve": READ_ROLES, "move": COURT_ROLES}


@extend_schema_view(
    list=described(
        "Hearings of the cases you can see (at your duty locations, for location-scoped roles), in hearing "
        "order, each in the hearing location's zone with the report time at the port in the port's zone. "
        "Filter by `case`, by `hearing_location`, and with it by `day` (that day's docket, in its zone). "
        "Moved hearings stay, with how they moved (`status`) and the hearing that replaced them. "
        "Cursor-paginated; the rows returned are recorded in the access log.",
        HEARING_ROLES["list"],
        parameters=[HearingQuerySerializer],
        responses={200: HearingSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One hearing. The read is recorded in the access log.",
        HEARING_ROLES["retrieve"],
        responses={200: HearingSerializer, **error_responses(403, 404)},
    ),
)
class HearingViewSet(AccessLoggedListMixin, mixins.RetrieveModelMixin, HearingsViewSet):
    allowed_roles = HEARING_ROLES
    serializer_class = HearingSerializer
    ordering = ("starts_at", "id")  # the indexes (hearing_location, starts_at, id) and (case, starts_at)
    access_log_type = "hearing"
    # Ids first (mpp.api.ViewOrderedCursorPagination), then the page's rows as values rendered by
    # hearings.api.rows.
    narrow_page = True

    def json_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return hearing_rows(ids)

    def get_queryset(self) -> QuerySet[Any]:
        if self.is_schema_generation():
            return selectors.hearings_visible_to(user=self.request.user)
        if self.action != "list":
            return selectors.hearings_visible_to(user=signed_in_user(self.request))
        query = query_of(self.request, HearingQuerySerializer)
        return selectors.hearings_visible_to(
            user=signed_in_user(self.request),
            case_id=query.get("case"),
            hearing_location=query.get("hearing_location"),
            day=query.get("day"),
        )

    def get_serializer_class(self) -> type[Any]:
        return HearingMoveSerializer if self.action == "move" else HearingSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hearing = self.get_object()
        self.log_access(hearing)
        return Response(HearingSerializer(hearing).data)

    @described(
        "H2: reschedule (`rescheduled`: the hearing does not take place on its date, its place goes back "
        "to its slot) or continue (`continued`: it took place and goes on to a later day) scheduled hearings "
        "— a family heard together is moved together — into another slot of the same court with room for "
        "all, with `reason`. Each old hearing keeps its record and points to the new one; the new tear sheet "
        "is issued and the old one superseded (N5) by the event bus, then queued for that location's print "
        "staff. Returns the new hearings. Refusals: 400 naming `hearing_ids`, `slot`, `mode` or `reason` "
        "(`h2_later_day`: a continuation goes to a later day); 404 when a hearing is not one you can see; "
        "409 `slot_full`, `hearing_not_scheduled` (already moved: move the one that replaced it) or "
        "`case_closed`.",
        HEARING_ROLES["move"],
        request=HearingMoveSerializer,
        responses={
            201: HearingSerializer(many=True),
            **error_responses(400, 403, 404, 415),
            **conflict("`slot_full`, `hearing_not_scheduled` or `case_closed`."),
        },
        operation_id="hearings_move_create",
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def move(self, request: Request) -> Response:
        serializer = HearingMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in_user(request)
        with api_field_names({"hearings": "hearing_ids"}):
            moved = services.hearings_move(
                hearing_ids=data["hearing_ids"],
                slot_id=data["slot"],
                mode=data["mode"],
                reason=data["reason"],
                actor=user,
            )
        rows = list(selectors.hearings_visible_to(user=user).filter(pk__in=[h.pk for h in moved]))
        self.log_access(*rows)
        return Response(HearingSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


# --- the NTA (N1) ----------------------------------------------------------------------------------------

NTA_ROLES = {"list": READ_ROLES, "retrieve": READ_ROLES, "file": COURT_ROLES}


@extend_schema_view(
    list=described(
        "NTAs served on the cases you can see. `filed=false` is the filing queue — served, not yet confirmed "
        "as filed with the court (only filed NTAs count as enrolled, M3/M4) — oldest served first; otherwise "
        "newest served first. Filter by `court`. Cursor-paginated; the rows returned are recorded in the "
        "access log.",
        NTA_ROLES["list"],
        parameters=[NtaQuerySerializer],
        responses={200: NtaRowSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One NTA record (N1): the allegations, the charges, the court and initial hearing, the service "
        "(when, where, by whom, in person; the language of the oral notice and the interpretation, N3) and "
        "the filing date. The read is recorded in the access log.",
        NTA_ROLES["retrieve"],
        responses={200: NtaSerializer, **error_responses(403, 404)},
    ),
)
class NtaViewSet(AccessLoggedListMixin, mixins.RetrieveModelMixin, HearingsViewSet):
    allowed_roles = NTA_ROLES
    serializer_class = NtaSerializer
    access_log_type = "nta"
    query: dict[str, Any] = {}
    # Ids first (mpp.api.ViewOrderedCursorPagination), then the page's rows as the values NtaRowSerializer
    # shows (hearings.api.rows.nta_rows): as model instances of the nine joined tables a page cost ~5 ms at
    # 500k cases (2026-12-04).
    narrow_page = True

    @property
    def ordering(self) -> tuple[str, ...]:  # type: ignore[override]
        if self.query.get("filed") is False:
            return ("served_at", "id")  # the filing queue, oldest first: the index nta_unfiled_idx
        return ("-served_at", "-id")

    def get_queryset(self) -> QuerySet[NoticeToAppear]:
        if self.is_schema_generation():
            return NoticeToAppear.objects.none()
        user = signed_in_user(self.request)
        if self.action != "list":
            return selectors.nta_records_visible_to(user=user)
        self.query = query_of(self.request, NtaQuerySerializer)
        court = self.query.get("court")
        return selectors.ntas_visible_to(
            user=user, filed=self.query.get("filed"), court_id=court.pk if court else None
        )

    def json_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return nta_rows(ids)

    def get_serializer_class(self) -> type[Any]:
        return {"list": NtaRowSerializer, "file": NtaFileSerializer}.get(self.action, NtaSerializer)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        nta = self.get_object()
        self.log_access(nta)
        return Response(NtaSerializer(nta).data)

    @described(
        "Confirm that NTAs were filed with the court on `filed_on` (M3/M4 count only filed NTAs as "
        "enrolled); recorded on each case's timeline. An NTA already filed keeps its date (a double submit "
        "changes nothing). Returns the NTAs. Refusals: 400 naming `nta_ids` (an NTA that does not exist) or "
        "`filed_on` (in the future, or before the NTA was served).",
        NTA_ROLES["file"],
        request=NtaFileSerializer,
        responses={200: NtaSerializer(many=True), **error_responses(400, 403, 415)},
        operation_id="ntas_file_create",
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def file(self, request: Request) -> Response:
        serializer = NtaFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in_user(request)
        filed = services.nta_file(
            nta_ids=serializer.validated_data["nta_ids"],
            filed_on=serializer.validated_data["filed_on"],
            actor=user,
        )
        rows = list(selectors.nta_records_visible_to(user=user).filter(pk__in=[n.pk for n in filed]))
        self.log_access(*rows)
        return Response(NtaSerializer(rows, many=True).data)


class FamilyNtaView(GenericAPIView):
    """Serve the NTA on a family (N1): one action, one transaction, one slot for all."""

    allowed_roles = {"post": SERVE_ROLES}
    serializer_class = NtaServeSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "Serve the NTA on every amenable member of the family of the encounter (or on the `cases` given), "
        "in one transaction: each member's NTA with its allegations and `charges`, the initial master "
        "calendar hearing booked in `slot` for the whole family (row-locked: of two officers booking the "
        "last places one is told the slot is full), the address in Mexico, the first tear sheet in the "
        "person's language (N1, N1a; English and Spanish side by side when it has none), and the move to "
        "`enrolled`. N3: `oral_notice_language`, and `interpretation` with `interpreter_language` when an "
        "interpreter was used. Serving a family already served returns its NTAs and changes nothing. "
        "Refusals: 400 naming the field (`slot`, `charges`, `interpreter_language` with rule N3, "
        "`address.city` …); 404 when the family is not at one of your duty locations; 409 `slot_full`, "
        "`nobody_amenable`, or a hold's code and rule (a pending fear claim refuses enrolment, S1/S4).",
        SERVE_ROLES,
        request=NtaServeSerializer,
        responses={
            201: NtaSerializer(many=True),
            **error_responses(400, 403, 404, 415),
            **conflict("`slot_full`; `nobody_amenable`; a hold (`fear_claim_pending`, S1/S4)."),
        },
        operation_id="families_nta_create",
    )
    def post(self, request: Request, encounter_id: int) -> Response:
        serializer = NtaServeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in_user(request)
        names = {
            "address": "address.address",
            "address_city": "address.city",
            "address_state": "address.state",
        }
        with api_field_names(names):
            served = services.nta_serve_family(
                encounter_id=encounter_id,
                slot_id=data["slot"],
                actor=user,
                classification=data["classification"],
                charge_codes=data["charges"],
                oral_notice_language=data["oral_notice_language"],
                interpretation=data["interpretation"],
                interpreter_language=data["interpreter_language"] or None,
                address=address_input(data["address"]),
                case_ids=data.get("cases"),
                served_at=data.get("served_at"),
            )
        rows = list(
            selectors.nta_records_visible_to(user=user)
            .filter(pk__in=[n.pk for n in served])
            .order_by("case_id")
        )
        log_read(request, "nta", [row.pk for row in rows])
        return Response(NtaSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


# --- tear sheets (N1, N5) -----------------------------------------------------------------------------------

SHEET_ROLES = {"list": READ_ROLES, "retrieve": READ_ROLES, "pdf": READ_ROLES}


@extend_schema_view(
    list=described(
        "Tear sheets of the cases you can see, every version (a superseded one stays, marked, N5), newest "
        "issued first. Filter by `case` and `state`. Cursor-paginated; the rows returned are recorded in the "
        "access log.",
        SHEET_ROLES["list"],
        parameters=[TearSheetQuerySerializer],
        responses={200: TearSheetSerializer, **error_responses(400, 403)},
    ),
    retrieve=described(
        "One tear sheet version: whether it is current and, when superseded, by which version (N5); when "
        "and how often it was printed. The read is recorded in the access log.",
        SHEET_ROLES["retrieve"],
        responses={200: TearSheetSerializer, **error_responses(403, 404)},
    ),
)
class TearSheetViewSet(PdfDownloadMixin, AccessLoggedListMixin, mixins.RetrieveModelMixin, HearingsViewSet):
    allowed_roles = SHEET_ROLES
    serializer_class = TearSheetSerializer
    ordering = ("-issued_at", "-id")
    access_log_type = "tear_sheet"

    # Ids first (mpp.api.ViewOrderedCursorPagination), then the page's rows as values rendered by
    # hearings.api.rows (no model instances, no serializer fields).
    narrow_page = True

    def json_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return tear_sheet_rows(ids)

    def get_queryset(self) -> QuerySet[Any]:
        if self.is_schema_generation():
            return selectors.tear_sheets_visible_to(user=self.request.user)
        if self.action != "list":
            return selectors.tear_sheets_visible_to(user=signed_in_user(self.request))
        query = query_of(self.request, TearSheetQuerySerializer)
        return selectors.tear_sheets_visible_to(
            user=signed_in_user(self.request), case_id=query.get("case"), state=query.get("state")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sheet = self.get_object()
        self.log_access(sheet)
        return Response(TearSheetSerializer(sheet).data)

    @described(
        "The tear sheet as PDF (N1): in the person's language, the A-number large at the top right and as a "
        "Code 128 barcode (N2), the hearing and the report time at the port in its zone, the N5 "
        "instructions, how to report a change of address (N6), the court's pro bono providers (N4) and how "
        "to complain to DHS CRCL (O3). A superseded version prints as superseded. The read is recorded in "
        "the access log.",
        SHEET_ROLES["pdf"],
        responses={**pdf_response("The tear sheet, one page."), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def pdf(self, request: Request, pk: int) -> HttpResponse:
        sheet = self.get_object()
        data = selectors.tear_sheet_data_many([sheet.pk])[sheet.pk]
        content = tear_sheet_pdf([data])
        self.log_access(sheet)
        return pdf_file(content, f"tear-sheet-{sheet.case_id}-v{sheet.version}.pdf")


# --- the print queue and print batches -----------------------------------------------------------------------

QUEUE_ROLES = {"list": PRINT_ROLES}


@extend_schema_view(
    list=described(
        "Print staff's queue at your duty locations: tear sheets `waiting` (new and reissued, never printed; "
        "the default), `printed` (reprint from here) or `superseded` (N5). Filter by `location` (one of "
        "yours), the hearing's `court` and its day (`hearing_on`, where it is heard). Oldest issued first, "
        "cursor-paginated; the rows returned are recorded in the access log.",
        QUEUE_ROLES["list"],
        parameters=[PrintQueueQuerySerializer],
        responses={200: TearSheetSerializer, **error_responses(400, 403)},
    ),
)
class PrintQueueViewSet(AccessLoggedListMixin, HearingsViewSet):
    allowed_roles = QUEUE_ROLES
    serializer_class = TearSheetSerializer
    ordering = ("issued_at", "id")  # the index tear_sheet_queue_idx (location, issued_at, id)
    access_log_type = "tear_sheet"
    # Ids first (mpp.api.ViewOrderedCursorPagination), then the page's rows as values rendered by
    # hearings.api.rows.
    narrow_page = True

    def json_rows(self, ids: list[int]) -> list[dict[str, Any]]:
        return tear_sheet_rows(ids)

    def get_queryset(self) -> QuerySet[Any]:
        if self.is_schema_generation():
            return selectors.tear_sheets_visible_to(user=self.request.user)
        query = query_of(self.request, PrintQueueQuerySerializer)
        where, court = query.get("location"), query.get("court")
        return selectors.print_queue(
            user=signed_in_user(self.request),
            location_id=where.pk if where else None,
            state=query["state"],
            court_id=court.pk if court else None,
            hearing_on=query.get("hearing_on"),
        )


BATCH_ROLES = {"create": PRINT_ROLES, "retrieve": PRINT_ROLES, "pdf": PRINT_ROLES, "printed": PRINT_ROLES}


@extend_schema_view(
    create=described(
        "Print sheets together as one PDF: current sheets of one of your duty locations, in print order (a "
        "sheet printed before is a reprint, recorded when marked printed). Up to "
        f"{services.INLINE_BATCH_MAX} sheets are built before the answer (`status` `ready`); more are built "
        "by a background task: follow `done` of `total` on `print-batches/{id}/` until `ready`. A sheet that "
        "cannot be built is named with its error and the others still print. Refusals: 400 naming "
        "`sheet_ids` (`superseded`, rule N5: print the current version; sheets of two locations); 404 when "
        "a sheet is not at your duty locations.",
        BATCH_ROLES["create"],
        request=PrintBatchCreateSerializer,
        responses={201: PrintBatchSerializer, **error_responses(400, 403, 404, 415)},
    ),
    retrieve=described(
        "A print batch at your duty locations: the build's status and progress (`done` of `total`, "
        "`failed`), each sheet's status and error, and `pdf_url` once ready.",
        BATCH_ROLES["retrieve"],
        responses={200: PrintBatchSerializer, **error_responses(403, 404)},
    ),
)
class PrintBatchViewSet(PdfDownloadMixin, HearingsViewSet):
    allowed_roles = BATCH_ROLES
    serializer_class = PrintBatchSerializer
    pagination_class = None

    def get_serializer_class(self) -> type[Any]:
        return PrintBatchCreateSerializer if self.action == "create" else PrintBatchSerializer

    def batch_for(self, batch_id: int) -> PrintBatch:
        batch = selectors.print_batch_for(user=signed_in_user(self.request), batch_id=batch_id)
        if batch is None:
            raise NotFound()
        return batch

    def render(self, batch_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        batch = self.batch_for(batch_id)
        items: list[PrintBatchItem] = list(selectors.print_batch_items(batch))
        return Response(PrintBatchSerializer(batch, context={"items": items}).data, status=status_code)

    def create(self, request: Request) -> Response:
        serializer = PrintBatchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with api_field_names({"sheets": "sheet_ids"}):
            batch = services.print_batch_create(
                sheet_ids=serializer.validated_data["sheet_ids"], actor=signed_in_user(request)
            )
        if batch.total <= services.INLINE_BATCH_MAX:  # larger ones: the task, enqueued by the service
            services.print_batch_build(batch_id=batch.pk)
        return self.render(batch.pk, status_code=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(pk)

    @described(
        "The batch's PDF, its built sheets in order. 409 `batch_not_ready` while it is being built, "
        "`batch_failed` when no sheet could be built (each sheet's error is on the batch). The read is "
        "recorded in the access log.",
        BATCH_ROLES["pdf"],
        responses={
            **pdf_response("The batch's sheets, one page each."),
            **error_responses(403, 404),
            **conflict("`batch_not_ready`: still being built; `batch_failed`: no sheet could be built."),
        },
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: int) -> HttpResponse:
        batch = self.batch_for(pk)
        if batch.status == PrintBatch.Status.FAILED:
            raise IllegalTransition(batch.error or "No sheet could be built.", code="batch_failed")
        if batch.status != PrintBatch.Status.READY or not batch.pdf:
            raise IllegalTransition(
                f"The batch is being built ({batch.done} of {batch.total}); wait until it is ready.",
                code="batch_not_ready",
            )
        built = [item.sheet_id for item in selectors.print_batch_items(batch) if item.status == "ok"]
        log_read(request, "tear_sheet", built)
        return pdf_file(bytes(batch.pdf), f"print-batch-{batch.pk}.pdf")

    @described(
        "Record that the batch's built sheets were printed: who and when, per sheet, on each case's "
        "timeline; a sheet printed before is recorded as a reprint. Marking it twice changes nothing. 409 "
        "`batch_not_ready` until the batch is built. No request body.",
        BATCH_ROLES["printed"],
        request=None,
        responses={
            200: PrintBatchSerializer,
            **error_responses(403, 404),
            **conflict("`batch_not_ready`: the batch is not built yet."),
        },
    )
    @action(detail=True, methods=["post"])
    def printed(self, request: Request, pk: int) -> Response:
        services.print_batch_mark_printed(batch_id=pk, actor=signed_in_user(request))
        return self.render(pk)


# --- change of address (N6) ------------------------------------------------------------------------------------

ADDRESS_VIEW_ROLES = {"get": READ_ROLES, "post": ADDRESS_ROLES}


class CaseAddressesView(GenericAPIView):
    """The person's addresses in Mexico (N6) and the EOIR-33 changes recorded."""

    allowed_roles = ADDRESS_VIEW_ROLES
    serializer_class = AddressSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "N6: the addresses in Mexico of the case's person — the one given when the NTA was served, then "
        "each change received on Form EOIR-33 — the current one (latest received, what later documents "
        "print) first. Not paginated: one person's history. The read is recorded in the access log.",
        ADDRESS_VIEW_ROLES["get"],
        responses={200: AddressSerializer(many=True), **error_responses(403, 404)},
        operation_id="cases_addresses_list",
    )
    def get(self, request: Request, case_id: int) -> Response:
        rows = selectors.case_addresses(user=signed_in_user(request), case_id=case_id)
        if rows is None:
            raise NotFound()
        log_read(request, "address_in_mexico", [row.pk for row in rows])
        context = {"current_id": rows[0].pk if rows else None}
        return Response(AddressSerializer(rows, many=True, context=context).data)

    @described(
        "N6: record a Form EOIR-33 change of address in Mexico (the new address, the day it was received, "
        "how); it is what later documents print, and the case's timeline shows it. Refusals: 400 naming the "
        "field (`city`, `received_on` in the future, `how_received`); 404 when the case is not one you can "
        "see; 409 `no_nta` when no NTA was served on the case yet (the first address comes with it).",
        ADDRESS_VIEW_ROLES["post"],
        request=AddressChangeSerializer,
        responses={
            201: AddressSerializer,
            **error_responses(400, 403, 404, 415),
            **conflict("`no_nta`: no NTA served on this case yet."),
        },
        operation_id="cases_addresses_create",
    )
    def post(self, request: Request, case_id: int) -> Response:
        serializer = AddressChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in_user(request)
        with api_field_names({"address_city": "city", "address_state": "state"}):
            record = services.address_change_record(
                case_id=case_id,
                address=address_input(data),
                received_on=data["received_on"],
                how_received=data["how_received"],
                actor=user,
            )
        rows = selectors.case_addresses(user=user, case_id=case_id) or []
        created = next(row for row in rows if row.pk == record.pk)
        context = {"current_id": rows[0].pk}
        return Response(AddressSerializer(created, context=context).data, status=status.HTTP_201_CREATED)
