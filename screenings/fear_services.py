"""Every write of a fear claim (S1-S4, F3-F5): the claim and its referral to USCIS, the assessment
interview, the supervisory review, and what a concurred assessment does to the person and their family.

A claim owns the ``fear_claim`` hold (``screenings.workflow.FEAR_CLAIM``): opening it refuses the
claimant's amenability decision and enrolment and the return to Mexico of every member (F4); only the
concurrence releases it. A concurred positive assessment moves every member's case in one transaction,
with the family unit locked, through the edges this workflow owns (``FEAR_ASSESSMENT``).

Locks, always in this order: the family unit row, the cases (id order), the claim, its assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases.exceptions import CaseNotFound, ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import CASE_CLOSED_STATUSES, Alien, Case, CaseStatus, Language
from cases.rules import age_on, local_day
from cases.selectors import CONTENT_OFFICE_KEY
from cases.services import (
    case_event_record,
    case_move,
    custody_refer,
    hold_open,
    hold_release,
    lock_family_and_case,
    require_reason,
)
from cases.subscribers import local_time_words
from mpp.accounts.models import Location, User
from mpp.accounts.roles import roles_in_words
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit
from screenings.fear_selectors import assessed_by_user, asylum_officers_of, works_at_office
from screenings.models import AmenabilityReview, FearAssessment, FearClaim
from screenings.rules import EXCLUSIONS, MEXICO
from screenings.workflow import (
    ASSESS_ROLES,
    CONCUR_ROLES,
    FEAR_ASSESSMENT,
    FEAR_CLAIM,
    FEAR_CLAIM_OPEN_ROLES,
)

S = CaseStatus
ADULT_AGE = 18
# A clock a little ahead of the server's is not "the future".
CLOCK_SKEW = dt.timedelta(minutes=5)
# S1: a claim is recorded while the person may still be returned under MPP. Someone not processed for
# MPP, removed from it or whose proceedings are complete is not returned under MPP: nothing to hold.
CLAIM_REFUSED_STATUSES = CASE_CLOSED_STATUSES
# What a concurred positive assessment does to each member, by where their case is (S4, F3, F5).
NOT_PROCESSED_FROM = frozenset({S.AMENABLE})
REMOVED_FROM = frozenset({S.ENROLLED, S.IN_MEXICO, S.IN_US_FOR_HEARING, S.REOPENED})
DECIDED_BY_REVIEW = frozenset({S.SCREENING, S.AWAITING_REVIEW})
# F3: the family statuses in which a Mexican member's fear still concerns the family's place in MPP.
F3_FAMILY_IN_MPP = frozenset({S.AMENABLE, S.ENROLLED, S.IN_MEXICO, S.IN_US_FOR_HEARING, S.REOPENED})


def _f3_mexican_member_of_family_in_mpp(case: Case) -> bool:
    """F3: a Mexican member of a mixed family is not amenable (A2 ``mexican_national``) but goes back to
    Mexico with the family (F2); their fear — or a parent's for a Mexican child — concerns the whole family
    in MPP, so it is recorded although their own case is "not amenable"."""
    if case.status != S.NOT_AMENABLE or str(case.alien.country_of_citizenship).upper() != MEXICO:
        return False
    return (
        Case.objects.filter(
            encounter__family_unit_id=case.encounter.family_unit_id, status__in=F3_FAMILY_IN_MPP
        )
        .exclude(pk=case.pk)
        .exists()
    )


def _aware(value: dt.datetime | None, *, field: str, label: str) -> dt.datetime:
    if value is None:
        raise InvalidInput(f"Give {label}.", field=field)
    if timezone.is_naive(value):
        raise InvalidInput(f"{label.capitalize()} needs its time zone.", field=field)
    return value


def _not_future(value: dt.datetime, *, field: str, label: str) -> None:
    if value > timezone.now() + CLOCK_SKEW:
        raise InvalidInput(f"{label.capitalize()} cannot be in the future.", field=field)


def _choice(value: str, choices: Sequence[str], *, field: str, what: str) -> str:
    value = (value or "").strip()
    if value not in choices:
        raise InvalidInput(f"Choose {what}: {', '.join(choices)}.", field=field)
    return value


# --- the claim (S1) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimInput:
    """What an officer records when a person states a fear (S1)."""

    stated_by: str
    location_id: int
    setting: str
    language_id: int | None
    stated_at: dt.datetime | None = None
    stated_by_alien_id: int | None = None
    statement: str = ""


def _validate_stated_by(
    *, case: Case, data: ClaimInput, stated_at: dt.datetime, location: Location
) -> Alien | None:
    """S1/F3: an adult states their own fear; for a child, the child or a parent or legal guardian, who
    (when named) is a member of the same family unit. Raises InvalidInput naming the field."""
    who = _choice(data.stated_by, FearClaim.StatedBy.values, field="stated_by", what="who stated the fear")
    alien = case.alien
    age = age_on(alien.date_of_birth, local_day(stated_at, location.time_zone))
    if who == FearClaim.StatedBy.SELF:
        if data.stated_by_alien_id:
            raise InvalidInput(
                "Name a parent or guardian only when they stated the fear for the child.",
                field="stated_by_alien",
            )
        return None
    if age >= ADULT_AGE:
        raise InvalidInput(
            f"{alien.full_name} is {age}: a parent or legal guardian states the fear on behalf of a child only.",
            field="stated_by",
        )
    if not data.stated_by_alien_id:
        return None
    if data.stated_by_alien_id == alien.pk:
        raise InvalidInput("The parent or guardian is someone other than the child.", field="stated_by_alien")
    parent = Alien.objects.filter(
        pk=data.stated_by_alien_id, family_memberships__family_unit_id=case.encounter.family_unit_id
    ).first()
    if parent is None:
        raise InvalidInput(
            "The parent or guardian named is not a member of this family unit.", field="stated_by_alien"
        )
    return parent


def _office_for(location: Location) -> Location:
    office = location.asylum_office
    if office is None or office.kind != Location.Kind.ASYLUM_OFFICE or not office.is_active:
        raise InvalidInput(
            f"No USCIS asylum office is set for {location.name}; an administrator sets it on the location.",
            field="location",
        )
    return office


@transaction.atomic
def fear_claim_record(
    *, case_id: int, actor: User, data: ClaimInput, review: AmenabilityReview | None = None
) -> FearClaim:
    """S1: record that a person stated a fear of persecution or torture in Mexico, or of return to Mexico,
    and refer them to the USCIS asylum office that serves the place it was stated.

    Opens the ``fear_claim`` hold (the claimant's amenability decision and enrolment wait; nobody in the
    family is returned, F4). A person with a claim pending already has it: recording it again returns that
    same claim (so a fear stated at screening and again at the port is one record); the screening's fact
    (``review`` given) is referred once, even when the family is submitted again after it was decided.
    Locks the family unit, then the case. Records ``fear.claim_recorded`` (and the hold's ``hold.opened``)
    on the timeline; emits ``fear.claim_referred`` (that office's asylum officers are told).

    Raises InvalidInput naming the field, CaseNotFound, NotPermitted (role, duty location), PolicyRefusal
    (``fear_claim_not_applicable``: not or no longer in MPP).
    """
    if not actor.has_role(*FEAR_CLAIM_OPEN_ROLES):
        raise NotPermitted(
            f"Recording a fear claim is for: {roles_in_words(FEAR_CLAIM_OPEN_ROLES)}.", field="stated_by"
        )
    case = lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )
    pending = FearClaim.objects.filter(case=case).exclude(status=FearClaim.Status.DECIDED).first()
    if pending is not None:
        return pending
    if review is not None:
        # The screening's fact is one statement: a family screened again and submitted anew after its claim
        # was decided is not referred a second time for it (a later statement is recorded without a review).
        earlier = FearClaim.objects.filter(case=case).order_by("-stated_at", "-id").first()
        if earlier is not None:
            return earlier
    if case.status in CLAIM_REFUSED_STATUSES and not _f3_mexican_member_of_family_in_mpp(case):
        raise PolicyRefusal(
            f"{case.alien.full_name} is “{case.get_status_display()}”: not returned to Mexico under MPP, so "
            "there is no MPP fear claim to refer (S1).",
            code="fear_claim_not_applicable",
            rule="S1",
        )
    location = Location.objects.select_related("asylum_office").filter(pk=data.location_id).first()
    if location is None or location.kind == Location.Kind.ASYLUM_OFFICE:
        raise InvalidInput(
            "Choose where the fear was stated: a port, station, court or facility.", field="location"
        )
    if actor.is_location_scoped and location.pk not in actor.duty_location_ids:
        raise NotPermitted("This location is not one of your duty locations.", field="location")
    setting = _choice(data.setting, FearClaim.Setting.values, field="setting", what="where in the process")
    language = Language.objects.filter(pk=data.language_id).first() if data.language_id else None
    if language is None:
        raise InvalidInput("Choose the language the fear was stated in.", field="language")
    stated_at = _aware(data.stated_at or timezone.now(), field="stated_at", label="when it was stated")
    _not_future(stated_at, field="stated_at", label="when it was stated")
    # Stated at or after the encounter: often before the intake was entered, so not the case's created_at.
    if stated_at < case.encounter.occurred_at - CLOCK_SKEW:
        raise InvalidInput("A fear on this case is stated at or after its encounter.", field="stated_at")
    parent = _validate_stated_by(case=case, data=data, stated_at=stated_at, location=location)
    office = _office_for(location)
    statement = (data.statement or "").strip()

    who = FearClaim.StatedBy(data.stated_by).label.lower()
    reason = (
        f"S1: fear of return to Mexico stated ({who}) at {location.name}, "
        f"{FearClaim.Setting(setting).label.lower()}; referred to the {office.name} for an MPP assessment "
        "interview."
    )
    hold = hold_open(
        case_id=case.pk,
        kind=FEAR_CLAIM.code,
        actor=actor,
        reason=reason,
        location=location,
        workflow=FEAR_ASSESSMENT,
    )
    claim = FearClaim(
        case=case,
        hold=hold,
        review=review,
        stated_by=data.stated_by,
        stated_by_alien=parent,
        stated_at=stated_at,
        location=location,
        setting=setting,
        language=language,
        statement=statement,
        asylum_office=office,
        recorded_by=actor,
    )
    history_stamp(claim, actor=actor, reason=reason)
    claim.save()
    mexican = str(case.alien.country_of_citizenship).upper() == MEXICO
    case_event_record(
        case=case,
        type="fear.claim_recorded",
        actor=actor,
        reason=f"Referred to the {office.name} for an MPP assessment interview (S1); nobody in the family is "
        "returned to Mexico until it is decided (F4)."
        + (" A Mexican member's fear: F3 applies to the whole family." if mexican else ""),
        data={
            "claim_id": claim.pk,
            "asylum_office": office.name,
            "setting": setting,
            "location": location.name,
            "status": claim.status,
        },
        subject=claim,
    )
    outbox_emit(
        event="fear.claim_referred",
        case_id=case.pk,
        data={"claim_id": claim.pk, "asylum_office_id": office.pk, "location_id": location.pk},
    )
    return claim


# --- the assessment (S2, S3) ----------------------------------------------------------------------------


def _lock_claim(*, claim_id: int, actor: User, roles: frozenset[str], doing: str) -> tuple[FearClaim, Case]:
    """Lock the claim's family unit, the claimant's case, then the claim (and its assessment, if any), and
    check the actor: one of ``roles``, posted at the claim's asylum office. The same answer for a missing
    claim and one at another office."""
    case_id = FearClaim.objects.filter(pk=claim_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseNotFound(f"No fear claim {claim_id} that you can see.")
    if not actor.has_role(*roles):
        raise NotPermitted(f"{doing} is for: {roles_in_words(roles)}.", field="claim")
    case = lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )
    claim = (
        FearClaim.objects.select_for_update(of=("self",))
        .select_related("asylum_office", "location", "hold")
        .get(pk=claim_id)
    )
    if not works_at_office(actor, claim.asylum_office_id):
        raise CaseNotFound(f"No fear claim {claim_id} that you can see.")
    return claim, case


def _lock_assessment(claim: FearClaim) -> FearAssessment | None:
    return FearAssessment.objects.select_for_update(of=("self",)).filter(claim=claim).first()


@transaction.atomic
def fear_interview_schedule(
    *,
    claim_id: int,
    actor: User,
    interview_at: dt.datetime | None,
    asylum_officer_id: int | None = None,
) -> FearAssessment:
    """S2: schedule (or reschedule) the MPP assessment interview with an asylum officer of the claim's
    office (the actor when none is named). The interview is not delayed for counsel (S2).

    Locks as ``_lock_claim``. Records ``fear.interview_scheduled``. Raises InvalidInput (interview_at,
    asylum_officer), CaseNotFound, NotPermitted, ConcurrentEdit (already assessed).
    """
    claim, case = _lock_claim(
        claim_id=claim_id, actor=actor, roles=ASSESS_ROLES, doing="Scheduling interviews"
    )
    when = _aware(interview_at, field="interview_at", label="the interview's date and time")
    if when < claim.stated_at:
        raise InvalidInput("The interview must be after the fear was stated.", field="interview_at")
    officer = actor
    if asylum_officer_id and asylum_officer_id != actor.pk:
        named = asylum_officers_of(claim.asylum_office_id).filter(pk=asylum_officer_id).first()
        if named is None:
            raise InvalidInput(
                f"Choose an active asylum officer of the {claim.asylum_office.name}.", field="asylum_officer"
            )
        officer = named
    assessment = _lock_assessment(claim)
    if assessment is not None and assessment.status != FearAssessment.Status.SCHEDULED:
        raise ConcurrentEdit(
            f"The assessment is already “{assessment.get_status_display()}”: the interview is not rescheduled.",
            code="already_assessed",
            rule="S2",
        )
    local = local_time_words(when, claim.asylum_office.time_zone)
    reason = f"MPP assessment interview scheduled for {local} with {officer.display_name} (S2)."
    if assessment is None:
        assessment = FearAssessment(claim=claim, asylum_officer=officer, interview_at=when)
    else:
        reason = f"MPP assessment interview rescheduled to {local} with {officer.display_name} (S2)."
        assessment.asylum_officer = officer
        assessment.interview_at = when
    history_stamp(assessment, actor=actor, reason=reason)
    assessment.save()
    claim.status = FearClaim.Status.SCHEDULED
    history_stamp(claim, actor=actor, reason=reason)
    claim.save(update_fields=["status", "updated_at"])
    case_event_record(
        case=case,
        type="fear.interview_scheduled",
        actor=actor,
        reason=reason,
        data={"claim_id": claim.pk, "assessment_id": assessment.pk, "interview_at": when.isoformat()},
        subject=assessment,
    )
    return assessment


@dataclass(frozen=True)
class AssessmentInput:
    """What the asylum officer records after the interview (S2, S3)."""

    interview_held_at: dt.datetime | None
    determination: str
    grounds: Sequence[str]
    account: str
    determination_reason: str
    interview_language_id: int | None = None
    interpretation_mode: str = ""
    interpreter_id: str = ""
    counsel_present_by_phone: bool = False
    counsel_name: str = ""
    medical_notes: str = ""


def _validate_assessment(
    data: AssessmentInput, claim: FearClaim
) -> tuple[dt.datetime, list[str], Language | None]:
    held = _aware(data.interview_held_at, field="interview_held_at", label="when the interview took place")
    _not_future(held, field="interview_held_at", label="when the interview took place")
    if held < claim.stated_at:
        raise InvalidInput("The interview took place after the fear was stated.", field="interview_held_at")
    mode = (data.interpretation_mode or "").strip()
    if mode and mode not in FearAssessment.Interpretation.values:
        raise InvalidInput("Choose how the interview was interpreted.", field="interpretation_mode")
    language = None
    if data.interview_language_id:
        language = Language.objects.filter(pk=data.interview_language_id).first()
        if language is None:
            raise InvalidInput("Choose the interview language.", field="interview_language")
    if mode and language is None:
        raise InvalidInput(
            "S2: with an interpreter, record the language the interview was interpreted into.",
            field="interview_language",
        )
    if mode and not (data.interpreter_id or "").strip():
        raise InvalidInput("S2: record the interpreter's name or ID number.", field="interpreter_id")
    if data.counsel_present_by_phone and not (data.counsel_name or "").strip():
        raise InvalidInput("S2: name the retained counsel who took part by telephone.", field="counsel_name")
    if not (data.account or "").strip():
        raise InvalidInput("Record the person's account.", field="account")
    determination = _choice(
        data.determination,
        [FearAssessment.Determination.POSITIVE, FearAssessment.Determination.NEGATIVE],
        field="determination",
        what="the determination",
    )
    grounds = list(dict.fromkeys(g.strip() for g in data.grounds if g and g.strip()))
    unknown = [g for g in grounds if g not in FearAssessment.Ground.values]
    if unknown:
        raise InvalidInput(f"Not a ground of S3: {', '.join(unknown)}.", field="grounds")
    if determination == FearAssessment.Determination.POSITIVE and not grounds:
        raise InvalidInput(
            "S3: a positive determination names the ground: race, religion, nationality, membership in a "
            "particular social group, political opinion, or torture.",
            field="grounds",
        )
    if determination == FearAssessment.Determination.NEGATIVE and grounds:
        raise InvalidInput("A negative determination names no ground.", field="grounds")
    if not (data.determination_reason or "").strip():
        raise InvalidInput("S3: give the reasons for the determination.", field="determination_reason")
    return held, grounds, language


@transaction.atomic
def fear_assessment_submit(*, claim_id: int, actor: User, data: AssessmentInput) -> FearAssessment:
    """S2/S3: record the interview and the determination, for a supervisory asylum officer's review. Not in
    effect until concurred. After a return for correction, the corrected assessment is submitted again.

    Locks as ``_lock_claim``, then the assessment. Records ``fear.assessed`` (its determination is
    restricted: ``fear``); emits ``fear.assessment_submitted`` (the office's supervisors are told).
    Raises InvalidInput naming the field, CaseNotFound, NotPermitted, ConcurrentEdit (already submitted or
    concurred; or no interview scheduled).
    """
    claim, case = _lock_claim(
        claim_id=claim_id, actor=actor, roles=ASSESS_ROLES, doing="Assessing fear claims"
    )
    assessment = _lock_assessment(claim)
    if assessment is None:
        raise ConcurrentEdit(
            "Schedule the interview first: there is no interview to record.", code="not_scheduled", rule="S2"
        )
    if assessment.status not in (FearAssessment.Status.SCHEDULED, FearAssessment.Status.RETURNED):
        by = assessment.assessed_by.display_name if assessment.assessed_by else "someone"
        raise ConcurrentEdit(
            f"This assessment was already submitted by {by} at "
            f"{local_time_words(assessment.assessed_at or assessment.updated_at, claim.asylum_office.time_zone)} and is "
            f"“{assessment.get_status_display()}”. Nothing was changed.",
            code="already_assessed",
            rule="S3",
        )
    held, grounds, language = _validate_assessment(data, claim)
    assessment.interview_held_at = held
    assessment.interview_language = language
    assessment.interpretation_mode = (data.interpretation_mode or "").strip()
    assessment.interpreter_id = (data.interpreter_id or "").strip()
    assessment.counsel_present_by_phone = bool(data.counsel_present_by_phone)
    assessment.counsel_name = (data.counsel_name or "").strip()
    assessment.account = data.account.strip()
    assessment.medical_notes = (data.medical_notes or "").strip()
    assessment.determination = data.determination
    assessment.grounds = grounds
    assessment.determination_reason = data.determination_reason.strip()
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.status = FearAssessment.Status.SUBMITTED
    reason = "Assessment submitted for supervisory review (S3)"
    history_stamp(assessment, actor=actor, reason=reason)
    assessment.save()
    claim.status = FearClaim.Status.SUBMITTED
    history_stamp(claim, actor=actor, reason=reason)
    claim.save(update_fields=["status", "updated_at"])
    case_event_record(
        case=case,
        type="fear.assessed",
        actor=actor,
        reason=f"{reason}: {FearAssessment.Determination(data.determination).label}"
        + (f" ({', '.join(FearAssessment.Ground(g).label for g in grounds)})" if grounds else ""),
        data={
            "claim_id": claim.pk,
            "assessment_id": assessment.pk,
            "determination": data.determination,
            "grounds": grounds,
            CONTENT_OFFICE_KEY: claim.asylum_office_id,  # USCIS elsewhere read that it happened, not what
        },
        subject=assessment,
        sensitivities=["fear"],
    )
    outbox_emit(
        event="fear.assessment_submitted",
        case_id=case.pk,
        data={
            "claim_id": claim.pk,
            "assessment_id": assessment.pk,
            "asylum_office_id": claim.asylum_office_id,
        },
    )
    return assessment


# --- the supervisory review (S3) and its effects (S4, F3, F5) ---------------------------------------------

CONCUR = "concur"
RETURN = "return"


@transaction.atomic
def fear_assessment_review(*, claim_id: int, actor: User, decision: str, reason: str) -> FearAssessment:
    """S3: the supervisory asylum officer concurs with the assessment (it takes effect) or returns it to the
    asylum officer for correction, with a reason. Whoever assessed may not concur or return their own.

    Concurring releases the ``fear_claim`` hold with the outcome; a positive outcome then moves every
    member's case (``_positive_takes_effect``). Two reviewers at once: the claim row is locked, so one
    decides and the other gets ConcurrentEdit naming who decided and when.

    Records ``fear.concurred`` or ``fear.assessment_returned``; emits ``fear.concurred`` (the port's CBP
    supervisors and ICE there are told) or ``fear.assessment_returned`` (the assessor is told).
    Raises InvalidInput (decision, reason), CaseNotFound, NotPermitted (role, ``separation_of_duties``),
    ConcurrentEdit (``already_reviewed``; nothing submitted).
    """
    reason = require_reason(reason)
    decision = _choice(decision, [CONCUR, RETURN], field="decision", what="concur or return for correction")
    claim, case = _lock_claim(
        claim_id=claim_id, actor=actor, roles=CONCUR_ROLES, doing="Reviewing assessments"
    )
    assessment = _lock_assessment(claim)
    if assessment is None or assessment.status in (
        FearAssessment.Status.SCHEDULED,
        FearAssessment.Status.RETURNED,
    ):
        if (
            assessment is not None
            and assessment.status == FearAssessment.Status.RETURNED
            and assessment.reviewed_by
        ):
            raise ConcurrentEdit(
                f"{assessment.reviewed_by.display_name} already returned this assessment for correction at "
                f"{local_time_words(assessment.reviewed_at or assessment.updated_at, claim.asylum_office.time_zone)}. "
                "Nothing was changed.",
                code="already_reviewed",
                rule="S3",
            )
        raise ConcurrentEdit("There is no submitted assessment to review.", code="not_submitted", rule="S3")
    if assessment.status == FearAssessment.Status.CONCURRED:
        by = assessment.reviewed_by.display_name if assessment.reviewed_by else "someone"
        raise ConcurrentEdit(
            f"{by} already concurred with this assessment at "
            f"{local_time_words(assessment.reviewed_at or assessment.updated_at, claim.asylum_office.time_zone)}. Nothing was "
            "changed.",
            code="already_reviewed",
            rule="S3",
        )
    if assessed_by_user(user=actor, assessment=assessment):
        raise NotPermitted(
            "You made this assessment (or an earlier version of it); another supervisory asylum officer "
            "reviews it.",
            code="separation_of_duties",
            rule="S3",
            field="decision",
        )
    now = timezone.now()
    assessment.reviewed_by = actor
    assessment.reviewed_at = now
    assessment.review_reason = reason
    if decision == RETURN:
        assessment.status = FearAssessment.Status.RETURNED
        history_stamp(assessment, actor=actor, reason=f"Returned for correction: {reason}")
        assessment.save()
        claim.status = FearClaim.Status.RETURNED
        history_stamp(claim, actor=actor, reason="Assessment returned for correction")
        claim.save(update_fields=["status", "updated_at"])
        case_event_record(
            case=case,
            type="fear.assessment_returned",
            actor=actor,
            reason=f"Returned to {assessment.assessed_by.display_name if assessment.assessed_by else 'the asylum officer'} "
            f"for correction (S3): {reason}",
            data={
                "claim_id": claim.pk,
                "assessment_id": assessment.pk,
                CONTENT_OFFICE_KEY: claim.asylum_office_id,
            },
            subject=assessment,
            sensitivities=["interview"],
        )
        outbox_emit(
            event="fear.assessment_returned",
            case_id=case.pk,
            data={
                "claim_id": claim.pk,
                "assessment_id": assessment.pk,
                "assessed_by_id": assessment.assessed_by_id,
            },
        )
        return assessment

    outcome = assessment.determination
    assessment.status = FearAssessment.Status.CONCURRED
    history_stamp(assessment, actor=actor, reason=f"Concurred: {reason}")
    assessment.save()
    claim.status = FearClaim.Status.DECIDED
    claim.outcome = outcome
    claim.decided_at = now
    history_stamp(claim, actor=actor, reason=f"Assessment concurred: {outcome}")
    claim.save(update_fields=["status", "outcome", "decided_at", "updated_at"])
    label = FearClaim.Outcome(outcome).label
    hold_release(
        hold_id=claim.hold_id,
        actor=actor,
        reason=f"S3: {outcome} assessment concurred by {actor.display_name}.",
        outcome=outcome,
        workflow=FEAR_ASSESSMENT,
    )
    effect = (
        "the whole family is not processed for MPP or is removed from it (S4, F5)."
        if outcome == FearClaim.Outcome.POSITIVE
        else "the hold is released; the person — and the family, if no other claim is pending — may be "
        "returned to Mexico pending proceedings (S4). Nobody was moved."
    )
    case_event_record(
        case=case,
        type="fear.concurred",
        actor=actor,
        reason=f"Assessment concurred — {label}: {effect}",
        data={"claim_id": claim.pk, "assessment_id": assessment.pk, "outcome": outcome},
        subject=assessment,
    )
    moved: list[int] = []
    if outcome == FearClaim.Outcome.POSITIVE:
        moved = _positive_takes_effect(claim=claim, claimant=case, actor=actor)
    outbox_emit(
        event="fear.concurred",
        case_id=case.pk,
        data={
            "claim_id": claim.pk,
            "outcome": outcome,
            "location_id": case.location_id,
            "moved_case_ids": moved,
        },
    )
    return assessment


def _positive_takes_effect(*, claim: FearClaim, claimant: Case, actor: User) -> list[int]:
    """S4, F3, F5: a concurred positive assessment, for every member of the family unit in one transaction
    (the family unit is already locked; the members' cases are locked here, in id order).

    The claimant: ``fear_of_mexico`` (A2/S4). The others, when in the U.S. together: F3's
    ``family_mexican_member_fear`` for a Mexican claimant, else F5's ``family_member_fear_positive``. By
    where each case is: amenable → not amenable; enrolled, in Mexico (the claimant only), in the U.S. for a
    hearing, reopened → removed from MPP; in screening or awaiting review → not amenable when the
    supervisor decides (the review's rules read the concurred assessment); already out of MPP → unchanged.
    Each person not processed for MPP or removed from it is referred to ICE for a custody determination
    (S4). Each member's timeline says why. Returns the ids of the cases moved.
    """
    mexican = str(claimant.alien.country_of_citizenship).upper() == MEXICO
    family_code = "family_mexican_member_fear" if mexican else "family_member_fear_positive"
    family_rule = "F3" if mexican else "F5"
    members = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("alien", "location")
        .filter(encounter__family_unit_id=claimant.encounter.family_unit_id)
        .exclude(status__in=CASE_CLOSED_STATUSES)
        .order_by("pk")
    )
    moved: list[int] = []
    for member in members:
        own = member.pk == claimant.pk
        code, rule = ("fear_of_mexico", "S4") if own else (family_code, family_rule)
        why = f"{rule} · {code}: {EXCLUSIONS[code].explanation}"
        if not own:
            why = f"{why} ({claimant.alien.full_name}'s assessment was concurred positive.)"
        data = {"claim_id": claim.pk, "code": code, "rule": rule, "claimant_case_id": claimant.pk}
        if member.status == S.NOT_AMENABLE:
            continue  # not processed for MPP already (e.g. a Mexican member, F2/F3): nothing to move
        if not own and member.status == S.IN_MEXICO:
            case_event_record(
                case=member,
                type="fear.family_effect",
                actor=actor,
                reason=f"{rule}: {claimant.alien.full_name}'s assessment was concurred positive, but "
                f"{member.alien.full_name} is in Mexico, not in the U.S. with the family: not moved. A CBP "
                "supervisor reviews the case.",
                data={**data, "moved": False},
                subject=claim,
            )
            continue
        if member.status in NOT_PROCESSED_FROM:
            case_move(
                case_id=member.pk,
                to_status=S.NOT_AMENABLE,
                actor=actor,
                reason=f"Not processed for MPP. {why}",
                workflow=FEAR_ASSESSMENT,
                subject=claim,
                data=data,
            )
            moved.append(member.pk)
        elif member.status in REMOVED_FROM:
            case_move(
                case_id=member.pk,
                to_status=S.REMOVED_FROM_MPP,
                actor=actor,
                reason=f"Removed from MPP; stays in the U.S. in INA 240 proceedings. {why}",
                workflow=FEAR_ASSESSMENT,
                subject=claim,
                data=data,
            )
            moved.append(member.pk)
        elif member.status in DECIDED_BY_REVIEW:
            case_event_record(
                case=member,
                type="fear.family_effect",
                actor=actor,
                reason=f"Not processed for MPP: the amenability review records not amenable. {why}",
                data={**data, "moved": False},
                subject=claim,
            )
        else:
            continue
        custody_refer(
            case_id=member.pk,
            actor=actor,
            rule="S4",
            code=code,
            reason=f"S4: not returned to Mexico under MPP ({code}); ICE makes a case-by-case custody "
            "determination.",
        )
    return moved
