"""The hearing day at the reporting port in the API (H1, N5, F4): the expected arrivals of a port on a day
(keyset: ``after``), the check-in scan, and each step of the day for a list of hearings (a family at once)
or, for the return to Mexico, of cases.

Reads come from ``hearings.day_selectors``, writes go through ``hearings.day_services`` (one transaction
each: one refused and nothing is saved). A port the caller is not posted at, or a hearing reporting
elsewhere, is a 404; refusals are ``{code, detail, rule, field}`` (``mpp.api.exception_handler``): N5's
``n5_wrong_day`` / ``n5_too_early``, F4's ``family_fear_pending`` / ``fear_claim_pending``, H1's codes.

Roles: the port roles (``PORT_ROLES``: CBP officers, Border Patrol agents, CBP supervisors) for everything
here; whether a person attended is recorded by court staff as well (``APPEARANCE_ROLES``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from hearings import day_selectors, day_services
from hearings.api.serializers import id_field, id_list_field
from hearings.day_selectors import ArrivalRow
from hearings.models import HearingAttendance
from hearings.workflow import PORT_ROLES
from mpp.accounts.auth import signed_in_user
from mpp.api import described, error_response, error_responses, moment
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record

MAX_PEOPLE = 50  # a family, or a van's load, at once


# --- serializers -------------------------------------------------------------------------------------


class ArrivalsQuerySerializer(serializers.Serializer):
    port = id_field(help_text="Id of a port of entry you are posted at.")
    day = serializers.DateField(
        required=False, help_text="The day, in the port's zone (default: today there). YYYY-MM-DD."
    )
    after = serializers.CharField(
        required=False, max_length=40, help_text="The keyset position: the `next` link's `after`."
    )


class ArrivalFamilyMateSerializer(serializers.Serializer):
    hearing_id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    name = serializers.CharField()
    checked_in = serializers.BooleanField()


class ArrivalSerializer(serializers.Serializer):
    """One person expected at the port: report time in the port's zone, hearing time in the hearing
    location's (both as UTC timestamps and as words with the zone named)."""

    hearing_id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    name = serializers.CharField()
    a_number = serializers.CharField()
    language = serializers.CharField()
    report_at = serializers.DateTimeField()
    report_words = serializers.CharField(help_text="In the port's zone, with the zone named.")
    hearing_location = serializers.CharField(source="place_name")
    hearing_words = serializers.CharField(help_text="In the hearing location's zone, with the zone named.")
    hearing_status = serializers.CharField()
    counsel = serializers.CharField(help_text='The counsel of record (H3); "" when none.')
    holds = serializers.ListField(child=serializers.CharField(), help_text="Open holds of the case.")
    family_holds = serializers.ListField(
        child=serializers.CharField(), help_text="Open holds of other members of the family (F4)."
    )
    state = serializers.CharField(help_text="Where the person is in the day (H1).")
    checked_in_at = serializers.DateTimeField(allow_null=True)
    transported_at = serializers.DateTimeField(allow_null=True)
    appearance = serializers.CharField()
    returned_at = serializers.DateTimeField(allow_null=True)
    overnight_in_at = serializers.DateTimeField(allow_null=True)
    overnight_out_at = serializers.DateTimeField(allow_null=True)
    family = ArrivalFamilyMateSerializer(
        many=True, help_text="Others of the family with a hearing in the same slot."
    )


class ArrivalsPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="The next page, or null at the end of the day.")
    results = ArrivalSerializer(many=True)


class ArrivalScanSerializer(serializers.Serializer):
    port = id_field(help_text="Id of the port of entry you are posted at.")
    code = serializers.CharField(
        max_length=64,
        help_text="What the scanner typed (the tear sheet's barcode, `A123456789-T42`) or the A-number in any "
        "spelling (N2).",
    )


class ScanWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class HearingAttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = HearingAttendance
        fields = [
            "id",
            "hearing",
            "case",
            "port",
            "checked_in_at",
            "checked_in_by",
            "sheet",
            "transported_at",
            "appearance",
            "appearance_at",
            "returned_at",
            "returned_port",
            "overnight_in_at",
            "overnight_out_at",
        ]
        read_only_fields = fields


