"""Serializers of the hearings API: they check the shape of a request and render rows.

They never write and hold no policy (STYLE rule 2): the views pass what they validated to
``hearings.services``, which raise ``InvalidInput``/``ConcurrentEdit``/``IllegalTransition`` naming the field
and the rule; ``mpp.api.exception_handler`` renders those and the errors found here in the one error body.
What is refused here is input that cannot be true or that the database cannot take (an id beyond a
bigint, a date in another century, a NUL character), naming the field.

Times: every moment is given in UTC (``starts_at``) and in the zone of the place it happens
(``starts_at_local``, ISO 8601 with that zone's offset) with the zone named (``time_zone``); the report
time is in the reporting port's zone, which can differ from the hearing's (Nogales reports for El Paso).
"""

from __future__ import annotations

import datetime as dt
import operator
import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import AlienSummarySerializer
from hearings.models import (
    AddressInMexico,
    Hearing,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    PrintBatch,
    PrintBatchItem,
    TearSheet,
)
from hearings.rules import nta_allegations
from hearings.selectors import SHEET_STATES
from hearings.services import MAX_BATCH, AddressInput
from mpp.accounts.models import Location
from mpp.api import EARLIEST_DATE, AwareDateTimeField, CodeRelatedField

# --- shared pieces ----------------------------------------------------------------------------------------

# Ids are PostgreSQL bigints: a larger number is bad input, not a database error.
MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def id_list_field(*, max_length: int, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=id_field(), allow_empty=False, max_length=max_length, **kwargs)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are its class's (see ``named_choice_field``)."""

    choice_list: Sequence[tuple[str, str]] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(self.choice_list), **kwargs)


def named_choice_field(
    component: str, choices: Sequence[tuple[str, str]], doc: str
) -> type[NamedChoiceField]:
    """A choice field with its own schema component, so that it never collides with the other ``status``
    or ``kind`` enums of the API (clients generate one type per component)."""
    field = type(f"{component}Field", (NamedChoiceField,), {"choice_list": tuple(choices), "__doc__": doc})
    schema = {
        "type": "string",
        "enum": [value for value, _ in choices],
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
    }
    return extend_schema_field(schema, component_name=component)(field)


def code_field(**kwargs: Any) -> serializers.SlugRelatedField[Any]:
    """A related row (a location, a language) shown by its code."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **kwargs)


HearingLocationKindField = named_choice_field(
    "HearingLocationKind", HearingLocation.Kind.choices, "A courtroom or an immigration hearing facility."
)
HearingKindField = named_choice_field("HearingKind", Hearing.Kind.choices, "Master calendar or individual.")
HearingStatusField = named_choice_field(
    "HearingStatus", Hearing.Status.choices, "H2: a moved hearing keeps its record and says how it moved."
)
MOVE_MODES = [
    (Hearing.Status.RESCHEDULED.value, "Reschedule: the hearing does not take place on its date"),
    (Hearing.Status.CONTINUED.value, "Continue: it took place and goes on to a later day (H2)"),
]
HearingMoveModeField = named_choice_field("HearingMoveMode", MOVE_MODES, "How a hearing is moved (H2).")
NtaClassificationField = named_choice_field(
    "NtaClassification", NoticeToAppear.Classification.choices, "How the person is classed on the NTA."
)
NtaInterpretationField = named_choice_field(
    "NtaInterpretation",
    NoticeToAppear.Interpretation.choices,
    "N3: the interpretation used to serve the NTA.",
)
NtaServiceMannerField = named_choice_field(
    "NtaServiceManner", NoticeToAppear.ServiceManner.choices, "How the NTA was served."
)
TearSheetReasonField = named_choice_field(
    "TearSheetReason", TearSheet.Reason.choices, "Why this version was issued (N5: reissued, hearing moved)."
)
SHEET_STATE_CHOICES = [
    ("waiting", "Current, never printed (new and reissued sheets)"),
    ("printed", "Current, printed at least once (reprint from here)"),
    ("superseded", "Superseded by a later version (N5)"),
]
assert [value for value, _ in SHEET_STATE_CHOICES] == list(SHEET_STATES)
TearSheetStateField = named_choice_field("TearSheetState", SHEET_STATE_CHOICES, "Where a sheet stands.")
PrintBatchStatusField = named_choice_field(
    "PrintBatchStatus", PrintBatch.Status.choices, "Where the building of a batch's PDF stands."
)
PrintBatchItemStatusField = named_choice_field(
    "PrintBatchItemStatus", PrintBatchItem.Status.choices, "Whether one sheet of a batch was built."
)
AddressSourceField = named_choice_field(
    "AddressSource", AddressInMexico.Source.choices, "N6: given at service, or an EOIR-33 change."
)
AddressReceivedField = named_choice_field(
    "AddressReceived", AddressInMexico.Received.choices, "How the address reached the court or CBP."
)
EOIR33_RECEIVED = [
    (value, label)
    for value, label in AddressInMexico.Received.choices
    if value != AddressInMexico.Received.AT_SERVICE
]
Eoir33ReceivedField = named_choice_field(
    "Eoir33Received", EOIR33_RECEIVED, "N6: how the Form EOIR-33 was received."
)


class PlausibleDateField(serializers.DateField):
    """A date of this programme: not before 1900 and at most ``years_ahead`` years from today."""

    default_error_messages = {
        "date_too_early": "Check the year: not before 1900.",
        "date_too_late": "Check the year: at most {years} years from today.",
    }

    def __init__(self, *, years_ahead: int = 5, **kwargs: Any) -> None:
        self.years_ahead = years_ahead
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if day < EARLIEST_DATE:
            self.fail("date_too_early")
        if day > timezone.localdate() + dt.timedelta(days=366 * self.years_ahead):
            self.fail("date_too_late", years=self.years_ahead)
        return day


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalTimeField(serializers.Field):
    """A moment (``at``, an attribute path) in the zone named by ``zone`` (an attribute path to an IANA zone
    name): ISO 8601 with that zone's UTC offset, e.g. ``2026-03-03T08:30:00-08:00``."""

    def __init__(self, *, at: str, zone: str, **kwargs: Any) -> None:
        self.at = operator.attrgetter(at)
        self.zone = operator.attrgetter(zone)
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        moment = self.at(value)
        if moment is None:
            return None
        return timezone.localtime(moment, zoneinfo.ZoneInfo(self.zone(value))).isoformat()


