"""Fear claims through the services (screenings.fear_services), on the real database: recording a claim
and its referral to USCIS (S1), the interview and assessment (S2, S3), the supervisory review (S3), and
the history every write leaves.

The helpers at the top (``family``, ``record``, ``assess``, ``concur``, ``decide`` …) are shared by the
other ``test_fear_*`` modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cases.exceptions import CaseNotFound
from cases.models import Case, CaseEvent, CaseStatus, CustodyReferral, Encounter, Hold
from cases.services import hold_open, hold_release
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from mpp.exceptions import ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import OutboxEvent
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from screenings.models import FearAssessment, FearClaim
from screenings.services import amenability_return, family_submit_for_review
from tests.factories import AlienFactory, CaseFactory, EncounterFactory, language, location, user_with_role
from tests.screenings.factories import mixed_family, screen_all

pytestmark = pytest.mark.django_db

S = CaseStatus
SYS, LRD, CV = "sys-poe", "lrd-poe", "cv-bps"
LAX, HOU = "lax-zla", "hou-zhn"
ADULT, CHILD = dt.date(1988, 4, 2), dt.date(2016, 8, 9)

# What a claim and its assessment say: restricted content, written so a leak is easy to spot.
STATEMENT = "Says the men who killed her brother in Reynosa are looking for her"
ACCOUNT = "Beaten twice by the Zarandona gang in Matamoros for refusing to carry packages"
MEDICAL = "Healing fracture of the left wrist, disclosed at the interview"
ANALYSIS = "Credible, detailed and consistent with country conditions: nexus to political opinion"
REVIEW_NOTE = "Concur: the nexus analysis is thorough"


# --- helpers (shared by the other test_fear_* modules) ----------------------------------------------------


def family(
    *statuses: str,
    at: str = SYS,
    born: dict[int, dt.date] | None = None,
    countries: dict[int, str] | None = None,
) -> list[Case]:
    """One encounter at ``at`` (three hours ago), one case per status given: the head (an adult, Honduran)
    first, then children (born 2016 unless ``born`` says otherwise), each registered as the head's child."""
    where = location(at)
    component = (
        Encounter.Component.USBP
        if where.kind == Location.Kind.BORDER_PATROL_STATION
        else Encounter.Component.OFO
    )
    encounter = EncounterFactory(location=where, component=component)
    born, countries = born or {}, countries or {}
    cases = []
    for i, status in enumerate(statuses):
        alien = AlienFactory(
            date_of_birth=born.get(i, ADULT if i == 0 else CHILD),
            country_of_citizenship=countries.get(i, "HN"),
        )
        cases.append(
            CaseFactory(
                encounter=encounter, alien=alien, status=status, membership="head" if i == 0 else "child"
            )
        )
    return cases


def cbp(role: str = Role.CBP_OFFICER, at: str = SYS) -> User:
    return user_with_role(role, locations=[at])


def uscis(role: str = Role.ASYLUM_OFFICER, office: str = LAX) -> User:
    return user_with_role(role, locations=[office])


def claim_input(at: str = SYS, **kw: Any) -> ClaimInput:
    values: dict[str, Any] = {
        "stated_by": FearClaim.StatedBy.SELF,
        "location_id": location(at).pk,
        "setting": FearClaim.Setting.ENCOUNTER,
        "language_id": language("es").pk,
        "statement": STATEMENT,
    }
    values.update(kw)
    return ClaimInput(**values)


def record(case: Case, *, by: User | None = None, at: str | None = None, **kw: Any) -> FearClaim:
    """S1: a CBP officer at the case's location (or ``at``) records that the person stated a fear."""
    at = at or case.location.code
    return fear_claim_record(case_id=case.pk, actor=by or cbp(at=at), data=claim_input(at, **kw))


def assessment_input(determination: str = "positive", **kw: Any) -> AssessmentInput:
    values: dict[str, Any] = {
        "interview_held_at": timezone.now(),
        "determination": determination,
        "grounds": ["political_opinion"] if determination == "positive" else [],
        "account": ACCOUNT,
        "determination_reason": ANALYSIS,
        "medical_notes": MEDICAL,
    }
    values.update(kw)
    return AssessmentInput(**values)


def schedule(claim: FearClaim, ao: User) -> FearAssessment:
    return fear_interview_schedule(
        claim_id=claim.pk, actor=ao, interview_at=timezone.now() + dt.timedelta(minutes=1)
    )


