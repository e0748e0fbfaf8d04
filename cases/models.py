"""The registry (people, families, encounters) and the case with its one status machine."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from mpp.accounts.models import Location
from mpp.exceptions import IllegalTransition


class Language(models.Model):
    """A language people speak, and whether tear sheets exist in it (N1a: the set is data, not code)."""

    code = models.SlugField(max_length=16, unique=True, help_text="ISO 639 code, e.g. es, pt, ht, quc.")
    name = models.CharField(max_length=100)
    tear_sheet_available = models.BooleanField(
        default=False, help_text="N1/N1a: a tear sheet can be printed in this language."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def full_name(given_names: str, family_name: str) -> str:
    """A person's name as lists show it: given names, then family name (``Alien.full_name``; the lists that
    read plain values call this with the two columns)."""
    return f"{given_names} {family_name}"


class Alien(models.Model):
    """A person processed by the program ("alien" is the statute's word). Found by A-number (N2)."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown / not stated"

    a_number = models.CharField(
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text="N2: A followed by nine digits. Empty until one is assigned.",
    )
    family_name = models.CharField(max_length=150)
    given_names = models.CharField(max_length=150)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    country_of_citizenship = CountryField(help_text="ISO 3166-1 alpha-2.")
    preferred_language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The words of the names, lower case, accents and punctuation removed, computed by the database
    # (``mpp_name_words``, a trigger of migration 0009) on every write of the row, whatever Django writes
    # here, so they never disagree with the names. (Not a GeneratedField: its system check needs a database
    # connection, and `manage.py check` must run without one.) Each case carries a copy (``Case.name_words``)
    # for name search; not in the history (derived).
    name_words = ArrayField(models.TextField(), default=list, editable=False)
    family_words = ArrayField(models.TextField(), default=list, editable=False)

    history = HistoricalRecords(excluded_fields=["name_words", "family_words"])

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        constraints = [
            models.CheckConstraint(
                name="alien_a_number_format", condition=models.Q(a_number__regex=r"^A[0-9]{9}$")
            ),
            models.CheckConstraint(name="alien_dob_not_future", condition=models.Q(date_of_birth__lte=Now())),
            models.CheckConstraint(
                name="alien_dob_plausible", condition=models.Q(date_of_birth__gte="1900-01-01")
            ),
            models.CheckConstraint(name="alien_sex_valid", condition=models.Q(sex__in=["F", "M", "U"])),
            models.CheckConstraint(
                name="alien_names_present", condition=~models.Q(family_name="") & ~models.Q(given_names="")
            ),
        ]
        indexes = [
            GinIndex(name="alien_family_name_trgm", fields=["family_name"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="alien_given_names_trgm", fields=["given_names"], opclasses=["gin_trgm_ops"]),
            models.Index(fields=["date_of_birth"], name="alien_dob_idx"),  # duplicate detection
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"

    @property
    def full_name(self) -> str:
        return full_name(self.given_names, self.family_name)


class NameWord(models.Model):
    """Every word that occurs in a registered person's names (``Alien.name_words``), once: the dictionary
    fuzzy name search matches a typed word against (trigram similarity or prefix), so a misspelled common
    surname is scored against a few thousand distinct words instead of hundreds of thousands of people.
    Filled by statement triggers on cases_alien (migration 0009); words are never removed (a word nobody
    has any more matches nobody)."""

    word = models.TextField(primary_key=True)

    class Meta:
        indexes = [GinIndex(name="nameword_word_trgm", fields=["word"], opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word


class FamilyUnit(models.Model):
    """People encountered together. A single adult is a family of one, so the family rules (F1–F6) read
    the same for everyone."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Family unit {self.pk}"


class FamilyMember(models.Model):
    """A person's place in a family unit, stated relative to the head of the unit."""

    class Relationship(models.TextChoices):
        HEAD = "head", "Head of the family unit"
        PARENT = "parent", "Parent of the head"
        CHILD = "child", "Child of the head"
        SPOUSE = "spouse", "Spouse of the head"
        SIBLING = "sibling", "Sibling of the head"
        LEGAL_GUARDIAN = "legal_guardian", "Legal guardian of the head"
        OTHER = "other", "Other relative or companion"

    family_unit = models.ForeignKey(FamilyUnit, on_delete=models.PROTECT, related_name="members")
    alien = models.ForeignKey(Alien, on_delete=models.PROTECT, related_name="family_memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_unit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["family_unit", "alien"], name="family_member_once"),
            models.UniqueConstraint(
                fields=["family_unit"], condition=models.Q(relationship="head"), name="family_one_head"
            ),
            models.CheckConstraint(
                name="family_member_relationship_valid",
                condition=models.Q(
                    relationship__in=[
                        "head",
                        "parent",
                        "child",
                        "spouse",
                        "sibling",
                        "legal_guardian",
                        "other",
                    ]
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alien} ({self.get_relationship_display()})"


class Encounter(models.Model):
    """When and where CBP met a family unit: at a port of entry (OFO) or between ports (USBP)."""

    class Component(models.TextChoices):
        OFO = "OFO", "Office of Field Operations (at a port of entry)"
        USBP = "USBP", "U.S. Border Patrol (between ports of entry)"

    occurred_at = models.DateTimeField()
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="encounters")
    component = models.CharField(max_length=4, choices=Component.choices)
    family_unit = models.ForeignKey(FamilyUnit, on_delete=models.PROTECT, related_name="encounters")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="encounter_component_valid", condition=models.Q(component__in=["OFO", "USBP"])
            ),
        ]
        indexes = [
            models.Index(fields=["location", "-occurred_at", "-id"], name="encounter_location_recent_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="encounter_recent_idx"),  # national lists
            # A location-scoped user's family units (cases.selectors.family_units_visible_to probes this).
            models.Index(fields=["family_unit", "location"], name="encounter_family_location_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} at {self.location} on {self.occurred_at:%Y-%m-%d}"


class CaseStatus(models.TextChoices):
    """Where the case is in the program, and nothing else. What is blocked, and why, is a hold (``Hold``)."""

    SCREENING = "screening", "Screening in progress"
    AWAITING_REVIEW = "awaiting_review", "Awaiting supervisor review of amenability"
    AMENABLE = "amenable", "Amenable: ready for the NTA"
    NOT_AMENABLE = "not_amenable", "Not amenable to MPP"
    ENROLLED = "enrolled", "Enrolled: NTA served"
    IN_MEXICO = "in_mexico", "In Mexico awaiting hearing"
    IN_US_FOR_HEARING = "in_us_for_hearing", "In the U.S. for a hearing"
    REMOVED_FROM_MPP = "removed_from_mpp", "Removed from MPP (240 proceedings continue in the U.S.)"
    COMPLETED_RELIEF = "completed_relief", "Completed: relief or protection granted"
    COMPLETED_REMOVAL_ORDER = "completed_removal_order", "Completed: final order of removal"
    COMPLETED_OTHER = "completed_other", "Completed: other outcome (terminated, voluntary departure …)"
    HANDED_TO_ICE = "handed_to_ice", "Handed over to ICE ERO"
    REOPENED = "reopened", "Reopened (motion to reopen or remand)"


S = CaseStatus
_COMPLETIONS = (S.COMPLETED_RELIEF, S.COMPLETED_REMOVAL_ORDER, S.COMPLETED_OTHER)

# THE transition table: the only moves a case may make. Checked in one place (Case.check_transition).
# Who makes each move, and where, is the edge registry (cases.registry): one entry per (from, to).
# A pending fear claim is not a status but a hold (S1/F4): it blocks moves without changing where the
# case is, so releasing it leaves the case exactly where it stood.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SCREENING: frozenset({S.AWAITING_REVIEW}),
    # A3: the supervisor confirms or excludes, or sends the screening back to the officer.
    S.AWAITING_REVIEW: frozenset({S.AMENABLE, S.NOT_AMENABLE, S.SCREENING}),
    # S4: a positive fear assessment before enrolment makes the person not amenable (A2 fear_of_mexico).
    S.AMENABLE: frozenset({S.ENROLLED, S.NOT_AMENABLE}),
    S.NOT_AMENABLE: frozenset(),
    # N1: NTA served; the person is returned to Mexico with a tear sheet.
    S.ENROLLED: frozenset({S.IN_MEXICO, S.REMOVED_FROM_MPP}),
    # H1: reports to the port for a hearing; an in-absentia order can complete the case while in Mexico.
    S.IN_MEXICO: frozenset({S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, *_COMPLETIONS}),
    S.IN_US_FOR_HEARING: frozenset({S.IN_MEXICO, S.REMOVED_FROM_MPP, *_COMPLETIONS}),
    S.REMOVED_FROM_MPP: frozenset({*_COMPLETIONS}),
    # H4: a final order of removal hands the person to ICE ERO; H5: completions may be reopened.
    S.COMPLETED_RELIEF: frozenset({S.REOPENED}),
    S.COMPLETED_REMOVAL_ORDER: frozenset({S.HANDED_TO_ICE, S.REOPENED}),
    S.COMPLETED_OTHER: frozenset({S.REOPENED}),
    S.HANDED_TO_ICE: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_MEXICO, S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, *_COMPLETIONS}),
}

# A case in any other status is open: the person is still in the process (reopened included).
CASE_CLOSED_STATUSES = frozenset(
    {
        S.NOT_AMENABLE,
        S.REMOVED_FROM_MPP,
        S.COMPLETED_RELIEF,
        S.COMPLETED_REMOVAL_ORDER,
        S.COMPLETED_OTHER,
        S.HANDED_TO_ICE,
    }
)

# Statuses no longer in the table, kept so old timeline entries still read in words.
LEGACY_STATUS_LABELS = {
    "fear_claim_pending": "Fear claim pending (a former status; now a hold on the case)",
}


def status_label(code: str) -> str:
    """The plain label of a status code, also for a code that is no longer a status."""
    if code in CaseStatus.values:
        return str(CaseStatus(code).label)
    return LEGACY_STATUS_LABELS.get(code, code)


class Case(models.Model):
    """One person's MPP case arising from one encounter."""

    Status = CaseStatus

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="cases")
    alien = models.ForeignKey(Alien, on_delete=models.PROTECT, related_name="cases")
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The port or station responsible for the case (where it was encountered).",
    )
    # H1: the port of entry where the person reports for their next hearing (set by the hearings app when
    # a hearing is booked or moved). CBP officers posted there see the case on hearing day, wherever it was
    # encountered (``cases.selectors.case_is_visible_to``).
    reporting_port = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Where the person reports for their next hearing (H1).",
    )
    status = models.CharField(max_length=32, choices=CaseStatus.choices, default=CaseStatus.SCREENING)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The person's ``Alien.name_words`` and ``family_words``, copied by the database (triggers of migration
    # 0010: on every write of the case, and when the person's names change), whatever Django writes here.
    # On the case so that name search filters, scopes by location and orders by recency on one table, with
    # one GIN index on (location, words). Not in the history (derived from the person's names).
    name_words = ArrayField(models.TextField(), default=list, editable=False)
    family_words = ArrayField(models.TextField(), default=list, editable=False)

    history = HistoricalRecords(excluded_fields=["name_words", "family_words"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["alien", "encounter"], name="case_one_per_person_per_encounter"),
            models.CheckConstraint(
                name="case_status_valid", condition=models.Q(status__in=CaseStatus.values)
            ),
        ]
        indexes = [
            models.Index(fields=["location", "status", "-created_at"], name="case_location_status_idx"),
            models.Index(fields=["status", "-created_at"], name="case_status_idx"),
            # The default order of every case list (home page, API): newest first, the id breaking ties.
            # Without it the first page was a full scan and sort (52 ms at 100k cases).
            # With the name words included, name search walks it newest first and tests the words in the
            # index itself (an index-only scan) when a name is common; a rare name is found by the GIN below.
            models.Index(
                fields=["-created_at", "-id"],
                include=["name_words", "family_words"],
                name="case_recent_words_idx",
            ),
            # Case id → person, read from the index alone: M2 counts each person once over ~51k fear claims at
            # 500k cases, and reading cases_case's heap for each claim's person was most of it (API M2 188 ms
            # p50 without this index, 106 ms with it; 2026-12-04, a vacuumed table).
            models.Index(fields=["id"], include=["alien"], name="case_alien_cover_idx"),
            # A location-scoped user's cases, newest first (home page, API list, name search as above).
            models.Index(
                fields=["location", "-created_at", "-id"],
                include=["name_words", "family_words"],
                name="case_location_recent_words_idx",
            ),
            # The supervisor's queue on the home page: awaiting review at a location, longest waiting first.
            models.Index(
                fields=["location", "status_changed_at", "id"],
                condition=models.Q(status="awaiting_review"),
                name="case_awaiting_review_idx",
            ),
            # Name search (cases.selectors.case_search): GIN on (location, words), btree_gin for the location;
            # also used for the words alone (national roles).
            GinIndex(fields=["location", "name_words"], name="case_name_words_idx"),
            # Whether a person has a case at a location (cases.selectors.aliens_visible_to probes this).
            models.Index(fields=["location", "alien"], name="case_location_alien_idx"),
            GinIndex(fields=["location", "family_words"], name="case_family_words_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} — {self.alien}"

    @staticmethod
    def check_transition(current: str, target: str) -> None:
        """Raise IllegalTransition unless the table allows ``current`` → ``target``."""
        if target not in TRANSITIONS.get(current, frozenset()):
            raise IllegalTransition(
                f"A case cannot move from “{CaseStatus(current).label}” ({current}) "
                f"to “{CaseStatus(target).label}” ({target}).",
            )

    def allowed_next_statuses(self) -> list[CaseStatus]:
        return [CaseStatus(s) for s in CaseStatus.values if s in TRANSITIONS[self.status]]


class Hold(models.Model):
    """Something that blocks moves of a case (and maybe of its family), and why — without changing where
    the case is. Its kind (``cases.registry.HoldKind``, registered by the app that owns it) says which
    moves it blocks, under which rule, and who opens and releases it. Releasing it changes no status.

    Example: a pending fear claim (S1) blocks the claimant's amenability decision and enrolment until the
    assessment is concurred (S4), and the return to Mexico of every member of the family unit (F4).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="holds")
    kind = models.SlugField(max_length=48, help_text="A kind registered in cases.registry, e.g. fear_claim.")
    rule = models.CharField(max_length=8, help_text="The RULES.md id the hold enforces, e.g. S1.")
    reason = models.TextField()
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", help_text="Where it was opened."
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)
    outcome = models.SlugField(max_length=32, blank=True, help_text="How it ended, e.g. negative.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            # One open hold of a kind per case: opening it again is a no-op in the service.
            models.UniqueConstraint(
                fields=["case", "kind"], condition=models.Q(released_at__isnull=True), name="hold_open_once"
            ),
            models.CheckConstraint(name="hold_has_reason", condition=~models.Q(reason="")),
            models.CheckConstraint(
                name="hold_release_complete",
                condition=(
                    models.Q(
                        released_at__isnull=True, released_by__isnull=True, release_reason="", outcome=""
                    )
                    | (
                        models.Q(released_at__isnull=False, released_by__isnull=False)
                        & ~models.Q(release_reason="")
                    )
                ),
            ),
            models.CheckConstraint(
                name="hold_released_after_opened",
                condition=models.Q(released_at__isnull=True)
                | models.Q(released_at__gte=models.F("opened_at")),
            ),
        ]
        indexes = [
            models.Index(fields=["case"], name="hold_open_idx", condition=models.Q(released_at__isnull=True)),
        ]

    def __str__(self) -> str:
        state = "open" if self.released_at is None else "released"
        return f"{self.kind} hold on case {self.case_id} ({state})"

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class HoldExemption(models.Model):
    """F4's exception: an independent basis to separate one member from the family, recorded by a CBP
    supervisor with a reason. It lifts what one hold blocks for the *other* members (``blocks_family``) for
    that member only; the claimant's own hold and every other member stay as they were."""

    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, related_name="exemptions")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="hold_exemptions", help_text="The member separated."
    )
    reason = models.TextField(help_text="The independent basis to separate this member (F4).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hold", "case"], name="hold_exemption_once"),
            models.CheckConstraint(name="hold_exemption_has_reason", condition=~models.Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} separated from hold {self.hold_id}"