class StaffMemberSerializer(serializers.Serializer):
    """Who did something: the user id and the name shown in histories."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class PlaceSerializer(serializers.ModelSerializer):
    """A location of the programme (a port, a court, a facility), by code."""

    class Meta:
        model = Location
        fields = ["code", "name"]
        read_only_fields = fields


class AddressedPlaceSerializer(serializers.ModelSerializer):
    """A court or a port with the address printed on documents and its zone."""

    class Meta:
        model = Location
        fields = ["code", "name", "address", "time_zone"]
        read_only_fields = fields


# --- hearing locations ------------------------------------------------------------------------------------


class HearingLocationSerializer(serializers.ModelSerializer):
    """Where people are heard, and where and when they report for it (H1)."""

    kind = HearingLocationKindField(read_only=True)
    court = AddressedPlaceSerializer(
        read_only=True, help_text="The immigration court (EOIR-33 goes to it, N6; its pro bono list, N4)."
    )
    facility = code_field(allow_null=True, help_text="For a hearing facility: its location.")
    reporting_port = AddressedPlaceSerializer(
        read_only=True, help_text="H1: the port of entry where people report, in its own zone."
    )
    report_lead_minutes = serializers.SerializerMethodField(
        help_text="How long before the hearing people report at the port."
    )

    class Meta:
        model = HearingLocation
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "court",
            "facility",
            "address",
            "time_zone",
            "reporting_port",
            "report_lead_minutes",
        ]
        read_only_fields = fields

    def get_report_lead_minutes(self, place: HearingLocation) -> int:
        return int(place.report_lead.total_seconds() // 60)


# --- slots -----------------------------------------------------------------------------------------------


def _report_at(hearing_or_slot: Hearing | HearingSlot) -> dt.datetime:
    return hearing_or_slot.starts_at - hearing_or_slot.hearing_location.report_lead


class HearingSlotSerializer(serializers.ModelSerializer):
    """Docket time at a hearing location: a start time with places."""

    hearing_location = code_field()
    hearing_location_name = serializers.CharField(source="hearing_location.name", read_only=True)
    court = serializers.CharField(source="hearing_location.court.code", read_only=True)
    time_zone = serializers.CharField(
        source="hearing_location.time_zone", read_only=True, help_text="The hearing location's zone."
    )
    starts_at_local = LocalTimeField(at="starts_at", zone="hearing_location.time_zone")
    room = serializers.IntegerField(read_only=True, help_text="Places left.")
    reporting_port = serializers.CharField(source="hearing_location.reporting_port.code", read_only=True)
    report_at_local = serializers.SerializerMethodField(
        help_text="H1: when people heard in this slot report at the port, in the port's zone."
    )
    report_time_zone = serializers.CharField(
        source="hearing_location.reporting_port.time_zone", read_only=True
    )

    class Meta:
        model = HearingSlot
        fields = [
            "id",
            "hearing_location",
            "hearing_location_name",
            "court",
            "time_zone",
            "starts_at",
            "starts_at_local",
            "capacity",
            "booked",
            "room",
            "reporting_port",
            "report_at_local",
            "report_time_zone",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_report_at_local(self, slot: HearingSlot) -> str:
        zone = zoneinfo.ZoneInfo(slot.hearing_location.reporting_port.time_zone)
        return timezone.localtime(_report_at(slot), zone).isoformat()


class SlotQuerySerializer(serializers.Serializer):
    """Which slots: at a hearing location, from a day, for some days, with room for a family."""

    hearing_location = CodeRelatedField(
        queryset=HearingLocation.objects.filter(is_active=True),
        required=False,
        help_text="Code of the hearing location (see `hearing-locations/`), e.g. sdg-ic-mpp.",
    )
    start = PlausibleDateField(
        required=False, help_text="From this day (YYYY-MM-DD, from 00:00 UTC); default now."
    )
    days = serializers.IntegerField(
        required=False, default=14, min_value=1, max_value=62, help_text="How many days from `from`."
    )
    with_room = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=500,
        help_text="Only future slots with at least this many places left (a family's size); 0: every slot.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # The parameter is `from`, a Python keyword: declared as `start`, renamed here.
        return {("from" if name == "start" else name): field for name, field in super().get_fields().items()}


class SlotPublishSerializer(serializers.Serializer):
    """Docket time to publish (court staff): one slot per start time on the day, in the location's zone."""

    hearing_location = CodeRelatedField(
        queryset=HearingLocation.objects.filter(is_active=True),
        help_text="Code of the hearing location, e.g. sdg-ic-mpp.",
    )
    day = PlausibleDateField(years_ahead=3, help_text="YYYY-MM-DD, in the hearing location's zone; not past.")
    times = serializers.ListField(
        child=serializers.TimeField(),
        allow_empty=False,
        max_length=48,
        help_text='Start times in the hearing location\'s zone, e.g. ["08:30", "13:00"]; each once.',
    )
    capacity = serializers.IntegerField(min_value=1, max_value=500, help_text="Places in each slot.")