def assess(
    claim: FearClaim, determination: str = "positive", *, ao: User | None = None, **kw: Any
) -> FearAssessment:
    """S2/S3: an asylum officer of the claim's office schedules the interview and submits the assessment."""
    ao = ao or uscis(office=claim.asylum_office.code)
    schedule(claim, ao)
    return fear_assessment_submit(claim_id=claim.pk, actor=ao, data=assessment_input(determination, **kw))


def concur(claim: FearClaim, *, sao: User | None = None, reason: str = REVIEW_NOTE) -> FearAssessment:
    sao = sao or uscis(Role.SUPERVISORY_ASYLUM_OFFICER, office=claim.asylum_office.code)
    return fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason=reason)


def decide(case: Case, determination: str = "positive", **kw: Any) -> FearClaim:
    """The whole path: recorded (S1), assessed (S3) and concurred (S3) — in effect."""
    claim = record(case, **kw)
    assess(claim, determination)
    concur(claim)
    claim.refresh_from_db()
    return claim


def statuses(cases: list[Case]) -> list[str]:
    return [Case.objects.get(pk=c.pk).status for c in cases]


# --- S1: who records a claim, for whom, where ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "duty", "stated_at_place", "setting"),
    [
        (Role.CBP_OFFICER, SYS, SYS, FearClaim.Setting.ENCOUNTER),
        (Role.BORDER_PATROL_AGENT, CV, CV, FearClaim.Setting.ENCOUNTER),
        (Role.CBP_SUPERVISOR, SYS, SYS, FearClaim.Setting.HEARING_DAY),
        (Role.COURT_STAFF, "sdg-ic", "sdg-ic", FearClaim.Setting.COURT),
    ],
)
def test_s1_each_cbp_role_and_court_staff_record_a_claim_that_refers_the_person_and_opens_the_hold(
    role, duty, stated_at_place, setting
):
    (case,) = family(S.ENROLLED, at=CV if role == Role.BORDER_PATROL_AGENT else SYS)
    actor = user_with_role(role, locations=[duty])

    claim = fear_claim_record(
        case_id=case.pk, actor=actor, data=claim_input(stated_at_place, setting=setting)
    )

    claim.refresh_from_db()
    assert (claim.case, claim.recorded_by, claim.setting, claim.status) == (case, actor, setting, "referred")
    assert claim.location.code == stated_at_place
    assert claim.asylum_office.code == LAX
    assert claim.language.code == "es"
    assert claim.stated_by == "self" and claim.stated_by_alien is None
    hold = claim.hold
    assert (hold.case, hold.kind, hold.rule, hold.is_open, hold.opened_by) == (
        case,
        "fear_claim",
        "S1",
        True,
        actor,
    )
    case.refresh_from_db()
    assert case.status == S.ENROLLED  # a hold, not a status
    assert CaseEvent.objects.filter(case=case, type="fear.claim_recorded").count() == 1
    assert CaseEvent.objects.filter(case=case, type="hold.opened", sensitivities=["fear"]).count() == 1
    referred = OutboxEvent.objects.get(event="fear.claim_referred")
    assert (
        referred.payload["claim_id"] == claim.pk
        and referred.payload["asylum_office_id"] == claim.asylum_office_id
    )


@pytest.mark.parametrize(
    ("role", "duty"),
    [
        (Role.ASYLUM_OFFICER, [LAX]),
        (Role.SUPERVISORY_ASYLUM_OFFICER, [LAX]),
        (Role.ICE_OFFICER, [SYS]),
        (Role.PRINT_STAFF, [SYS]),
        (Role.ANALYST, []),
    ],
)
def test_s1_other_roles_do_not_record_a_claim(role, duty):
    (case,) = family(S.ENROLLED)

    with pytest.raises(NotPermitted) as refused:
        fear_claim_record(case_id=case.pk, actor=user_with_role(role, locations=duty), data=claim_input())

    assert refused.value.field == "stated_by"
    assert not FearClaim.objects.exists() and not Hold.objects.exists()


def test_s1_a_parent_states_the_fear_for_a_child_and_is_named_from_the_family():
    mother, child = family(S.ENROLLED, S.ENROLLED)

    claim = record(child, stated_by=FearClaim.StatedBy.PARENT, stated_by_alien_id=mother.alien_id)

    assert (claim.case, claim.stated_by, claim.stated_by_alien) == (child, "parent", mother.alien)
    assert claim.hold.case == child


