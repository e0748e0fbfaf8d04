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