# --- hearings --------------------------------------------------------------------------------------------


class HearingSerializer(serializers.ModelSerializer):
    """One hearing of one person's case (H2: several on different days is normal)."""

    person = AlienSummarySerializer(source="case.alien", read_only=True)
    kind = HearingKindField(read_only=True)
    status = HearingStatusField(read_only=True)
    hearing_location = code_field()
    hearing_location_name = serializers.CharField(source="hearing_location.name", read_only=True)
    court = serializers.CharField(source="hearing_location.court.code", read_only=True)
    time_zone = serializers.CharField(source="hearing_location.time_zone", read_only=True)
    starts_at_local = LocalTimeField(at="starts_at", zone="hearing_location.time_zone")
    reporting_port = serializers.CharField(source="hearing_location.reporting_port.code", read_only=True)
    report_at_local = serializers.SerializerMethodField(
        help_text="H1: when to report at the port, in the port's zone."
    )
    report_time_zone = serializers.CharField(
        source="hearing_location.reporting_port.time_zone", read_only=True
    )
    replaced_by = serializers.SerializerMethodField(
        help_text="H2: the hearing that replaced this one when it was rescheduled or continued."
    )

    class Meta:
        model = Hearing
        fields = [
            "id",
            "case",
            "person",
            "slot",
            "kind",
            "status",
            "is_initial",
            "hearing_location",
            "hearing_location_name",
            "court",
            "time_zone",
            "starts_at",
            "starts_at_local",
            "reporting_port",
            "report_at_local",
            "report_time_zone",
            "replaces",
            "replaced_by",
            "reason",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_report_at_local(self, hearing: Hearing) -> str:
        zone = zoneinfo.ZoneInfo(hearing.hearing_location.reporting_port.time_zone)
        return timezone.localtime(_report_at(hearing), zone).isoformat()

    def get_replaced_by(self, hearing: Hearing) -> int | None:
        try:
            return hearing.replaced_by.pk
        except Hearing.DoesNotExist:
            return None


class HearingQuerySerializer(serializers.Serializer):
    case = id_field(required=False, help_text="Case id.")
    hearing_location = CodeRelatedField(
        queryset=HearingLocation.objects.all(), required=False, help_text="Hearing location code."
    )
    day = PlausibleDateField(
        required=False,
        help_text="The docket of one day (YYYY-MM-DD) in the hearing location's zone: give `hearing_location`.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("day") and not attrs.get("hearing_location"):
            raise serializers.ValidationError(
                {"day": "A day is read in a hearing location's zone: give `hearing_location` too."},
                code="hearing_location_required",
            )
        return attrs


class HearingMoveSerializer(serializers.Serializer):
    """H2: move scheduled hearings (a family heard together) into another slot, with a reason."""

    hearing_ids = id_list_field(max_length=200, help_text="Ids of the scheduled hearings to move.")
    slot = id_field(help_text="Id of the slot to move them to (same court, room for all).")
    mode = HearingMoveModeField()
    reason = serializers.CharField(max_length=2000, help_text="Why; recorded on each case's timeline.")


# --- NTAs ------------------------------------------------------------------------------------------------


class HearingBriefSerializer(serializers.ModelSerializer):
    """The initial hearing an NTA names (N1)."""

    hearing_location = code_field()
    time_zone = serializers.CharField(source="hearing_location.time_zone", read_only=True)
    starts_at_local = LocalTimeField(at="starts_at", zone="hearing_location.time_zone")

    class Meta:
        model = Hearing
        fields = ["id", "hearing_location", "time_zone", "starts_at", "starts_at_local"]
        read_only_fields = fields


class NtaRowSerializer(serializers.ModelSerializer):
    """An NTA in a list: whose, which court, served when and by whom, filed or not (M3/M4)."""

    person = AlienSummarySerializer(source="case.alien", read_only=True)
    court = PlaceSerializer(read_only=True)
    initial_hearing = HearingBriefSerializer(read_only=True)
    served_location = PlaceSerializer(read_only=True)
    served_by = StaffMemberSerializer(read_only=True)
    filed_by = StaffMemberSerializer(read_only=True, allow_null=True)
    is_filed = serializers.SerializerMethodField(help_text="M3/M4 count only filed NTAs.")

    class Meta:
        model = NoticeToAppear
        fields = [
            "id",
            "case",
            "person",
            "court",
            "initial_hearing",
            "served_at",
            "served_location",
            "served_by",
            "is_filed",
            "filed_on",
            "filed_by",
        ]
        read_only_fields = fields

    def get_is_filed(self, nta: NoticeToAppear) -> bool:
        return nta.filed_on is not None


class ChargeSerializer(serializers.Serializer):
    code = serializers.CharField(source="charge.code", help_text="The INA section, e.g. 212(a)(7)(A)(i)(I).")
    text = serializers.CharField(source="charge.text", help_text="The charge as worded on the NTA.")


class NtaSerializer(NtaRowSerializer):
    """The record of a Form I-862 served on one person (N1): allegations, charges, court and initial hearing,
    the service with its language and interpretation (N3), and the filing (M3/M4)."""

    classification = NtaClassificationField(read_only=True)
    citizen_of = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2 code.")
    arrived_at = PlaceSerializer(read_only=True)
    allegations = serializers.SerializerMethodField(help_text="The allegations, in the NTA's words.")
    charges = ChargeSerializer(many=True, read_only=True)
    service_manner = NtaServiceMannerField(read_only=True)
    oral_notice_language = code_field(help_text="N3: the language the NTA was explained in.")
    interpretation = NtaInterpretationField(read_only=True)
    interpreter_language = code_field(allow_null=True, help_text="N3: with an interpreter, the language.")

    class Meta(NtaRowSerializer.Meta):
        fields = [
            *NtaRowSerializer.Meta.fields,
            "classification",
            "citizen_of",
            "arrived_at",
            "arrived_on",
            "allegations",
            "charges",
            "service_manner",
            "oral_notice_language",
            "interpretation",
            "interpreter_language",
        ]
        read_only_fields = fields

    def get_citizen_of(self, nta: NoticeToAppear) -> str:
        return str(nta.citizen_of or "")

    def get_allegations(self, nta: NoticeToAppear) -> list[str]:
        code = str(nta.citizen_of or "")
        return nta_allegations(
            citizen_of=str(countries.name(code)) if code else "",
            arrived_at=nta.arrived_at.name,
            arrived_on=f"{nta.arrived_on:%B %-d, %Y}",
            classification=nta.classification,
        )


class NtaQuerySerializer(serializers.Serializer):
    filed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`false`: the filing queue (served, not yet filed), oldest served first; `true`: filed "
        "ones; left out: every NTA. Newest served first unless `false`.",
    )
    court = CodeRelatedField(
        queryset=Location.objects.filter(kind=Location.Kind.IMMIGRATION_COURT),
        required=False,
        help_text="Immigration court code, e.g. sdg-ic.",
    )


class AddressInSerializer(serializers.Serializer):
    """An address in Mexico as the person gives it."""

    address = serializers.CharField(max_length=2000, help_text="Street, number, colonia.")
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, help_text="Mexican state.")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