def test_s1_a_parent_states_it_for_a_child_without_being_registered():
    _, child = family(S.ENROLLED, S.ENROLLED)

    claim = record(child, stated_by=FearClaim.StatedBy.LEGAL_GUARDIAN)

    assert (claim.stated_by, claim.stated_by_alien) == ("legal_guardian", None)


def test_s1_nobody_states_the_fear_of_an_adult_for_them():
    father, son = family(S.ENROLLED, S.ENROLLED, born={1: dt.date(2001, 1, 1)})

    with pytest.raises(InvalidInput) as refused:
        record(son, stated_by=FearClaim.StatedBy.PARENT, stated_by_alien_id=father.alien_id)

    assert refused.value.field == "stated_by"
    assert not FearClaim.objects.exists()


def test_s1_the_parent_named_must_be_of_the_childs_family_unit():
    _, child = family(S.ENROLLED, S.ENROLLED)
    (stranger,) = family(S.ENROLLED)

    with pytest.raises(InvalidInput) as refused:
        record(child, stated_by=FearClaim.StatedBy.PARENT, stated_by_alien_id=stranger.alien_id)

    assert refused.value.field == "stated_by_alien"
    assert not FearClaim.objects.exists()


def test_s1_someone_who_states_it_themselves_names_nobody_else():
    mother, child = family(S.ENROLLED, S.ENROLLED)

    with pytest.raises(InvalidInput) as refused:
        record(child, stated_by=FearClaim.StatedBy.SELF, stated_by_alien_id=mother.alien_id)

    assert refused.value.field == "stated_by_alien"


def test_s1_stating_it_again_while_pending_is_the_same_claim():
    (case,) = family(S.IN_US_FOR_HEARING)
    first = record(case)

    again = record(case, by=cbp(Role.CBP_SUPERVISOR), setting=FearClaim.Setting.HEARING_DAY)

    assert again.pk == first.pk
    assert FearClaim.objects.count() == 1 and Hold.objects.count() == 1
    assert OutboxEvent.objects.filter(event="fear.claim_referred").count() == 1


def test_s1_after_a_negative_decision_a_new_statement_is_a_new_claim():
    (case,) = family(S.IN_US_FOR_HEARING)
    decided = decide(case, "negative")

    again = record(case, setting=FearClaim.Setting.HEARING_DAY)

    assert again.pk != decided.pk and again.is_pending
    assert again.hold.is_open and decided.hold.outcome == "negative"


def test_s1_a_fear_stated_at_screening_is_the_claim_and_stating_it_again_at_the_port_returns_it(officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})

    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    _, father, _ = encounter.cases.order_by("id")
    claim = FearClaim.objects.get()
    assert (claim.case, claim.review, claim.setting, claim.stated_by) == (father, review, "screening", "self")
    assert claim.hold.is_open and claim.asylum_office.code == LAX
    again = record(father, by=cbp(), setting=FearClaim.Setting.HEARING_DAY)
    assert again.pk == claim.pk
    assert FearClaim.objects.count() == 1 and Hold.objects.filter(case=father).count() == 1


@pytest.mark.parametrize(
    "status",
    [
        S.NOT_AMENABLE,
        S.REMOVED_FROM_MPP,
        S.COMPLETED_RELIEF,
        S.COMPLETED_REMOVAL_ORDER,
        S.COMPLETED_OTHER,
        S.HANDED_TO_ICE,
    ],
)
def test_s1_no_mpp_claim_for_someone_not_in_mpp_removed_from_it_or_whose_case_is_complete(status):
    (case,) = family(status)

    with pytest.raises(PolicyRefusal) as refused:
        record(case)

    assert (refused.value.code, refused.value.rule) == ("fear_claim_not_applicable", "S1")
    assert not FearClaim.objects.exists() and not Hold.objects.exists()


@pytest.mark.parametrize(
    "status", [S.SCREENING, S.AWAITING_REVIEW, S.AMENABLE, S.ENROLLED, S.IN_MEXICO, S.REOPENED]
)
def test_s1_a_claim_is_recorded_at_any_time_the_person_may_still_be_returned_under_mpp(status):
    (case,) = family(status)

    assert record(case).is_pending