# A referral is open (on ICE's queue, a determination due) until ICE records the first determination or the
# referral is withdrawn — the person was granted relief or protection and stays in the U.S. (F6/H4). The one
# definition: the queue, the custody page, the services, the unique constraint and the partial index use it.
OPEN_REFERRAL = models.Q(determined_at__isnull=True, withdrawn_at__isnull=True)


class CustodyReferral(models.Model):
    """S4, F6: a person ICE must make a case-by-case custody determination for — removed from MPP or not
    processed for it (S4), or a family member not granted relief when another was (F6). Open
    (``OPEN_REFERRAL``) until ICE records the first determination, or until it is withdrawn because the
    person was granted relief themselves (F6/H4: they stay in the U.S.; no determination is due). The ICE
    queue lists open ones."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="custody_referrals")
    rule = models.CharField(max_length=8, help_text="The RULES.md id that asks for it, e.g. S4.")
    code = models.SlugField(
        max_length=48, help_text="Why, e.g. fear_of_mexico or family_member_fear_positive."
    )
    reason = models.TextField()
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where the person is (the case's port).",
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)
    determined_at = models.DateTimeField(null=True, blank=True, help_text="When ICE first decided.")
    # Withdrawn: no determination is due any more (F6/H4: the person was granted relief). Database defaults,
    # so the scale generator's INSERTs that name only the older columns still work.
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was withdrawn (no determination due)."
    )
    withdrawn_reason = models.TextField(blank=True, default="", db_default="")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=OPEN_REFERRAL,
                name="custody_referral_open_once",
            ),
            models.CheckConstraint(name="custody_referral_has_reason", condition=~models.Q(reason="")),
            models.CheckConstraint(
                name="custody_referral_determined_after",
                condition=models.Q(determined_at__isnull=True)
                | models.Q(determined_at__gte=models.F("referred_at")),
            ),
            # Closed one way only: determined by ICE, or withdrawn — never both.
            models.CheckConstraint(
                name="custody_referral_withdrawn_or_determined",
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(determined_at__isnull=True),
            ),
            models.CheckConstraint(
                name="custody_referral_withdrawn_has_reason",
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawn_reason=""),
            ),
            models.CheckConstraint(
                name="custody_referral_withdrawn_after",
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("referred_at")),
            ),
        ]
        indexes = [
            # The ICE queue: open referrals, oldest first (keyset on referred_at, id).
            models.Index(
                fields=["referred_at", "id"],
                name="custody_referral_open_idx",
                condition=OPEN_REFERRAL,
            ),
            models.Index(fields=["location", "referred_at", "id"], name="custody_referral_loc_idx"),
        ]

    def __str__(self) -> str:
        return f"custody referral of case {self.case_id} ({self.code})"

    @property
    def is_open(self) -> bool:
        """``OPEN_REFERRAL`` on this row: neither determined nor withdrawn."""
        return self.determined_at is None and self.withdrawn_at is None


class CustodyDetermination(models.Model):
    """ICE's custody determination for one person (S4, F6): detain, parole, release on recognizance
    or other, with the reason. A revisit records a new determination; the earlier one stays, superseded."""

    class Decision(models.TextChoices):
        DETAIN = "detain", "Detain"
        PAROLE = "parole", "Parole"
        RECOGNIZANCE = "recognizance", "Release on recognizance"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="custody_determinations")
    referral = models.ForeignKey(
        CustodyReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="determinations"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(is_current=True), name="custody_one_current"
            ),
            models.CheckConstraint(name="custody_has_reason", condition=~models.Q(reason="")),
            models.CheckConstraint(
                name="custody_decision_valid",
                condition=models.Q(decision__in=["detain", "parole", "recognizance", "other"]),
            ),
        ]
        indexes = [models.Index(fields=["decided_at", "id"], name="custody_decided_idx")]

    def __str__(self) -> str:
        return f"custody of case {self.case_id}: {self.decision}"


class Sensitivity(models.TextChoices):
    """Kinds of content only some roles may read (mpp.accounts.roles.DETAIL_ROLES)."""

    MEDICAL = "medical", "medical"
    FEAR = "fear", "fear"
    INTERVIEW = "interview", "USCIS interview"


class EroHandoff(models.Model):
    """H4: a final order of removal hands the person over to ICE Enforcement and Removal Operations.

    Created *due* by the hearings app when a removal order becomes final (no appeal, the appeal deadline
    passed, or the BIA dismissed the appeal; an in-absentia order at once): ICE officers at the location
    are notified and see it on their queue. *Recorded* when the person is handed over (who, when, where,
    the ERO officer who took custody): the case moves to "handed to ICE ERO". A reopening before the
    hand-off cancels it; one due or recorded per order (``order_ref``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ero_handoffs")
    order_ref = models.CharField(
        max_length=64, help_text="The final order it carries out, e.g. completion:123 (the hearings app)."
    )
    ordered_on = models.DateField(help_text="The date of the order of removal.")
    final_on = models.DateField(help_text="The date the order became final.")
    order_words = models.TextField(help_text="The order in plain words, as the ICE queue shows it.")
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where ICE is notified: the case's port, or where the person was heard.",
    )
    due_at = models.DateTimeField(default=timezone.now)
    handed_at = models.DateTimeField(null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handed_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where handed over.",
    )
    received_by_name = models.CharField(
        max_length=200, blank=True, help_text="The ICE ERO officer who took custody."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, help_text="The order was reopened first.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order_ref"], name="ero_handoff_once_per_order"),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(handed_at__isnull=True, cancelled_at__isnull=True),
                name="ero_handoff_one_due_per_case",
            ),
            models.CheckConstraint(
                name="ero_handoff_recorded_complete",
                condition=models.Q(
                    handed_at__isnull=True, handed_by__isnull=True, handed_location__isnull=True
                )
                | models.Q(
                    handed_at__isnull=False,
                    handed_by__isnull=False,
                    handed_location__isnull=False,
                    cancelled_at__isnull=True,
                )
                & ~models.Q(received_by_name=""),
            ),
            models.CheckConstraint(
                name="ero_handoff_final_after_order", condition=models.Q(final_on__gte=models.F("ordered_on"))
            ),
            models.CheckConstraint(name="ero_handoff_order_present", condition=~models.Q(order_ref="")),
        ]
        indexes = [
            # ICE's queue: hand-offs due at a location, oldest first.
            models.Index(
                fields=["location", "due_at", "id"],
                condition=models.Q(handed_at__isnull=True, cancelled_at__isnull=True),
                name="ero_handoff_due_idx",
            ),
            # ICE officers see every location's: the same order over all of them (at 500k cases, 100k due:
            # without it a parallel scan and a sort, 96 ms).
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(handed_at__isnull=True, cancelled_at__isnull=True),
                name="ero_handoff_due_all_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"ERO hand-off of case {self.case_id} ({self.order_ref})"


class CaseEvent(models.Model):
    """One thing that happened to a case: the case's timeline. Append-only (a database trigger refuses
    UPDATE and DELETE). Every write service records one in its transaction; apps add event types
    (``cases.registry.event_type_register``) without ``cases`` importing them.

    ``sensitivities`` names the kinds of restricted content the reason and data carry: a reader without
    a role for each of them sees that the event happened, not its content (``cases.selectors``).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(
        max_length=64, help_text="e.g. status.changed, hold.opened, screening.facts_saved"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    sensitivities = ArrayField(models.CharField(max_length=16, choices=Sensitivity.choices), default=list)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="case_event_subject_complete",
                condition=models.Q(subject_type__isnull=True, subject_id__isnull=True)
                | models.Q(subject_type__isnull=False, subject_id__isnull=False),
            ),
            models.CheckConstraint(
                name="case_event_sensitivities_valid",
                condition=models.Q(sensitivities__contained_by=Sensitivity.values),
            ),
            models.CheckConstraint(name="case_event_type_present", condition=~models.Q(type="")),
        ]
        indexes = [models.Index(fields=["case", "occurred_at", "id"], name="case_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.type} on case {self.case_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