def address_input(data: dict[str, Any]) -> AddressInput:
    """The service's address from validated data holding ``address``, ``city``, ``state`` and ``phone``."""
    return AddressInput(address=data["address"], city=data["city"], state=data["state"], phone=data["phone"])


class NtaServeSerializer(serializers.Serializer):
    """Serve the NTA on the family's amenable members (or the `cases` chosen), booking one slot for all."""

    slot = id_field(help_text="Id of a future slot with room for everyone served (see `hearing-slots/`).")
    classification = NtaClassificationField()
    charges = serializers.ListField(
        child=serializers.CharField(max_length=40),
        allow_empty=False,
        max_length=20,
        help_text="Charge codes from the maintained list, e.g. 212(a)(7)(A)(i)(I).",
    )
    oral_notice_language = serializers.CharField(
        max_length=16, help_text="N3: code of the language the NTA was explained in, e.g. es."
    )
    interpretation = NtaInterpretationField()
    interpreter_language = serializers.CharField(
        max_length=16,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="N3: with an interpreter, the language code; empty with `none`.",
    )
    address = AddressInSerializer(
        help_text="Where the family lives in Mexico (N6: later changes by EOIR-33)."
    )
    cases = id_list_field(
        max_length=50,
        required=False,
        help_text="Serve only these cases of the family (default: every amenable one).",
    )
    served_at = AwareDateTimeField(
        required=False, help_text="When it was served, with its UTC offset; default now. Not in the future."
    )