def test_s1_the_place_it_was_stated_is_one_of_the_officers_duty_locations():
    (case,) = family(S.ENROLLED)

    with pytest.raises(NotPermitted) as refused:
        record(case, by=cbp(), at="cxl-poe")

    assert refused.value.field == "location"
    assert not FearClaim.objects.exists()


def test_s1_the_place_it_was_stated_is_not_an_asylum_office():
    (case,) = family(S.ENROLLED)

    with pytest.raises(InvalidInput) as refused:
        fear_claim_record(case_id=case.pk, actor=user_with_role(Role.COURT_STAFF), data=claim_input(LAX))

    assert refused.value.field == "location"


def test_s1_a_claim_is_not_stated_in_the_future():
    (case,) = family(S.ENROLLED)

    with pytest.raises(InvalidInput) as refused:
        record(case, stated_at=timezone.now() + dt.timedelta(hours=1))

    assert refused.value.field == "stated_at"
    assert not FearClaim.objects.exists()


def test_s1_a_fear_stated_at_the_encounter_is_recorded_though_the_case_was_entered_after_it():
    """The encounter was three hours ago; the intake was entered just now; the fear was stated at the
    encounter, two hours ago. The claim is dated when it was stated."""
    (case,) = family(S.SCREENING)
    stated = timezone.now() - dt.timedelta(hours=2)
    assert case.created_at > stated > case.encounter.occurred_at

    claim = record(case, stated_at=stated)

    assert claim.stated_at == stated


def test_s1_a_claim_is_not_stated_before_the_encounter():
    (case,) = family(S.SCREENING)

    with pytest.raises(InvalidInput) as refused:
        record(case, stated_at=case.encounter.occurred_at - dt.timedelta(days=1))

    assert refused.value.field == "stated_at"


@pytest.mark.parametrize(
    ("field", "changes"), [("setting", {"setting": "on_the_bus"}), ("language", {"language_id": None})]
)
def test_s1_setting_and_language_are_required(field, changes):
    (case,) = family(S.ENROLLED)

    with pytest.raises(InvalidInput) as refused:
        record(case, **changes)

    assert refused.value.field == field


@pytest.mark.parametrize(("at", "office"), [(SYS, LAX), (LRD, HOU), ("nog-poe", LAX), ("elp-bps", HOU)])
def test_s1_the_claim_goes_to_the_asylum_office_that_serves_the_place_it_was_stated(at, office):
    (case,) = family(S.ENROLLED, at=at)
    role = Role.BORDER_PATROL_AGENT if at.endswith("-bps") else Role.CBP_OFFICER

    claim = record(case, by=cbp(role, at=at))

    assert claim.asylum_office.code == office


def test_s1_a_place_no_asylum_office_serves_is_refused_naming_the_location():
    (case,) = family(S.ENROLLED)
    Location.objects.filter(code=SYS).update(asylum_office=None)

    with pytest.raises(InvalidInput) as refused:
        record(case)

    assert refused.value.field == "location"
    assert not Hold.objects.exists()


def test_s1_a_case_the_officer_may_not_see_is_not_found():
    (case,) = family(S.ENROLLED, at=LRD)

    with pytest.raises(CaseNotFound):
        record(case, by=cbp(at=SYS), at=SYS)


def test_s1_the_generic_hold_forms_neither_open_nor_release_a_fear_claim():
    (case,) = family(S.ENROLLED)
    officer = cbp()

    with pytest.raises(NotPermitted) as opened:
        hold_open(case_id=case.pk, kind="fear_claim", actor=officer, reason="States fear")
    assert opened.value.code == "workflow_owned"
    assert not Hold.objects.exists()

    claim = record(case)
    with pytest.raises(NotPermitted) as released:
        hold_release(
            hold_id=claim.hold_id,
            actor=uscis(Role.SUPERVISORY_ASYLUM_OFFICER),
            reason="Negative",
            outcome="negative",
        )
    assert released.value.code == "workflow_owned"
    claim.hold.refresh_from_db()
    assert claim.hold.is_open


def test_s1_another_workflow_does_not_open_a_fear_claim_hold_either():
    (case,) = family(S.ENROLLED)

    with pytest.raises(NotPermitted) as refused:
        hold_open(
            case_id=case.pk, kind="fear_claim", actor=cbp(), reason="x", workflow="hearings.nta_service"
        )

    assert refused.value.code == "workflow_owned"


