"""Where and when people are heard, and the papers they carry: hearing locations and their slots, hearings
(H2), the Notice to Appear record (N1, N3; the "NTA filed" date M3/M4 count), changes of address in Mexico
(EOIR-33, N6), the tear sheets (N1, N1a, N5) and their printing.

Times are stored in UTC and shown in the hearing location's zone; the report time in the reporting port's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cases.models import Alien, Case, Language
from mpp.accounts.models import Location, validate_time_zone


class HearingLocation(models.Model):
    """A courtroom of an immigration court, or an immigration hearing facility (Laredo, Brownsville), as
    people reach it: where they report (a port of entry, maybe in another time zone) and how long before
    the hearing. Reference data (migration 0002), editable in the admin with history."""

    class Kind(models.TextChoices):
        COURTROOM = "courtroom", "Immigration court courtroom"
        HEARING_FACILITY = "hearing_facility", "Immigration hearing facility"

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    court = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="hearing_locations",
        limit_choices_to={"kind": Location.Kind.IMMIGRATION_COURT},
        help_text="The immigration court whose judges hear these cases (EOIR-33 goes to it, N6; its pro bono "
        "list is printed, N4).",
    )
    facility = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Location.Kind.HEARING_FACILITY},
        help_text="For an immigration hearing facility: the facility.",
    )
    address = models.TextField(help_text="Street address of the courtroom or facility, as printed.")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    reporting_port = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Location.Kind.PORT_OF_ENTRY},
        help_text="H1: the port of entry where people report for hearings here.",
    )
    report_lead = models.DurationField(
        help_text="How long before the hearing people report at the port (e.g. 3:00:00).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="hearing_location_kind_valid",
                condition=models.Q(kind__in=["courtroom", "hearing_facility"]),
            ),
            models.CheckConstraint(
                name="hearing_location_facility_kind",
                condition=models.Q(kind="courtroom", facility__isnull=True)
                | models.Q(kind="hearing_facility", facility__isnull=False),
            ),
            models.CheckConstraint(
                name="hearing_location_lead_sane",
                condition=models.Q(report_lead__gte=dt.timedelta(0), report_lead__lte=dt.timedelta(hours=12)),
            ),
            models.CheckConstraint(name="hearing_location_address_present", condition=~models.Q(address="")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ProBonoProvider(models.Model):
    """N4: a legal service provider on the court's pro bono list, printed on every tear sheet for hearings
    before that court. Maintained in the admin, with history."""

    court = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="pro_bono_providers",
        limit_choices_to={"kind": Location.Kind.IMMIGRATION_COURT},
    )
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    languages = models.CharField(max_length=200, blank=True, help_text="Languages served, as printed.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the printed list.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["court_id", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="pro_bono_once_per_court"),
            models.CheckConstraint(name="pro_bono_name_present", condition=~models.Q(name="")),
        ]

    def __str__(self) -> str:
        return self.name


class Charge(models.Model):
    """A charge an NTA may bring, from a maintained list (e.g. INA 212(a)(7)(A)(i)(I))."""

    code = models.CharField(max_length=40, unique=True, help_text="The INA section, e.g. 212(a)(6)(A)(i).")
    text = models.TextField(help_text="The charge as worded on the NTA.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"INA {self.code}"


class HearingSlot(models.Model):
    """Docket time EOIR made available to DHS: a start time at a hearing location with a capacity. The
    officer serving an NTA books the initial hearing into a slot with room; ``booked`` is changed only
    under the slot's row lock (hearings.services), so two officers booking the last place get one yes and
    one "full", and the database refuses overbooking whatever the code does."""

    hearing_location = models.ForeignKey(HearingLocation, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(help_text="UTC; shown in the hearing location's zone.")
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "hearing_location_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hearing_location", "starts_at"], name="slot_once_per_time"),
            models.CheckConstraint(
                name="slot_capacity_range", condition=models.Q(capacity__gte=1, capacity__lte=500)
            ),
            models.CheckConstraint(
                name="slot_not_overbooked",
                condition=models.Q(booked__gte=0, booked__lte=models.F("capacity")),
            ),
        ]
        indexes = [models.Index(fields=["hearing_location", "starts_at"], name="slot_location_time_idx")]

    def __str__(self) -> str:
        return f"{self.hearing_location} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def room(self) -> int:
        return self.capacity - self.booked


class Hearing(models.Model):
    """One hearing of one person's case. H2: a person normally has several, on different days; a
    rescheduled or continued hearing keeps its record and points to the one that replaces it."""

    class Kind(models.TextChoices):
        MASTER = "master", "Master calendar hearing"
        INDIVIDUAL = "individual", "Individual (merits) hearing"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        RESCHEDULED = "rescheduled", "Rescheduled (did not take place on this date)"
        CONTINUED = "continued", "Continued to a later date"
        HELD = "held", "Held (a decision was made; nothing goes on to a later date)"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    slot = models.ForeignKey(HearingSlot, on_delete=models.PROTECT, related_name="hearings")
    # Copied from the slot so dockets and tear sheets read one row; the slot never moves.
    hearing_location = models.ForeignKey(HearingLocation, on_delete=models.PROTECT, related_name="hearings")
    starts_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MASTER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    is_initial = models.BooleanField(default=False, help_text="The initial hearing the NTA names (N1).")
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    reason = models.TextField(blank=True, help_text="Why it was scheduled (H2: why it was moved).")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # H3: the counsel of record at this hearing, recorded when the court records what happened at it.
    counsel = models.ForeignKey(
        "Representation", on_delete=models.PROTECT, null=True, blank=True, related_name="hearings"
    )
    # O1: closed to the public for the person's sensitive matters. The reason is for court staff only:
    # observers are told that the hearing is closed, never why in detail.
    # Database defaults too: the scale-data generator writes hearings with COPY and names no new column.
    closed_to_public = models.BooleanField(default=False, db_default=False)
    closed_reason = models.TextField(blank=True, default="", db_default="")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="scheduled"), name="hearing_one_scheduled_per_case"
            ),
            models.CheckConstraint(
                name="hearing_status_valid",
                condition=models.Q(status__in=["scheduled", "rescheduled", "continued", "held"]),
            ),
            models.CheckConstraint(
                name="hearing_closed_has_reason",
                condition=models.Q(closed_to_public=False, closed_by__isnull=True)
                | (models.Q(closed_to_public=True, closed_by__isnull=False) & ~models.Q(closed_reason="")),
            ),
            models.CheckConstraint(
                name="hearing_kind_valid", condition=models.Q(kind__in=["master", "individual"])
            ),
            models.CheckConstraint(
                name="hearing_moved_has_reason",
                condition=models.Q(replaces__isnull=True) | ~models.Q(reason=""),
            ),
        ]
        indexes = [
            # A place's hearings in time order, with their status in the index: the hearings of a day at a
            # place are read from the index alone (the port's arrivals, which filter by status: 3.9 -> 0.8 ms
            # at 500k cases, 2026-12-06; it replaced hearing_docket_idx, the same keys without the status).
            models.Index(
                fields=["hearing_location", "starts_at", "id"],
                include=["status"],
                name="hearing_place_time_idx",
            ),
            models.Index(fields=["case", "starts_at"], name="hearing_case_idx"),
            # The API's hearing list over every location, in hearing order: without it a page sorted every
            # hearing (260 ms at 500k cases, 2026-12-04).
            models.Index(fields=["starts_at", "id"], name="hearing_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for case {self.case_id} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def report_at(self) -> dt.datetime:
        return self.starts_at - self.hearing_location.report_lead


class NoticeToAppear(models.Model):
    """The record of a Form I-862 served on one person (N1): the allegations, the charges, the court and
    initial hearing, the service (N3) and the date it was filed with the court — only filed NTAs count as
    enrolled (M3/M4). A record of the data, not a replica of the form."""

    class Classification(models.TextChoices):
        ARRIVING = "arriving", "An arriving alien"
        PRESENT_WITHOUT_ADMISSION = (
            "present_without_admission",
            "An alien present in the United States who has not been admitted or paroled",
        )

    class ServiceManner(models.TextChoices):
        IN_PERSON = "in_person", "In person"

    class Interpretation(models.TextChoices):
        NONE = "none", "None: the officer is fluent in the person's language"
        IN_PERSON = "in_person", "In-person interpreter"
        TELEPHONIC = "telephonic", "Telephonic interpreter"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="nta")
    court = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    initial_hearing = models.OneToOneField(Hearing, on_delete=models.PROTECT, related_name="+")
    classification = models.CharField(max_length=32, choices=Classification.choices)
    citizen_of = CountryField(help_text="Allegation: citizen or national of.")
    arrived_at = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", help_text="Allegation: arrived at."
    )
    arrived_on = models.DateField(help_text="Allegation: arrived on.")
    served_at = models.DateTimeField()
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    served_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    service_manner = models.CharField(
        max_length=16, choices=ServiceManner.choices, default=ServiceManner.IN_PERSON
    )
    oral_notice_language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="+")
    interpretation = models.CharField(max_length=16, choices=Interpretation.choices)
    interpreter_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_on = models.DateField(null=True, blank=True, help_text="The date the NTA was filed with the court.")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-served_at", "-id"]
        verbose_name = "Notice to Appear"
        constraints = [
            models.CheckConstraint(
                name="nta_classification_valid",
                condition=models.Q(classification__in=["arriving", "present_without_admission"]),
            ),
            models.CheckConstraint(
                name="nta_interpretation_valid",
                condition=models.Q(interpretation__in=["none", "in_person", "telephonic"]),
            ),
            # N3: an interpreter is recorded with its language; no interpreter, no interpreter language.
            models.CheckConstraint(
                name="nta_interpreter_language_n3",
                condition=models.Q(interpretation="none", interpreter_language__isnull=True)
                | (~models.Q(interpretation="none") & models.Q(interpreter_language__isnull=False)),
            ),
            models.CheckConstraint(
                name="nta_filed_complete",
                condition=models.Q(filed_on__isnull=True, filed_by__isnull=True)
                | models.Q(filed_on__isnull=False, filed_by__isnull=False),
            ),
            models.CheckConstraint(
                name="nta_served_after_arrival",
                condition=models.Q(served_at__date__gte=models.F("arrived_on")),
            ),
        ]
        indexes = [
            # Court staff's queue of served NTAs awaiting filing, oldest first (M3/M4 count filed only).
            models.Index(
                fields=["court", "served_at", "id"],
                condition=models.Q(filed_on__isnull=True),
                name="nta_unfiled_idx",
            ),
            # The same queue over every court (court staff work nationally).
            models.Index(
                fields=["served_at", "id"],
                condition=models.Q(filed_on__isnull=True),
                name="nta_unfiled_all_courts_idx",
            ),
            # The API's NTA list, newest served first: without it a page sorted every NTA (417k at 500k cases:
            # 131 ms, 2026-12-04).
            models.Index(fields=["-served_at", "-id"], name="nta_served_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"NTA for case {self.case_id}"


class NtaCharge(models.Model):
    nta = models.ForeignKey(NoticeToAppear, on_delete=models.PROTECT, related_name="charges")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["nta_id", "charge__code"]
        constraints = [models.UniqueConstraint(fields=["nta", "charge"], name="nta_charge_once")]

    def __str__(self) -> str:
        return f"{self.charge} on {self.nta}"


class AddressInMexico(models.Model):
    """Where a person lives in Mexico while their case goes on: the address given when the NTA was served,
    then each change reported on Form EOIR-33 (N6). The latest received is what later documents print."""

    class Source(models.TextChoices):
        NTA = "nta", "Given when the NTA was served"
        EOIR33 = "eoir33", "Form EOIR-33 change of address"

    class Received(models.TextChoices):
        AT_SERVICE = "at_service", "At NTA service"
        MAIL = "mail", "By mail to the court"
        IN_COURT = "in_court", "In person at the court"
        AT_PORT = "at_port", "In person at the port of entry"
        ELECTRONIC = "electronic", "Electronically (EOIR portal)"

    alien = models.ForeignKey(Alien, on_delete=models.PROTECT, related_name="addresses_in_mexico")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="addresses_in_mexico")
    address = models.TextField(help_text="Street, number, colonia.")
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, help_text="Mexican state.")
    phone = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    received_on = models.DateField()
    how_received = models.CharField(max_length=16, choices=Received.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "address in Mexico"
        verbose_name_plural = "addresses in Mexico"
        constraints = [
            models.CheckConstraint(
                name="address_source_valid", condition=models.Q(source__in=["nta", "eoir33"])
            ),
            models.CheckConstraint(
                name="address_received_valid",
                condition=models.Q(
                    how_received__in=["at_service", "mail", "in_court", "at_port", "electronic"]
                ),
            ),
            models.CheckConstraint(
                name="address_present",
                condition=~models.Q(address="") & ~models.Q(city="") & ~models.Q(state=""),
            ),
        ]
        indexes = [models.Index(fields=["alien", "-received_on", "-id"], name="address_current_idx")]

    def __str__(self) -> str:
        return f"{self.address}, {self.city}, {self.state}"

    @property
    def one_line(self) -> str:
        return f"{self.address}, {self.city}, {self.state}, Mexico"


class TearSheet(models.Model):
    """One version of the tear sheet for one person's hearing (N1, N5): in the person's language, or in
    English and Spanish side by side when their language has no catalogue (N1a, ``language_code`` "").
    A rescheduled or continued hearing issues a new version and marks this one superseded (N5); superseded
    sheets stay, visible as such everywhere they are shown."""

    class Reason(models.TextChoices):
        NEW = "new", "New"
        REISSUED = "reissued", "Reissued (hearing moved)"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tear_sheets")
    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="tear_sheets")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", help_text="Whose print staff print it."
    )
    version = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    language_code = models.CharField(
        max_length=16, blank=True, help_text='A language with a catalogue; "" prints English and Spanish.'
    )
    issued_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    printed_at = models.DateTimeField(null=True, blank=True, help_text="First printed.")
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    print_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="tear_sheet_version_once"),
            models.UniqueConstraint(
                fields=["hearing"],
                condition=models.Q(superseded_at__isnull=True),
                name="tear_sheet_one_current",
            ),
            models.CheckConstraint(
                name="tear_sheet_reason_valid", condition=models.Q(reason__in=["new", "reissued"])
            ),
            models.CheckConstraint(
                name="tear_sheet_printed_complete",
                condition=models.Q(printed_at__isnull=True, printed_by__isnull=True, print_count=0)
                | models.Q(printed_at__isnull=False, printed_by__isnull=False, print_count__gte=1),
            ),
            models.CheckConstraint(
                name="tear_sheet_superseded_complete",
                condition=models.Q(superseded_at__isnull=True, superseded_by__isnull=True)
                | models.Q(superseded_at__isnull=False, superseded_by__isnull=False),
            ),
        ]
        indexes = [
            # The print queue: current sheets not yet printed at a location, in hearing order (selectors).
            models.Index(
                fields=["location", "issued_at", "id"],
                condition=models.Q(superseded_at__isnull=True, printed_at__isnull=True),
                name="tear_sheet_queue_idx",
            ),
            # The print queue's other tabs (printed: reprints; superseded), in the same order.
            models.Index(fields=["location", "issued_at", "id"], name="tear_sheet_location_idx"),
            models.Index(fields=["case", "-version"], name="tear_sheet_case_idx"),
            # The API's tear sheet list, newest issued first, over every location (200 ms at 500k cases without).
            models.Index(fields=["-issued_at", "-id"], name="tear_sheet_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"Tear sheet v{self.version} for case {self.case_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class PrintBatch(models.Model):
    """Sheets print staff printed together as one PDF. More than a few are built by a Celery task
    (``hearings.tasks.print_batch_build``) that records progress per sheet; a sheet that fails is named with
    its error and the others still print."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready to print"
        FAILED = "failed", "Failed: no sheet could be built"

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    marked_printed_at = models.DateTimeField(null=True, blank=True)
    marked_printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="print_batch_status_valid",
                condition=models.Q(status__in=["queued", "building", "ready", "failed"]),
            ),
            models.CheckConstraint(
                name="print_batch_progress_sane",
                condition=models.Q(total__gte=1)
                & models.Q(done__lte=models.F("total"))
                & models.Q(failed__lte=models.F("done")),
            ),
        ]
        indexes = [models.Index(fields=["location", "-created_at", "-id"], name="print_batch_location_idx")]

    def __str__(self) -> str:
        return f"Print batch {self.pk} ({self.total} sheets)"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


class PrintBatchItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        OK = "ok", "Built"
        FAILED = "failed", "Failed"

    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="items")
    sheet = models.ForeignKey(TearSheet, on_delete=models.PROTECT, related_name="batch_items")
    position = models.PositiveIntegerField()
    is_reprint = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sheet"], name="print_item_once"),
            models.UniqueConstraint(fields=["batch", "position"], name="print_item_position_once"),
            models.CheckConstraint(
                name="print_item_status_valid", condition=models.Q(status__in=["pending", "ok", "failed"])
            ),
            models.CheckConstraint(
                name="print_item_failed_has_error", condition=~models.Q(status="failed") | ~models.Q(error="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} in {self.batch}"


class TearSheetPrint(models.Model):
    """One printing of one sheet: who and when, and whether it was a reprint (append-only)."""

    sheet = models.ForeignKey(TearSheet, on_delete=models.PROTECT, related_name="prints")
    batch = models.ForeignKey(PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_at = models.DateTimeField(default=timezone.now)
    is_reprint = models.BooleanField(default=False)

    class Meta:
        ordering = ["printed_at", "id"]

    def __str__(self) -> str:
        return f"{self.sheet} printed {self.printed_at:%Y-%m-%d %H:%M}"


class HearingAttendance(models.Model):
    """H1: one person's hearing day, step by step: checked in at the reporting port (scan of the tear
    sheet's barcode, or the A-number typed), transported to the court or hearing facility, attended or
    failed to appear, returned to Mexico (time, port), and any night in CBP custody when processing did
    not end the same day (time in, time out). One row per hearing; each step is a case event, and every
    change of this row is in its history with who and why."""

    class Appearance(models.TextChoices):
        NONE = "", "Not yet recorded"
        ATTENDED = "attended", "Attended"
        FAILED_TO_APPEAR = "failed_to_appear", "Failed to appear"

    hearing = models.OneToOneField(Hearing, on_delete=models.PROTECT, related_name="attendance")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attendances")
    port = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", help_text="The reporting port (H1)."
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sheet = models.ForeignKey(
        "TearSheet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The tear sheet whose barcode was scanned at check-in, if one was.",
    )
    transported_at = models.DateTimeField(null=True, blank=True)
    transported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appearance = models.CharField(max_length=20, choices=Appearance.choices, blank=True, default="")
    appearance_at = models.DateTimeField(null=True, blank=True)
    appearance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_port = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overnight_in_at = models.DateTimeField(null=True, blank=True, help_text="H1: into CBP custody overnight.")
    overnight_out_at = models.DateTimeField(null=True, blank=True, help_text="H1: out of CBP custody.")
    overnight_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing_id"]
        constraints = [
            models.CheckConstraint(
                name="attendance_appearance_valid",
                condition=models.Q(appearance__in=["", "attended", "failed_to_appear"]),
            ),
            models.CheckConstraint(
                name="attendance_checked_in_complete",
                condition=models.Q(checked_in_at__isnull=True, checked_in_by__isnull=True)
                | models.Q(checked_in_at__isnull=False, checked_in_by__isnull=False),
            ),
            models.CheckConstraint(
                name="attendance_transported_after_check_in",
                condition=models.Q(transported_at__isnull=True, transported_by__isnull=True)
                | models.Q(
                    transported_at__isnull=False,
                    transported_by__isnull=False,
                    checked_in_at__isnull=False,
                    transported_at__gte=models.F("checked_in_at"),
                ),
            ),
            models.CheckConstraint(
                name="attendance_appearance_complete",
                condition=models.Q(appearance="", appearance_at__isnull=True, appearance_by__isnull=True)
                | (
                    ~models.Q(appearance="")
                    & models.Q(appearance_at__isnull=False, appearance_by__isnull=False)
                ),
            ),
            # Who was checked in did not fail to appear; who failed to appear is never returned or held.
            models.CheckConstraint(
                name="attendance_fta_not_checked_in",
                condition=~models.Q(appearance="failed_to_appear") | models.Q(checked_in_at__isnull=True),
            ),
            models.CheckConstraint(
                name="attendance_returned_complete",
                condition=models.Q(
                    returned_at__isnull=True, returned_by__isnull=True, returned_port__isnull=True
                )
                | models.Q(
                    returned_at__isnull=False,
                    returned_by__isnull=False,
                    returned_port__isnull=False,
                    checked_in_at__isnull=False,
                    returned_at__gte=models.F("checked_in_at"),
                ),
            ),
            models.CheckConstraint(
                name="attendance_overnight_sane",
                condition=models.Q(overnight_in_at__isnull=True, overnight_out_at__isnull=True)
                | models.Q(
                    overnight_in_at__isnull=False,
                    overnight_by__isnull=False,
                    checked_in_at__isnull=False,
                    overnight_in_at__gte=models.F("checked_in_at"),
                )
                & (
                    models.Q(overnight_out_at__isnull=True)
                    | models.Q(overnight_out_at__gte=models.F("overnight_in_at"))
                ),
            ),
        ]
        indexes = [models.Index(fields=["port", "checked_in_at"], name="attendance_port_idx")]

    def __str__(self) -> str:
        return f"Hearing day of case {self.case_id} (hearing {self.hearing_id})"


class Representation(models.Model):
    """H3: the attorney or accredited representative of record for a case (Form EOIR-28 on file, date),
    of the person's choosing at no expense to the Government. One of record at a time; a withdrawal or
    substitution ends it (the record stays). The docket and the case show who it is; each hearing records
    the counsel of record when it was held (``Hearing.counsel``)."""

    class Kind(models.TextChoices):
        ATTORNEY = "attorney", "Attorney"
        ACCREDITED = "accredited_representative", "Accredited representative"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="representations")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)
    organization = models.CharField(max_length=200, blank=True)
    eoir_id = models.CharField(max_length=32, blank=True, help_text="EOIR ID of the practitioner, if known.")
    phone = models.CharField(max_length=40, blank=True)
    eoir28_filed_on = models.DateField(help_text="The date the Form EOIR-28 was filed.")
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case_id", "eoir28_filed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_on__isnull=True),
                name="representation_one_of_record",
            ),
            models.CheckConstraint(name="representation_name_present", condition=~models.Q(name="")),
            models.CheckConstraint(
                name="representation_kind_valid",
                condition=models.Q(kind__in=["attorney", "accredited_representative"]),
            ),
            models.CheckConstraint(
                name="representation_ended_complete",
                condition=models.Q(ended_on__isnull=True, end_reason="")
                | (
                    models.Q(ended_on__isnull=False, ended_on__gte=models.F("eoir28_filed_on"))
                    & ~models.Q(end_reason="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}) for case {self.case_id}"


class Completion(models.Model):
    """What the immigration judge decided, completing the case (H4, H5; M1 and M3 read it).

    ``is_initial``: the case's first completion (M3 counts only these); a completion after a motion to
    reopen or a remand names that ``reopening`` and is not initial. A removal order may be appealed to the
    BIA: it is final (H4: ERO hand-off) when no appeal is possible or reserved, when a reserved appeal was
    not filed by the deadline, or when the BIA dismissed the appeal. An in-absentia order is final at once
    (a motion to reopen, not an appeal, is the remedy)."""

    class Decision(models.TextChoices):
        ASYLUM = "asylum", "Asylum granted"
        WITHHOLDING = "withholding", "Statutory withholding of removal granted"
        CAT_WITHHOLDING = (
            "cat_withholding",
            "Withholding of removal under the Convention Against Torture granted",
        )
        CAT_DEFERRAL = "cat_deferral", "Deferral of removal under the Convention Against Torture granted"
        REMOVAL_ORDER = "removal_order", "Order of removal"
        REMOVAL_IN_ABSENTIA = "removal_in_absentia", "Order of removal in absentia"
        VOLUNTARY_DEPARTURE = "voluntary_departure", "Voluntary departure"
        TERMINATION = "termination", "Proceedings terminated"
        DISMISSAL = "dismissal", "Proceedings dismissed"
        ADMIN_CLOSURE = "administrative_closure", "Administrative closure"
        OTHER = "other", "Other"

    class Appeal(models.TextChoices):
        NONE = "none", "No appeal (waived, or none possible)"
        RESERVED = "reserved", "Appeal reserved"
        FILED = "filed", "Appeal filed with the BIA"
        NOT_FILED = "not_filed", "Appeal reserved but not filed by the deadline"
        DECIDED = "decided", "Appeal decided by the BIA"

    class AppealOutcome(models.TextChoices):
        NONE = "", "—"
        DISMISSED = "dismissed", "Appeal dismissed: the decision stands"
        SUSTAINED = "sustained", "Appeal sustained: remanded to the immigration judge"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="completions")
    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, null=True, blank=True, related_name="completions"
    )
    decision = models.CharField(max_length=32, choices=Decision.choices)
    decided_on = models.DateField()
    is_initial = models.BooleanField(help_text="H5: the case's initial completion (M3 counts these only).")
    # The immigration court of the case's NTA (None without one), written when the decision is recorded: M1 and
    # M3 count completions by it, and reading it here spares them a join of every completion with every NTA
    # (M1 139 -> ~20 ms, M3 165 -> ~60 ms at 500k cases, 2026-12-04). An NTA's court is never changed after
    # it is served (hearings.services), so this stays the NTA's.
    court = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The court of the case's NTA (M1, M3 count by it).",
    )
    reopening = models.OneToOneField(
        "Reopening", on_delete=models.PROTECT, null=True, blank=True, related_name="completion_after"
    )
    appeal = models.CharField(max_length=16, choices=Appeal.choices, default=Appeal.NONE)
    appeal_due_on = models.DateField(null=True, blank=True, help_text="Reserved: the BIA filing deadline.")
    appeal_filed_on = models.DateField(null=True, blank=True)
    appeal_decided_on = models.DateField(null=True, blank=True)
    appeal_outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True, default="")
    reason = models.TextField(help_text="What the court staff recorded, e.g. the order's words.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    RELIEF = frozenset(
        {Decision.ASYLUM, Decision.WITHHOLDING, Decision.CAT_WITHHOLDING, Decision.CAT_DEFERRAL}
    )
    M1_RELIEF = frozenset({Decision.ASYLUM, Decision.WITHHOLDING, Decision.CAT_WITHHOLDING})
    REMOVAL = frozenset({Decision.REMOVAL_ORDER, Decision.REMOVAL_IN_ABSENTIA})

    class Meta:
        ordering = ["case_id", "decided_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(is_initial=True), name="completion_one_initial"
            ),
            # H5: initial exactly when it follows no reopening.
            models.CheckConstraint(
                name="completion_initial_iff_not_reopened",
                condition=models.Q(is_initial=True, reopening__isnull=True)
                | models.Q(is_initial=False, reopening__isnull=False),
            ),
            models.CheckConstraint(
                name="completion_decision_valid",
                condition=models.Q(
                    decision__in=[
                        "asylum",
                        "withholding",
                        "cat_withholding",
                        "cat_deferral",
                        "removal_order",
                        "removal_in_absentia",
                        "voluntary_departure",
                        "termination",
                        "dismissal",
                        "administrative_closure",
                        "other",
                    ]
                ),
            ),
            models.CheckConstraint(
                name="completion_appeal_valid",
                condition=models.Q(appeal__in=["none", "reserved", "filed", "not_filed", "decided"])
                & models.Q(appeal_outcome__in=["", "dismissed", "sustained"]),
            ),
            # An in-absentia order is not appealed (a motion to reopen is the remedy).
            models.CheckConstraint(
                name="completion_in_absentia_no_appeal",
                condition=~models.Q(decision="removal_in_absentia") | models.Q(appeal="none"),
            ),
            models.CheckConstraint(
                name="completion_appeal_dates",
                condition=(
                    models.Q(appeal="reserved", appeal_due_on__isnull=False) | ~models.Q(appeal="reserved")
                )
                & (
                    models.Q(appeal__in=["filed", "decided"], appeal_filed_on__isnull=False)
                    | ~models.Q(appeal__in=["filed", "decided"])
                )
                & (
                    models.Q(appeal="decided", appeal_decided_on__isnull=False) & ~models.Q(appeal_outcome="")
                    | ~models.Q(appeal="decided")
                    & models.Q(appeal_outcome="", appeal_decided_on__isnull=True)
                ),
            ),
            models.CheckConstraint(name="completion_has_reason", condition=~models.Q(reason="")),
        ]
        indexes = [
            # M1/M3: completions by date.
            models.Index(fields=["decided_on", "decision"], name="completion_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} in case {self.case_id} on {self.decided_on}"

    @property
    def is_relief(self) -> bool:
        return self.decision in self.RELIEF

    @property
    def is_removal_order(self) -> bool:
        return self.decision in self.REMOVAL


class Reopening(models.Model):
    """H5: a motion to reopen granted by the immigration judge, or a remand from the BIA: the completion
    it reopens stays, and the case goes back on the docket (status "reopened"). The next completion names
    it and is not initial."""

    class Kind(models.TextChoices):
        MOTION_TO_REOPEN = "motion_to_reopen", "Motion to reopen granted"
        REMAND = "remand", "Remanded by the BIA"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reopenings")
    completion = models.OneToOneField(Completion, on_delete=models.PROTECT, related_name="reopened_by")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    granted_on = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case_id", "granted_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="reopening_kind_valid", condition=models.Q(kind__in=["motion_to_reopen", "remand"])
            ),
            models.CheckConstraint(name="reopening_has_reason", condition=~models.Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in case {self.case_id} on {self.granted_on}"


class ObserverRequest(models.Model):
    """O1/O2: someone asked to observe proceedings at an immigration hearing facility — in person (O1), or
    a press outlet through DHS Public Affairs (O2) — for one hearing or a day; granted or refused case by
    case, by whom and why. A hearing closed for the person's sensitive matters is refused with that reason
    (``o1_closed_hearing``), never its details."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "Member of the public, in person (O1)"
        PRESS = "press", "Press, through DHS Public Affairs (O2)"

    class Decision(models.TextChoices):
        PENDING = "", "Not yet decided"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    facility = models.ForeignKey(HearingLocation, on_delete=models.PROTECT, related_name="observer_requests")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    requester_name = models.CharField(max_length=200)
    outlet = models.CharField(max_length=200, blank=True, help_text="O2: the press outlet.")
    public_affairs_contact = models.CharField(
        max_length=200, blank=True, help_text="O2: who at DHS Public Affairs coordinated the request."
    )
    asked_at = models.DateTimeField(default=timezone.now)
    for_day = models.DateField()
    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, null=True, blank=True, related_name="observer_requests"
    )
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True, default="")
    refusal_code = models.SlugField(max_length=48, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="observer_kind_valid", condition=models.Q(kind__in=["public", "press"])
            ),
            models.CheckConstraint(name="observer_name_present", condition=~models.Q(requester_name="")),
            models.CheckConstraint(
                name="observer_press_through_public_affairs",
                condition=~models.Q(kind="press")
                | (~models.Q(outlet="") & ~models.Q(public_affairs_contact="")),
            ),
            models.CheckConstraint(
                name="observer_decision_complete",
                condition=models.Q(
                    decision="", decided_by__isnull=True, decided_at__isnull=True, refusal_code=""
                )
                | (
                    models.Q(
                        decision__in=["granted", "refused"],
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                    )
                    & ~models.Q(decision_reason="")
                ),
            ),
            models.CheckConstraint(
                name="observer_refusal_code_only_refused",
                condition=models.Q(refusal_code="") | models.Q(decision="refused"),
            ),
        ]
        indexes = [models.Index(fields=["facility", "-asked_at", "-id"], name="observer_facility_idx")]

    def __str__(self) -> str:
        return f"Observer request by {self.requester_name} at {self.facility_id} for {self.for_day}"