class NtaFileSerializer(serializers.Serializer):
    nta_ids = id_list_field(max_length=500, help_text="Ids of the NTAs filed with the court.")
    filed_on = PlausibleDateField(help_text="YYYY-MM-DD, the day they were filed; not in the future.")


# --- tear sheets -----------------------------------------------------------------------------------------


class SheetVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TearSheet
        fields = ["id", "version"]
        read_only_fields = fields


class TearSheetSerializer(serializers.ModelSerializer):
    """One version of one person's tear sheet (N1, N5): current, or superseded by a later version."""

    person = AlienSummarySerializer(source="case.alien", read_only=True)
    reason = TearSheetReasonField(read_only=True)
    language_code = serializers.CharField(
        read_only=True, help_text='The language printed (N1a); "" is English and Spanish side by side.'
    )
    hearing_location = serializers.CharField(source="hearing.hearing_location.code", read_only=True)
    court = serializers.CharField(source="hearing.hearing_location.court.code", read_only=True)
    time_zone = serializers.CharField(source="hearing.hearing_location.time_zone", read_only=True)
    hearing_starts_at = serializers.DateTimeField(source="hearing.starts_at", read_only=True)
    hearing_starts_at_local = LocalTimeField(
        at="hearing.starts_at", zone="hearing.hearing_location.time_zone"
    )
    location = code_field(help_text="The duty location whose print staff print it.")
    is_current = serializers.BooleanField(read_only=True, help_text="N5: false once superseded.")
    superseded_by = SheetVersionSerializer(read_only=True, allow_null=True)
    printed_by = serializers.IntegerField(
        source="printed_by_id", read_only=True, allow_null=True, help_text="User id of who first printed it."
    )
    pdf_url = serializers.SerializerMethodField(help_text="The sheet as PDF (application/pdf).")

    class Meta:
        model = TearSheet
        fields = [
            "id",
            "case",
            "person",
            "hearing",
            "hearing_location",
            "court",
            "time_zone",
            "hearing_starts_at",
            "hearing_starts_at_local",
            "location",
            "version",
            "reason",
            "language_code",
            "issued_at",
            "is_current",
            "superseded_at",
            "superseded_by",
            "printed_at",
            "printed_by",
            "print_count",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, sheet: TearSheet) -> str:
        return reverse("api-v1:tear-sheets-pdf", kwargs={"pk": sheet.pk})