# --- S2: the interview ---------------------------------------------------------------------------------


def test_s2_an_asylum_officer_of_the_office_schedules_the_interview():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    ao = uscis()
    when = timezone.now() + dt.timedelta(days=2)

    assessment = fear_interview_schedule(claim_id=claim.pk, actor=ao, interview_at=when)

    assert (assessment.asylum_officer, assessment.interview_at, assessment.status) == (ao, when, "scheduled")
    claim.refresh_from_db()
    assert claim.status == FearClaim.Status.SCHEDULED
    assert CaseEvent.objects.filter(case=case, type="fear.interview_scheduled").count() == 1


def test_s2_the_interview_is_rescheduled_with_another_officer_of_the_office():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    ao, colleague = uscis(), uscis()
    schedule(claim, ao)
    later = timezone.now() + dt.timedelta(days=3)

    assessment = fear_interview_schedule(
        claim_id=claim.pk, actor=ao, interview_at=later, asylum_officer_id=colleague.pk
    )

    assert (assessment.asylum_officer, assessment.interview_at) == (colleague, later)
    assert FearAssessment.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, type="fear.interview_scheduled").count() == 2


def test_s2_the_interviewer_named_works_at_the_claims_office():
    (case,) = family(S.ENROLLED)
    claim = record(case)

    with pytest.raises(InvalidInput) as refused:
        fear_interview_schedule(
            claim_id=claim.pk,
            actor=uscis(),
            interview_at=timezone.now(),
            asylum_officer_id=uscis(office=HOU).pk,
        )

    assert refused.value.field == "asylum_officer"


def test_s2_another_offices_asylum_officer_does_not_find_the_claim():
    (case,) = family(S.ENROLLED)
    claim = record(case)  # San Ysidro → Los Angeles

    for outsider in (
        uscis(office=HOU),
        uscis(Role.SUPERVISORY_ASYLUM_OFFICER, office=HOU),
        user_with_role(Role.ASYLUM_OFFICER, locations=[]),
    ):
        with pytest.raises(CaseNotFound):
            fear_interview_schedule(claim_id=claim.pk, actor=outsider, interview_at=timezone.now())

    assert not FearAssessment.objects.exists()


def test_s2_only_uscis_schedules_interviews():
    (case,) = family(S.ENROLLED)
    claim = record(case)

    for actor in (cbp(), cbp(Role.CBP_SUPERVISOR), user_with_role(Role.ICE_OFFICER, locations=[LAX])):
        with pytest.raises(NotPermitted):
            fear_interview_schedule(claim_id=claim.pk, actor=actor, interview_at=timezone.now())


def test_s2_the_interview_is_not_before_the_fear_was_stated():
    (case,) = family(S.ENROLLED)
    claim = record(case)

    with pytest.raises(InvalidInput) as refused:
        fear_interview_schedule(
            claim_id=claim.pk, actor=uscis(), interview_at=claim.stated_at - dt.timedelta(hours=1)
        )

    assert refused.value.field == "interview_at"


def test_s2_an_interview_is_scheduled_before_it_is_recorded():
    (case,) = family(S.ENROLLED)
    claim = record(case)

    with pytest.raises(ConcurrentEdit) as refused:
        fear_assessment_submit(claim_id=claim.pk, actor=uscis(), data=assessment_input())

    assert refused.value.code == "not_scheduled"