class ScanResultSerializer(serializers.Serializer):
    already = serializers.BooleanField(help_text="The person was already checked in: nothing changed.")
    case_id = serializers.IntegerField()
    name = serializers.CharField()
    a_number = serializers.CharField()
    attendance = HearingAttendanceSerializer()
    warnings = ScanWarningSerializer(
        many=True, help_text="E.g. `n5_sheet_superseded`: the sheet is outdated."
    )
    family = ArrivalFamilyMateSerializer(
        many=True, help_text="Family members in the same slot not yet checked in."
    )


class HearingsStepSerializer(serializers.Serializer):
    hearings = id_list_field(max_length=MAX_PEOPLE, help_text="Hearing ids (a family at once).")


class HearingsReasonSerializer(HearingsStepSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Recorded in the case history.")


class AppearanceRecordSerializer(HearingsReasonSerializer):
    appearance = serializers.ChoiceField(choices=["attended", "failed_to_appear"])


class OvernightStepSerializer(HearingsStepSerializer):
    at = serializers.DateTimeField(required=False, help_text="When (default now); not in the future.")


class ReturnToMexicoSerializer(serializers.Serializer):
    cases = id_list_field(max_length=MAX_PEOPLE, help_text="Case ids (a family at once).")
    port = id_field(help_text="The port of entry of the return, one you are posted at.")
    reason = serializers.CharField(max_length=2000, help_text="Recorded in the case history.")


class ReturnedCaseSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(source="pk")
    status = serializers.CharField()


# --- views -------------------------------------------------------------------------------------------


def arrival_json(row: ArrivalRow) -> dict[str, Any]:
    """``ArrivalSerializer`` of one row, built directly (tests/hearings/test_day_api.py compares the two): the
    serializer's 22 fields and a nested list per row were about 4 ms of the busiest day's page of 50, and
    ``dataclasses.asdict`` (which copies deeply) 2 ms more (2026-12-06)."""
    return {
        "hearing_id": row.hearing_id,
        "case_id": row.case_id,
        "name": row.name,
        "a_number": row.a_number,
        "language": row.language,
        "report_at": moment(row.report_at),
        "report_words": row.report_words,
        "hearing_location": row.place_name,
        "hearing_words": row.hearing_words,
        "hearing_status": row.hearing_status,
        "counsel": row.counsel,
        "holds": list(row.holds),
        "family_holds": list(row.family_holds),
        "state": row.state,
        "checked_in_at": moment(row.checked_in_at),
        "transported_at": moment(row.transported_at),
        "appearance": row.appearance,
        "returned_at": moment(row.returned_at),
        "overnight_in_at": moment(row.overnight_in_at),
        "overnight_out_at": moment(row.overnight_out_at),
        "family": [
            {"hearing_id": m.hearing_id, "case_id": m.case_id, "name": m.name, "checked_in": m.checked_in}
            for m in row.family
        ],
    }


class PortView(GenericAPIView):
    pagination_class = None
    filter_backends: list[type] = []

    def log(self, request: Request, case_ids: list[int]) -> None:
        access_log_record(
            user=signed_in_user(request),
            request=request,
            channel=AccessLog.Channel.API,
            object_type="case",
            object_ids=case_ids,
        )


class ArrivalsView(PortView):
    allowed_roles = {"get": PORT_ROLES}
    serializer_class = ArrivalsPageSerializer

    @described(
        "H1: everyone expected at the port on the day — hearings scheduled, continued or held (not "
        "rescheduled) whose report time (the hearing's start less the hearing location's lead) falls on "
        "the day in the port's zone — oldest report time first, 50 to a page (`next` follows). Each row: "
        "name, A-number, family members in the same slot, report time, hearing location and time, language, "
        "counsel of record, open holds, and the hearing day's state. 404 for a port you are not posted at. "
        "The rows returned are recorded in the access log.",
        PORT_ROLES,
        parameters=[ArrivalsQuerySerializer],
        responses={200: ArrivalsPageSerializer, **error_responses(400, 403, 404)},
        operation_id="arrivals_list",
    )
    def get(self, request: Request) -> Response:
        query = ArrivalsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        user = signed_in_user(request)
        port_id = query.validated_data["port"]
        port = next((p for p in day_selectors.ports_of(user) if p.pk == port_id), None)
        if port is None:
            raise NotFound()
        day = query.validated_data.get("day") or day_selectors.port_today(port)
        page = day_selectors.expected_arrivals(
            user=user, port_id=port_id, day=day, after=query.validated_data.get("after")
        )
        if page is None:
            raise NotFound()
        self.log(request, [r.case_id for r in page.rows])
        next_url = None
        if page.next_after:
            params = urlencode({"port": port_id, "day": day.isoformat(), "after": page.next_after})
            next_url = request.build_absolute_uri(f"{request.path}?{params}")
        return Response({"next": next_url, "results": [arrival_json(r) for r in page.rows]})


class ScanView(PortView):
    allowed_roles = {"post": PORT_ROLES}
    serializer_class = ArrivalScanSerializer

    @described(
        "H1/N5: check a person in by what the scanner typed — the tear sheet's barcode (`A123456789-T42`) or "
        "the A-number in any spelling — for their hearing reporting at `port` today (the port's zone). A "
        "superseded sheet still finds the person; `warnings` says it is outdated (`n5_sheet_superseded`). "
        "Someone already checked in: `already` true, nothing changed. `family`: members in the same slot "
        "not yet checked in. Refusals: 409 `n5_wrong_day` (names the day and time to report), "
        "`n5_too_early` (names the time to come back), `n5_wrong_port`, `no_hearing_scheduled`; 400 naming "
        "`code`; 404 for a port you are not posted at or nobody expected.",
        PORT_ROLES,
        request=ArrivalScanSerializer,
        responses={
            200: ScanResultSerializer,
            **error_responses(400, 403, 404, 415),
            409: error_response("`n5_wrong_day`, `n5_too_early`, `n5_wrong_port`, `no_hearing_scheduled`."),
        },
        operation_id="arrivals_scan",
    )
    def post(self, request: Request) -> Response:
        data = ArrivalScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = day_services.check_in_scan(
            port_id=data.validated_data["port"],
            code=data.validated_data["code"],
            actor=signed_in_user(request),
        )
        self.log(request, [result.case.pk])
        person = result.case.alien
        body = {
            "already": result.already,
            "case_id": result.case.pk,
            "name": person.full_name,
            "a_number": person.a_number or "",
            "attendance": result.attendance,
            "warnings": [{"code": w.code, "message": w.message} for w in result.warnings],
            "family": [
                {
                    "hearing_id": h.pk,
                    "case_id": h.case_id,
                    "name": h.case.alien.full_name,
                    "checked_in": False,
                }
                for h in result.family
            ],
        }
        return Response(ScanResultSerializer(body).data)


def _step_view(
    *,
    name: str,
    text: str,
    request_serializer: type[serializers.Serializer],
    run: Callable[[Any, dict[str, Any]], list[HearingAttendance]],
    conflicts: str,
    roles: frozenset[str] = PORT_ROLES,
) -> type[PortView]:
    """A POST endpoint running one hearing-day step on a list of hearings; answers their attendance rows."""

    class StepView(PortView):
        allowed_roles = {"post": roles}
        serializer_class = request_serializer

        @described(
            text,
            roles,
            request=request_serializer,
            responses={
                200: HearingAttendanceSerializer(many=True),
                **error_responses(400, 403, 404, 415),
                409: error_response(conflicts),
            },
            operation_id=f"hearing_day_{name}",
        )
        def post(self, request: Request) -> Response:
            data = request_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            rows = run(signed_in_user(request), dict(data.validated_data))
            return Response(HearingAttendanceSerializer(rows, many=True).data)

    StepView.__name__ = StepView.__qualname__ = "".join(p.title() for p in name.split("_")) + "View"
    return StepView


CheckInView = _step_view(
    name="check_in",
    text="H1: check in the people of `hearings` from the arrivals list — a family that came together at once. "
    "All or nothing; someone already checked in is left as is.",
    request_serializer=HearingsStepSerializer,
    run=lambda user, d: [r.attendance for r in day_services.check_in(hearing_ids=d["hearings"], actor=user)],
    conflicts="`n5_wrong_day`, `n5_too_early` (N5); `hearing_rescheduled`; the case cannot move.",
)
TransportedView = _step_view(
    name="transported",
    text="H1: the people of `hearings`, checked in, were transported to the court or hearing facility.",
    request_serializer=HearingsStepSerializer,
    run=lambda user, d: day_services.transported(hearing_ids=d["hearings"], actor=user),
    conflicts="`h1_not_checked_in`, `h1_returned`.",
)
FailedToAppearView = _step_view(
    name="failed_to_appear",
    text="H1: the people of `hearings` did not report at the port: only after the report time on the tear "
    "sheet, and not for anyone checked in.",
    request_serializer=HearingsReasonSerializer,
    run=lambda user, d: day_services.failed_to_appear_at_port(
        hearing_ids=d["hearings"], actor=user, reason=d["reason"]
    ),
    conflicts="`h1_report_time_not_passed`, `h1_checked_in`, `appearance_recorded`.",
)
AppearanceView = _step_view(
    name="appearance",
    text="H1: whether the people of `hearings` attended or failed to appear — court staff from the docket, "
    "or CBP at the reporting port. The same answer again is a no-op; another is refused.",
    request_serializer=AppearanceRecordSerializer,
    run=lambda user, d: day_services.appearance_record(
        hearing_ids=d["hearings"], appearance=d["appearance"], actor=user, reason=d["reason"]
    ),
    conflicts="`h1_report_time_not_passed`, `h1_checked_in`, `appearance_recorded`.",
    roles=day_services.APPEARANCE_ROLES,
)
OvernightInView = _step_view(
    name="overnight_in",
    text="H1: the people of `hearings` stay overnight in CBP custody from `at` (default now).",
    request_serializer=OvernightStepSerializer,
    run=lambda user, d: day_services.overnight_in(hearing_ids=d["hearings"], actor=user, at=d.get("at")),
    conflicts="`h1_not_checked_in`, `h1_returned`, `h1_overnight_recorded`.",
)
OvernightOutView = _step_view(
    name="overnight_out",
    text="H1: the people of `hearings` leave overnight CBP custody at `at` (default now).",
    request_serializer=OvernightStepSerializer,
    run=lambda user, d: day_services.overnight_out(hearing_ids=d["hearings"], actor=user, at=d.get("at")),
    conflicts="`h1_not_in_custody`.",
)


class ReturnView(PortView):
    allowed_roles = {"post": PORT_ROLES}
    serializer_class = ReturnToMexicoSerializer

    @described(
        "H1: return the people of `cases` to Mexico at `port` — after their hearing (their attendance gets the "
        "time and port) or after the NTA was served. A family at once, all or nothing. F4: refused while "
        "anyone in the family has a fear claim pending (409 `family_fear_pending` / `fear_claim_pending`, "
        "rule F4/S1, naming who has the claim); H1: refused while a night in CBP custody is open "
        "(`h1_overnight_open`). A case already in Mexico is left as is.",
        PORT_ROLES,
        request=ReturnToMexicoSerializer,
        responses={
            200: ReturnedCaseSerializer(many=True),
            **error_responses(400, 403, 404, 415),
            409: error_response(
                "`family_fear_pending`, `fear_claim_pending` (F4); `h1_overnight_open`; `illegal_transition`."
            ),
        },
        operation_id="hearing_day_return_to_mexico",
    )
    def post(self, request: Request) -> Response:
        data = ReturnToMexicoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cases = day_services.return_to_mexico(
            case_ids=data.validated_data["cases"],
            port_id=data.validated_data["port"],
            actor=signed_in_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(ReturnedCaseSerializer(cases, many=True).data)