class TearSheetQuerySerializer(serializers.Serializer):
    case = id_field(required=False, help_text="Case id.")
    state = TearSheetStateField(required=False, help_text="Left out: every version.")


class PrintQueueQuerySerializer(serializers.Serializer):
    location = CodeRelatedField(
        queryset=Location.objects.all(), required=False, help_text="One of your duty locations, e.g. sys-poe."
    )
    court = CodeRelatedField(
        queryset=Location.objects.filter(kind=Location.Kind.IMMIGRATION_COURT),
        required=False,
        help_text="The court of the hearing, e.g. sdg-ic.",
    )
    hearing_on = PlausibleDateField(
        required=False, help_text="The hearing's day (YYYY-MM-DD) where it is heard."
    )
    state = TearSheetStateField(required=False, default="waiting")


# --- print batches ---------------------------------------------------------------------------------------


class PrintBatchCreateSerializer(serializers.Serializer):
    sheet_ids = id_list_field(
        max_length=MAX_BATCH, help_text="Current tear sheets at one of your duty locations, in print order."
    )


class PrintBatchItemSerializer(serializers.ModelSerializer):
    status = PrintBatchItemStatusField(read_only=True)
    case = serializers.IntegerField(source="sheet.case_id", read_only=True)
    error = serializers.CharField(read_only=True, help_text="Why the sheet could not be built.")

    class Meta:
        model = PrintBatchItem
        fields = ["sheet", "case", "position", "is_reprint", "status", "error"]
        read_only_fields = fields


class PrintBatchSerializer(serializers.ModelSerializer):
    """Sheets printed together as one PDF: the build's status and progress per sheet."""

    location = code_field()
    status = PrintBatchStatusField(read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Progress of the build, 0-100.")
    items = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text="The PDF, once `status` is `ready`; null before.")

    class Meta:
        model = PrintBatch
        fields = [
            "id",
            "location",
            "status",
            "total",
            "done",
            "failed",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "marked_printed_at",
            "items",
            "pdf_url",
        ]
        read_only_fields = fields

    @extend_schema_field(PrintBatchItemSerializer(many=True))
    def get_items(self, batch: PrintBatch) -> list[dict[str, Any]]:
        return PrintBatchItemSerializer(self.context["items"], many=True).data  # type: ignore[return-value]

    def get_pdf_url(self, batch: PrintBatch) -> str | None:
        if batch.status != PrintBatch.Status.READY:
            return None
        return reverse("api-v1:print-batches-pdf", kwargs={"pk": batch.pk})


# --- addresses (N6) --------------------------------------------------------------------------------------


class AddressSerializer(serializers.ModelSerializer):
    """An address in Mexico: given at service, or a Form EOIR-33 change (N6)."""

    # Serializer.source is also an attribute of the field itself; DRF's metaclass moves this one away.
    source = AddressSourceField(read_only=True)  # type: ignore[assignment]
    how_received = AddressReceivedField(read_only=True)
    one_line = serializers.CharField(read_only=True, help_text="As printed on documents.")
    recorded_by = StaffMemberSerializer(read_only=True)
    is_current = serializers.SerializerMethodField(
        help_text="N6: the latest received, the one later documents print."
    )

    class Meta:
        model = AddressInMexico
        fields = [
            "id",
            "case",
            "address",
            "city",
            "state",
            "phone",
            "one_line",
            "source",
            "received_on",
            "how_received",
            "recorded_by",
            "created_at",
            "is_current",
        ]
        read_only_fields = fields

    def get_is_current(self, address: AddressInMexico) -> bool:
        return address.pk == self.context.get("current_id")


class AddressChangeSerializer(AddressInSerializer):
    """N6: a Form EOIR-33 change of address in Mexico."""

    received_on = PlausibleDateField(help_text="YYYY-MM-DD, the day it was received; not in the future.")
    how_received = Eoir33ReceivedField()