def test_s2_s3_the_interview_and_determination_are_recorded_with_interpreter_and_counsel():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    ao = uscis()
    schedule(claim, ao)

    assessment = fear_assessment_submit(
        claim_id=claim.pk,
        actor=ao,
        data=assessment_input(
            "positive",
            grounds=["political_opinion", "torture", "torture"],
            interview_language_id=language("es").pk,
            interpretation_mode=FearAssessment.Interpretation.TELEPHONIC,
            interpreter_id="Interpreter 40417",
            counsel_present_by_phone=True,
            counsel_name="Lic. Marta Ibáñez",
        ),
    )

    assessment.refresh_from_db()
    assert (assessment.status, assessment.determination, assessment.assessed_by) == (
        "submitted",
        "positive",
        ao,
    )
    assert assessment.grounds == ["political_opinion", "torture"]
    assert (assessment.interpretation_mode, assessment.interpreter_id) == ("telephonic", "Interpreter 40417")
    assert assessment.interview_language.code == "es"
    assert (assessment.counsel_present_by_phone, assessment.counsel_name) == (True, "Lic. Marta Ibáñez")
    assert (assessment.account, assessment.medical_notes, assessment.determination_reason) == (
        ACCOUNT,
        MEDICAL,
        ANALYSIS,
    )
    claim.refresh_from_db()
    assert claim.status == FearClaim.Status.SUBMITTED
    event = CaseEvent.objects.get(case=case, type="fear.assessed")
    assert event.sensitivities == ["fear"]
    assert OutboxEvent.objects.filter(event="fear.assessment_submitted").count() == 1


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("interview_language", {"interpretation_mode": "in_person", "interpreter_id": "Int. 7"}),
        ("interpreter_id", {"interpretation_mode": "in_person", "interview_language_id": "es"}),
        ("interpretation_mode", {"interpretation_mode": "sign_language"}),
        ("counsel_name", {"counsel_present_by_phone": True, "counsel_name": " "}),
        ("grounds", {"determination": "positive", "grounds": []}),
        ("grounds", {"determination": "negative", "grounds": ["religion"]}),
        ("grounds", {"determination": "positive", "grounds": ["poverty"]}),
        ("determination", {"determination": "maybe", "grounds": []}),
        ("account", {"account": "  "}),
        ("determination_reason", {"determination_reason": ""}),
        ("interview_held_at", {"interview_held_at": None}),
        ("interview_held_at", {"interview_held_at": "future"}),
        ("interview_held_at", {"interview_held_at": "before the claim"}),
    ],
)
def test_s2_s3_an_incomplete_assessment_is_refused_naming_the_field_and_saves_nothing(field, changes):
    (case,) = family(S.ENROLLED)
    claim = record(case)
    ao = uscis()
    schedule(claim, ao)
    if changes.get("interview_language_id") == "es":
        changes["interview_language_id"] = language("es").pk
    if changes.get("interview_held_at") == "future":
        changes["interview_held_at"] = timezone.now() + dt.timedelta(hours=2)
    elif changes.get("interview_held_at") == "before the claim":
        changes["interview_held_at"] = claim.stated_at - dt.timedelta(hours=1)

    with pytest.raises(InvalidInput) as refused:
        fear_assessment_submit(claim_id=claim.pk, actor=ao, data=assessment_input(**changes))

    assert refused.value.field == field
    assessment = FearAssessment.objects.get()
    assert (assessment.status, assessment.account, assessment.determination) == ("scheduled", "", "")
    claim.refresh_from_db()
    assert claim.status == FearClaim.Status.SCHEDULED


def test_s3_an_assessment_is_submitted_once():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim, "negative")

    with pytest.raises(ConcurrentEdit) as refused:
        fear_assessment_submit(claim_id=claim.pk, actor=uscis(), data=assessment_input("positive"))

    assert refused.value.code == "already_assessed"
    assert FearAssessment.objects.get().determination == "negative"


def test_s3_a_submitted_assessment_is_not_rescheduled():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim)

    with pytest.raises(ConcurrentEdit) as refused:
        schedule(claim, uscis())

    assert refused.value.code == "already_assessed"


# --- S3: the supervisory review ------------------------------------------------------------------------


def test_s3_a_determination_is_not_in_effect_before_a_supervisory_asylum_officer_concurs():
    cases = family(S.ENROLLED, S.ENROLLED, S.ENROLLED)
    claim = record(cases[0])

    assess(claim, "positive")

    claim.refresh_from_db()
    assert (claim.status, claim.outcome, claim.decided_at) == ("submitted", "", None)
    assert claim.hold.is_open
    assert statuses(cases) == [S.ENROLLED] * 3
    assert not CustodyReferral.objects.exists()
    assert not OutboxEvent.objects.filter(event__in=["fear.concurred", "custody.referred"]).exists()


def test_s3_the_supervisory_asylum_officer_concurs_and_the_claim_is_decided():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim, "negative")
    sao = uscis(Role.SUPERVISORY_ASYLUM_OFFICER)

    assessment = fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason=REVIEW_NOTE)

    assert (assessment.status, assessment.reviewed_by, assessment.review_reason) == (
        "concurred",
        sao,
        REVIEW_NOTE,
    )
    claim.refresh_from_db()
    assert (claim.status, claim.outcome) == ("decided", "negative") and claim.decided_at
    hold = claim.hold
    assert (hold.is_open, hold.outcome, hold.released_by) == (False, "negative", sao)
    assert CaseEvent.objects.filter(case=case, type="fear.concurred").count() == 1


