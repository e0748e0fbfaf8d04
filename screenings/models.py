"""Decisions about a person: intake drafts, the facts of the amenability screening (A2–A5, F2, F3, N3),
and the supervisor's amenability review (A3) with its per-member outcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import Alien, Case, Encounter, Language
from mpp.accounts.models import Location


class IntakeDraft(models.Model):
    """An intake in progress: the encounter and the family, member by member, before any record exists.

    ``data`` holds what the officer has typed so far (unvalidated): ``{"occurred_at": "...",
    "members": [{"a_number", "family_name", "given_names", "date_of_birth", "sex",
    "country_of_citizenship", "preferred_language", "relationship", "existing_alien_id",
    "dismissed": {alien_id: reason}}]}``, validated member by member as they are saved. Submitting
    validates everything again and creates the registry records in one transaction.
    """

    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        SUBMITTED = "submitted", "Submitted: cases created"
        ABANDONED = "abandoned", "Abandoned"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    data = models.JSONField(default=dict, blank=True)
    encounter = models.OneToOneField(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="intake_draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="intake_status_valid", condition=models.Q(status__in=["open", "submitted", "abandoned"])
            ),
            models.CheckConstraint(
                name="intake_submitted_has_encounter",
                condition=~models.Q(status="submitted") | models.Q(encounter__isnull=False),
            ),
        ]
        # "My drafts" and "Recently submitted by you": one user's drafts in a status, last saved first (the id
        # breaks ties, so a keyset page is one index range).
        indexes = [
            models.Index(fields=["created_by", "status", "-updated_at", "-id"], name="intake_owner_page_idx")
        ]

    def __str__(self) -> str:
        return f"Intake draft {self.pk}"


class DuplicateDismissal(models.Model):
    """At intake the officer looked at a possible duplicate and said it is someone else, and why."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="duplicate_dismissals")
    alien = models.ForeignKey(
        Alien, on_delete=models.PROTECT, related_name="+", help_text="The person registered."
    )
    candidate = models.ForeignKey(
        Alien, on_delete=models.PROTECT, related_name="+", help_text="Who they are not."
    )
    reason = models.TextField()
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["encounter", "alien", "candidate"], name="dismissal_once"),
            models.CheckConstraint(name="dismissal_has_reason", condition=~models.Q(reason="")),
            models.CheckConstraint(
                name="dismissal_not_self", condition=~models.Q(alien=models.F("candidate"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alien_id} is not {self.candidate_id} ({self.reason})"


class ScreeningFacts(models.Model):
    """What the officer found for one person (A2, A4, A5, F2, F3, N3). The system proposes from these;
    a supervisor decides (A3)."""

    class FitToTravel(models.TextChoices):
        NOT_ASSESSED = "not_assessed", "Not assessed by medical personnel"
        FIT = "fit", "Fit to travel (medical clearance)"
        NOT_FIT = "not_fit", "Not fit to travel"

    class MedicalOutcome(models.TextChoices):
        NONE = "", "No referral outcome yet"
        CLEARED = "cleared", "Seen and cleared"
        TREATED = "treated", "Treated on site and cleared"
        HOSPITAL = "hospital", "Transferred to hospital"
        NOT_FIT = "not_fit", "Found not fit to travel"

    class MexicanMemberChoice(models.TextChoices):
        NONE = "", "Not recorded"
        WITHDRAWAL_I275 = (
            "withdrawal_i275",
            "Voluntary withdrawal of the application for admission (Form I-275)",
        )
        VOLUNTARY_RETURN = "voluntary_return", "Voluntary return to Mexico with the family"

    class FearStatedBy(models.TextChoices):
        """F3/S1: who stated the fear — the person, or for a child a parent or legal guardian (so the mother's
        statement for her Mexican child is recorded on the child's record)."""

        NONE = "", "No fear stated"
        SELF = "self", "The person themselves"
        PARENT = "parent", "A parent, for the child"
        LEGAL_GUARDIAN = "legal_guardian", "A legal guardian, for the child"

    class Interpretation(models.TextChoices):
        NONE = "", "Not needed (officer fluent)"
        IN_PERSON = "in_person", "In-person interpreter"
        TELEPHONIC = "telephonic", "Telephonic interpreter"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="screening")
    # A2 facts
    expedited_removal = models.BooleanField(default=False, help_text="Processed for expedited removal.")
    returning_lpr = models.BooleanField(default=False, help_text="Returning LPR seeking admission.")
    parole = models.BooleanField(default=False, help_text="Holds advance parole or is in parole status.")
    criminal_history = models.BooleanField(
        default=False, help_text="Criminal history or history of violence."
    )
    gom_usg_interest = models.BooleanField(
        default=False, help_text="Government of Mexico or U.S. Government interest."
    )
    # F3 / S1: fear of return to Mexico stated (by the person, or by a parent for a child)
    fear_of_return_expressed = models.BooleanField(default=False)
    fear_stated_by = models.CharField(
        max_length=16,
        choices=FearStatedBy.choices,
        blank=True,
        help_text="Who stated the fear: the person, or a parent or legal guardian for a child. Blank without fear.",
    )
    # F2: the choice of a Mexican member of the family
    mexican_member_choice = models.CharField(max_length=20, choices=MexicanMemberChoice.choices, blank=True)
    # A4 / A5: medical
    fit_to_travel = models.CharField(
        max_length=16, choices=FitToTravel.choices, default=FitToTravel.NOT_ASSESSED
    )
    pregnancy_disclosed = models.BooleanField(default=False)
    prior_illness_disclosed = models.BooleanField(default=False)
    other_condition = models.CharField(max_length=500, blank=True)
    medical_referral = models.BooleanField(
        default=False,
        help_text="A5: referred to on-site medical staff (asked for it, or the officer saw it was warranted).",
    )
    medical_referral_outcome = models.CharField(max_length=16, choices=MedicalOutcome.choices, blank=True)
    # N3: language access
    officer_fluent = models.BooleanField(
        null=True, help_text="Is the officer fluent in the person's language?"
    )
    interpretation_mode = models.CharField(max_length=16, choices=Interpretation.choices, blank=True)
    interpretation_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case_id"]
        constraints = [
            # N3: an interpreter is recorded with its language, and only when the officer is not fluent.
            models.CheckConstraint(
                name="screening_interpretation_has_language",
                condition=models.Q(interpretation_mode="") | models.Q(interpretation_language__isnull=False),
            ),
            models.CheckConstraint(
                name="screening_no_interpreter_when_fluent",
                condition=~models.Q(officer_fluent=True) | models.Q(interpretation_mode=""),
            ),
            # F3/S1: who stated the fear is recorded only with a stated fear, and is one of the choices.
            models.CheckConstraint(
                name="screening_fear_stated_by_needs_fear",
                condition=models.Q(fear_stated_by="")
                | (
                    models.Q(fear_of_return_expressed=True)
                    & models.Q(fear_stated_by__in=["self", "parent", "legal_guardian"])
                ),
            ),
            # A5: an outcome only follows a referral.
            models.CheckConstraint(
                name="screening_outcome_needs_referral",
                condition=models.Q(medical_referral=True) | models.Q(medical_referral_outcome=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Screening of case {self.case_id}"


class AmenabilityReview(models.Model):
    """A family's screening submitted for the supervisor's decision (A3). At most one pending or decided per
    encounter; the supervisor may instead return it to the officer (``returned``), and the corrected
    screening is submitted as a new review. A decided review whose family is later back in screening, every
    member, is ``superseded`` when the family is submitted again: its decision stays on record (who, when,
    why, the member decisions) and the new review is the family's live one. ``decided_by``/``decided_at``/
    ``decision_reason`` record who closed the review, when and why, whether by deciding or by returning it.

    ``proposal`` is the system's proposal as it stood at submission (``screenings.rules.propose``, as
    JSON), so the supervisor and the audit see exactly what was proposed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting supervisor review"
        DECIDED = "decided", "Decided"
        RETURNED = "returned", "Returned to the officer for re-screening"
        SUPERSEDED = "superseded", "Decided, then superseded: the family was screened and submitted again"

    # Open (pending) or decided: at most one per encounter (constraint below). A returned or superseded
    # review stays as the record of why, and the resubmitted screening gets a new one.
    OPEN_OR_DECIDED = (Status.PENDING, Status.DECIDED)

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="amenability_reviews")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    proposal = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="review_status_valid",
                condition=models.Q(status__in=["pending", "decided", "returned", "superseded"]),
            ),
            models.UniqueConstraint(
                fields=["encounter"],
                condition=models.Q(status__in=["pending", "decided"]),
                name="review_one_live_per_encounter",
            ),
            models.CheckConstraint(
                name="review_decided_has_decider",
                condition=models.Q(status="pending")
                | (models.Q(decided_by__isnull=False) & models.Q(decided_at__isnull=False)),
            ),
            # A3 separation of duties, also in the database: the one who submitted cannot decide.
            models.CheckConstraint(
                name="review_decider_is_not_submitter",
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("submitted_by")),
            ),
        ]
        indexes = [
            # The supervisor's queue (A3): the pending reviews of a location in submission order, 50 a page by
            # keyset. Only pending rows are in it, so it stays as small as the queue however many are decided.
            models.Index(
                fields=["location", "submitted_at", "id"],
                name="review_queue_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"Amenability review {self.pk} ({self.get_status_display()})"


class MemberDecision(models.Model):
    """The outcome for one person of a decided review: the proposal, the final result, and any override."""

    class Override(models.TextChoices):
        NONE = "", "Proposal confirmed"
        EXCLUDE_DISCRETION = "exclude_discretion", "Excluded at the supervisor's discretion (A2 discretion)"
        EXCLUDE_HEALTH = "exclude_health", "Excluded on a case-by-case health decision (A4)"
        OVERRULE_HEALTH = "overrule_health", "Proposed health exclusion overruled (A4)"

    review = models.ForeignKey(AmenabilityReview, on_delete=models.PROTECT, related_name="decisions")
    # One per case and review: a family re-screened after its decision is decided again, in a new review.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="amenability_decisions")
    proposed_amenable = models.BooleanField()
    proposed_reasons = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    amenable = models.BooleanField()
    reasons = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    override = models.CharField(max_length=20, choices=Override.choices, blank=True)
    override_reason = models.TextField(blank=True)
    mexican_member_choice = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["review_id", "case_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "case"], name="decision_once_per_review"),
            models.CheckConstraint(
                name="decision_override_has_reason",
                condition=models.Q(override="") | ~models.Q(override_reason=""),
            ),
            models.CheckConstraint(
                name="decision_not_amenable_has_reason",
                condition=models.Q(amenable=True) | ~models.Q(reasons=[]),
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id}: {'amenable' if self.amenable else 'not amenable'}"


class FearClaim(models.Model):
    """S1: a person affirmatively stated a fear of persecution or torture in Mexico, or of return to Mexico,
    while in the U.S. — themselves, or a parent or legal guardian for a child. The claim IS the referral to
    USCIS: it owns the ``fear_claim`` hold (F4, S1/S4) and goes to the asylum office that serves the
    place it was stated. A fear stated at screening is this same record (``review`` names the screening
    review it came with), never a second one.

    Restricted (field-level, ``fear``): ``statement``. Everyone who reads the case sees that the claim
    exists, its status and, once concurred, its outcome.
    """

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred to USCIS: interview to schedule"
        SCHEDULED = "scheduled", "Interview scheduled"
        SUBMITTED = "submitted", "Assessed: awaiting supervisory review"
        RETURNED = "returned", "Returned to the asylum officer for correction"
        DECIDED = "decided", "Decided: assessment concurred"

    class Setting(models.TextChoices):
        SCREENING = "screening", "At the encounter, during amenability screening"
        ENCOUNTER = "encounter", "At the encounter (port or station)"
        HEARING_DAY = "hearing_day", "At the port on hearing day"
        COURT = "court", "In immigration court"
        CUSTODY = "custody", "In custody"

    class StatedBy(models.TextChoices):
        SELF = "self", "The person themselves"
        PARENT = "parent", "A parent, for the child"
        LEGAL_GUARDIAN = "legal_guardian", "A legal guardian, for the child"

    class Outcome(models.TextChoices):
        NONE = "", "Not decided"
        POSITIVE = "positive", "Positive: more likely than not to face persecution or torture in Mexico"
        NEGATIVE = "negative", "Negative"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fear_claims")
    hold = models.OneToOneField("cases.Hold", on_delete=models.PROTECT, related_name="fear_claim")
    review = models.ForeignKey(
        "AmenabilityReview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fear_claims",
        help_text="The screening review the fear was stated with, when stated at screening.",
    )
    stated_by = models.CharField(max_length=16, choices=StatedBy.choices)
    stated_by_alien = models.ForeignKey(
        Alien,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The parent or legal guardian who stated it for the child, when they are in the registry.",
    )
    stated_at = models.DateTimeField()
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", help_text="Where.")
    setting = models.CharField(max_length=16, choices=Setting.choices)
    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(blank=True, help_text="What was said, in brief (restricted: fear).")
    asylum_office = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="fear_claims")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REFERRED)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["stated_at", "id"]
        constraints = [
            # S1: one claim pending per person; a second statement is the same claim.
            models.UniqueConstraint(
                fields=["case"], condition=~models.Q(status="decided"), name="fear_claim_pending_once"
            ),
            models.CheckConstraint(
                name="fear_claim_status_valid",
                condition=models.Q(status__in=["referred", "scheduled", "submitted", "returned", "decided"]),
            ),
            models.CheckConstraint(
                name="fear_claim_setting_valid",
                condition=models.Q(setting__in=["screening", "encounter", "hearing_day", "court", "custody"]),
            ),
            models.CheckConstraint(
                name="fear_claim_stated_by_valid",
                condition=models.Q(stated_by__in=["self", "parent", "legal_guardian"]),
            ),
            # Only a parent or guardian states it for someone else.
            models.CheckConstraint(
                name="fear_claim_self_names_nobody_else",
                condition=~models.Q(stated_by="self") | models.Q(stated_by_alien__isnull=True),
            ),
            # S3/S4: decided exactly when an outcome is recorded.
            models.CheckConstraint(
                name="fear_claim_decided_has_outcome",
                condition=(
                    models.Q(status="decided", outcome__in=["positive", "negative"], decided_at__isnull=False)
                    | (~models.Q(status="decided") & models.Q(outcome="", decided_at__isnull=True))
                ),
            ),
        ]
        indexes = [
            # The asylum office's queue: by office and status, oldest first (keyset on stated_at, id).
            models.Index(fields=["asylum_office", "status", "stated_at", "id"], name="fear_claim_queue_idx"),
            models.Index(fields=["case", "stated_at"], name="fear_claim_case_idx"),
        ]

    def __str__(self) -> str:
        return f"fear claim {self.pk} of case {self.case_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status != self.Status.DECIDED


class FearAssessment(models.Model):
    """S2/S3: the asylum officer's MPP assessment interview and determination of one claim. It takes effect
    only when a supervisory asylum officer, not the assessor, concurs; a return for correction sends it
    back to the asylum officer with the reason (each version stays in the history).

    Restricted (field-level): ``account``, ``medical_notes`` and ``determination_reason`` (``interview``:
    USCIS only); ``grounds`` (``fear``).
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Interview scheduled"
        SUBMITTED = "submitted", "Awaiting supervisory review"
        RETURNED = "returned", "Returned for correction"
        CONCURRED = "concurred", "Concurred: in effect"

    class Determination(models.TextChoices):
        NONE = "", "Not determined"
        POSITIVE = "positive", "Positive: more likely than not to face persecution or torture in Mexico"
        NEGATIVE = "negative", "Negative: not more likely than not"

    class Ground(models.TextChoices):
        RACE = "race", "Race"
        RELIGION = "religion", "Religion"
        NATIONALITY = "nationality", "Nationality"
        SOCIAL_GROUP = "social_group", "Membership in a particular social group"
        POLITICAL_OPINION = "political_opinion", "Political opinion"
        TORTURE = "torture", "Torture"

    class Interpretation(models.TextChoices):
        NONE = "", "No interpreter (the interview proceeded in a language both share)"
        IN_PERSON = "in_person", "In-person interpreter"
        TELEPHONIC = "telephonic", "Telephonic interpreter"

    claim = models.OneToOneField(FearClaim, on_delete=models.PROTECT, related_name="assessment")
    asylum_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Who interviews."
    )
    interview_at = models.DateTimeField(help_text="When the interview is scheduled.")
    interview_held_at = models.DateTimeField(null=True, blank=True)
    interview_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    interpretation_mode = models.CharField(max_length=16, choices=Interpretation.choices, blank=True)
    interpreter_id = models.CharField(
        max_length=100, blank=True, help_text="S2: the interpreter's name or ID number."
    )
    counsel_present_by_phone = models.BooleanField(default=False, help_text="S2: retained counsel by phone.")
    counsel_name = models.CharField(max_length=200, blank=True)
    account = models.TextField(blank=True, help_text="The person's account (restricted: USCIS only).")
    medical_notes = models.TextField(blank=True, help_text="Medical details disclosed (USCIS only).")
    determination = models.CharField(max_length=16, choices=Determination.choices, blank=True)
    grounds = ArrayField(models.CharField(max_length=20, choices=Ground.choices), default=list, blank=True)
    determination_reason = models.TextField(blank=True, help_text="S3: the analysis (USCIS only).")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True, help_text="The concurrence note or the return's reason.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["interview_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="fear_assessment_status_valid",
                condition=models.Q(status__in=["scheduled", "submitted", "returned", "concurred"]),
            ),
            models.CheckConstraint(
                name="fear_assessment_grounds_valid",
                condition=models.Q(
                    grounds__contained_by=[
                        "race",
                        "religion",
                        "nationality",
                        "social_group",
                        "political_opinion",
                        "torture",
                    ]
                ),
            ),
            # S3: a positive determination names at least one ground; a negative names none.
            models.CheckConstraint(
                name="fear_assessment_grounds_match",
                condition=models.Q(determination="", grounds=[])
                | models.Q(determination="negative", grounds=[])
                | (models.Q(determination="positive") & ~models.Q(grounds=[])),
            ),
            # S2: an interpreter is recorded with the interview language.
            models.CheckConstraint(
                name="fear_assessment_interpreter_has_language",
                condition=models.Q(interpretation_mode="") | models.Q(interview_language__isnull=False),
            ),
            # S3: submitted or concurred only with the interview held and the determination made.
            models.CheckConstraint(
                name="fear_assessment_submitted_complete",
                condition=~models.Q(status__in=["submitted", "concurred"])
                | (
                    models.Q(
                        interview_held_at__isnull=False, assessed_by__isnull=False, assessed_at__isnull=False
                    )
                    & models.Q(determination__in=["positive", "negative"])
                ),
            ),
            # S3: in effect only with a supervisory concurrence by someone other than the assessor.
            models.CheckConstraint(
                name="fear_assessment_concurred_by_another",
                condition=~models.Q(status="concurred")
                | (
                    models.Q(reviewed_by__isnull=False, reviewed_at__isnull=False)
                    & ~models.Q(reviewed_by=models.F("assessed_by"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"assessment of fear claim {self.claim_id} ({self.status})"
