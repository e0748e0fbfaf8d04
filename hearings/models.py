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
                condition=models.Q(status__in=["scheduled", "rescheduled", "continued"]),
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
            models.Index(fields=["hearing_location", "starts_at", "id"], name="hearing_docket_idx"),
            models.Index(fields=["case", "starts_at"], name="hearing_case_idx"),
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