def test_s3_whoever_assessed_does_not_concur_even_as_a_supervisory_asylum_officer():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    sao = uscis(Role.SUPERVISORY_ASYLUM_OFFICER)
    assess(claim, "positive", ao=sao)

    for decision in ("concur", "return"):
        with pytest.raises(NotPermitted) as refused:
            fear_assessment_review(claim_id=claim.pk, actor=sao, decision=decision, reason="Looks right")
        assert refused.value.code == "separation_of_duties"

    claim.refresh_from_db()
    assert claim.status == FearClaim.Status.SUBMITTED and claim.hold.is_open
    assert statuses([case]) == [S.ENROLLED]


def test_s3_a_supervisor_who_assessed_an_earlier_version_does_not_concur_with_the_corrected_one():
    """Separation of duties counts every version: the supervisor's own assessment was returned by a
    colleague and corrected by an asylum officer; its first author does not review the correction."""
    (case,) = family(S.ENROLLED)
    claim = record(case)
    first_author, colleague, ao = (
        uscis(Role.SUPERVISORY_ASYLUM_OFFICER),
        uscis(Role.SUPERVISORY_ASYLUM_OFFICER),
        uscis(),
    )
    assess(claim, "negative", ao=first_author)
    fear_assessment_review(claim_id=claim.pk, actor=colleague, decision="return", reason="Reconsider nexus")
    fear_assessment_submit(claim_id=claim.pk, actor=ao, data=assessment_input("positive"))

    with pytest.raises(NotPermitted) as refused:
        concur(claim, sao=first_author)

    assert refused.value.code == "separation_of_duties"
    concur(claim, sao=colleague)
    assert statuses([case]) == [S.REMOVED_FROM_MPP]


def test_s3_an_asylum_officer_does_not_review():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim)

    with pytest.raises(NotPermitted):
        fear_assessment_review(claim_id=claim.pk, actor=uscis(), decision="concur", reason="Fine")


def test_s3_another_offices_supervisor_does_not_find_the_claim():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim)

    with pytest.raises(CaseNotFound):
        concur(claim, sao=uscis(Role.SUPERVISORY_ASYLUM_OFFICER, office=HOU))


@pytest.mark.parametrize(
    ("field", "decision", "reason"), [("reason", "concur", " "), ("decision", "approve", "Fine")]
)
def test_s3_the_review_needs_a_decision_and_a_reason(field, decision, reason):
    (case,) = family(S.ENROLLED)
    claim = record(case)
    assess(claim)

    with pytest.raises(InvalidInput) as refused:
        fear_assessment_review(
            claim_id=claim.pk, actor=uscis(Role.SUPERVISORY_ASYLUM_OFFICER), decision=decision, reason=reason
        )

    assert refused.value.field == field


def test_s3_nothing_submitted_is_nothing_to_review():
    (case,) = family(S.ENROLLED)
    claim = record(case)
    schedule(claim, uscis())

    with pytest.raises(ConcurrentEdit) as refused:
        concur(claim)

    assert refused.value.code == "not_submitted"


def test_s3_returned_for_correction_then_resubmitted_then_concurred():
    cases = family(S.ENROLLED, S.ENROLLED)
    claim = record(cases[0])
    ao = uscis()
    sao = uscis(Role.SUPERVISORY_ASYLUM_OFFICER)
    assess(claim, "negative", ao=ao)

    returned = fear_assessment_review(
        claim_id=claim.pk, actor=sao, decision="return", reason="The account names a ground: reconsider nexus"
    )

    assert (returned.status, returned.reviewed_by) == ("returned", sao)
    claim.refresh_from_db()
    assert claim.status == FearClaim.Status.RETURNED and claim.hold.is_open
    assert statuses(cases) == [S.ENROLLED, S.ENROLLED]  # nothing in effect
    event = CaseEvent.objects.get(case=cases[0], type="fear.assessment_returned")
    assert event.sensitivities == ["interview"]
    assert OutboxEvent.objects.get(event="fear.assessment_returned").payload["assessed_by_id"] == ao.pk
    with pytest.raises(ConcurrentEdit) as again:
        concur(claim, sao=uscis(Role.SUPERVISORY_ASYLUM_OFFICER))
    assert again.value.code == "already_reviewed"

    fear_assessment_submit(
        claim_id=claim.pk, actor=ao, data=assessment_input("positive", grounds=["social_group"])
    )
    claim.refresh_from_db()
    assert claim.status == FearClaim.Status.SUBMITTED
    concur(claim, sao=sao)

    claim.refresh_from_db()
    assert (claim.status, claim.outcome) == ("decided", "positive")
    assert statuses(cases) == [S.REMOVED_FROM_MPP, S.REMOVED_FROM_MPP]
    versions = list(FearAssessment.history.order_by("history_id").values_list("status", "determination"))
    assert versions == [
        ("scheduled", ""),
        ("submitted", "negative"),
        ("returned", "negative"),
        ("submitted", "positive"),
        ("concurred", "positive"),
    ]


def test_s3_a_concurred_assessment_is_not_reviewed_again():
    (case,) = family(S.ENROLLED)
    claim = decide(case, "negative")

    with pytest.raises(ConcurrentEdit) as refused:
        concur(claim)

    assert refused.value.code == "already_reviewed"
    assert CaseEvent.objects.filter(case=case, type="fear.concurred").count() == 1


# --- history ----------------------------------------------------------------------------------------------


def test_every_write_leaves_history_with_the_actor_and_a_reason():
    mother, child = family(S.ENROLLED, S.ENROLLED)
    officer, ao = cbp(), uscis()
    sao, sao_b = uscis(Role.SUPERVISORY_ASYLUM_OFFICER), uscis(Role.SUPERVISORY_ASYLUM_OFFICER)
    claim = record(child, by=officer, stated_by=FearClaim.StatedBy.PARENT, stated_by_alien_id=mother.alien_id)
    assess(claim, "negative", ao=ao)
    fear_assessment_review(claim_id=claim.pk, actor=sao, decision="return", reason="Reconsider")
    fear_assessment_submit(claim_id=claim.pk, actor=ao, data=assessment_input("positive"))
    concur(claim, sao=sao_b)

    claim_rows = list(FearClaim.history.filter(id=claim.pk).order_by("history_id"))
    assert [(r.status, r.history_user) for r in claim_rows] == [
        ("referred", officer),
        ("scheduled", ao),
        ("submitted", ao),
        ("returned", sao),
        ("submitted", ao),
        ("decided", sao_b),
    ]
    assessment_rows = list(FearAssessment.history.order_by("history_id"))
    assert [r.history_user for r in assessment_rows] == [ao, ao, sao, ao, sao_b]
    hold_rows = list(Hold.history.filter(id=claim.hold_id).order_by("history_id"))
    assert [(r.released_at is None, r.history_user) for r in hold_rows] == [(True, officer), (False, sao_b)]
    moved = list(Case.history.filter(id__in=[mother.pk, child.pk], status=S.REMOVED_FROM_MPP))
    assert len(moved) == 2 and {r.history_user for r in moved} == {sao_b}
    referrals = list(CustodyReferral.history.all())
    assert len(referrals) == 2 and {r.history_user for r in referrals} == {sao_b}
    for row in [*claim_rows, *assessment_rows, *hold_rows, *moved, *referrals]:
        assert row.history_change_reason and row.history_change_reason.strip()
    # The reasons say why, not what was said: no account, analysis or statement in the history's reasons.
    for row in [*claim_rows, *assessment_rows, *hold_rows]:
        for secret in (ACCOUNT, ANALYSIS, STATEMENT, MEDICAL):
            assert secret not in row.history_change_reason


def test_s1_a_family_screened_again_after_its_fear_was_decided_is_not_referred_a_second_time(
    officer, supervisor
):
    """The fear stated at screening was assessed negative and concurred; the supervisor then returns the
    family for re-screening and the officer submits it again: the screening's fear is the same claim."""
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    claim = FearClaim.objects.get()
    assess(claim, "negative")
    concur(claim)
    amenability_return(actor=supervisor, review_id=review.pk, reason="Check the father's documents")

    family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    assert FearClaim.objects.count() == 1
    assert not Hold.objects.filter(released_at__isnull=True).exists()
