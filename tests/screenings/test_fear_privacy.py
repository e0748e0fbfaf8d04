"""Field-level privacy of fear claims, role by role, as ``screenings.fear_selectors`` states it:

- everyone who reads the case: that a claim exists, when and where, its office, its status and, once
  concurred, its outcome;
- ``fear`` readers (asylum officers, their supervisors, the CBP supervisor): also who stated it for whom,
  the statement, the determination before it is concurred, and its grounds;
- ``interview`` readers (USCIS only): also the interpreter, counsel, the account, medical details, the
  analysis and the supervisory review's reasons.

The same holds for the case timeline, the holds list, notifications, bus events and case search."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus
from cases.selectors import case_search, case_timeline, holds_of_case
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.accounts.selectors import users_with_access
from mpp.outbox.models import Notification, OutboxEvent
from mpp.outbox.services import outbox_relay
from screenings.fear_selectors import claim_base, claim_view, fear_claims_of_case
from screenings.fear_services import fear_assessment_review, fear_assessment_submit
from screenings.models import FearAssessment, FearClaim
from tests.factories import language, user_with_role
from tests.screenings.test_fear_services import (
    ACCOUNT,
    ANALYSIS,
    HOU,
    LAX,
    MEDICAL,
    REVIEW_NOTE,
    STATEMENT,
    SYS,
    assessment_input,
    concur,
    family,
    record,
    schedule,
    uscis,
)

pytestmark = pytest.mark.django_db

S = CaseStatus
RETURN_REASON = "Return: the dates of the two beatings in the account disagree"
INTERPRETER = "Interpreter 40417"
COUNSEL = "Lic. Marta Ibáñez"
GROUND = "Political opinion"
# What only the ``interview`` readers see, and what only the ``fear`` readers see beyond everyone.
INTERVIEW_ONLY = (ACCOUNT, MEDICAL, ANALYSIS, RETURN_REASON, REVIEW_NOTE, INTERPRETER, COUNSEL)

# role → (duty locations, reads ``fear``, reads ``interview``)
READERS = {
    Role.CBP_OFFICER: ([SYS], False, False),
    Role.BORDER_PATROL_AGENT: ([SYS], False, False),
    Role.CBP_SUPERVISOR: ([SYS], True, False),
    Role.ASYLUM_OFFICER: ([LAX], True, True),
    Role.SUPERVISORY_ASYLUM_OFFICER: ([LAX], True, True),
    Role.COURT_STAFF: ([], False, False),
    Role.ICE_OFFICER: ([SYS], False, False),
    Role.ADMINISTRATOR: ([], False, False),
}


def _claim(*, concurred: bool) -> tuple[Case, Case, FearClaim]:
    """A mother states the fear for her child (S1); the asylum officer records an interview with an
    interpreter and counsel, the account, medical details and the analysis; the supervisor returns it for
    correction, it is submitted again and, if ``concurred``, concurred positive."""
    mother, child = family(S.ENROLLED, S.ENROLLED)
    claim = record(child, stated_by=FearClaim.StatedBy.PARENT, stated_by_alien_id=mother.alien_id)
    ao, sao = uscis(), uscis(Role.SUPERVISORY_ASYLUM_OFFICER)
    schedule(claim, ao)
    data = assessment_input(
        "positive",
        interview_language_id=language("es").pk,
        interpretation_mode=FearAssessment.Interpretation.TELEPHONIC,
        interpreter_id=INTERPRETER,
        counsel_present_by_phone=True,
        counsel_name=COUNSEL,
    )
    fear_assessment_submit(claim_id=claim.pk, actor=ao, data=data)
    fear_assessment_review(claim_id=claim.pk, actor=sao, decision="return", reason=RETURN_REASON)
    fear_assessment_submit(claim_id=claim.pk, actor=ao, data=data)
    if concurred:
        concur(claim, sao=sao, reason=REVIEW_NOTE)
    return mother, child, claim_base().get(pk=claim.pk)


def _reader(role: str) -> User:
    locations, _, _ = READERS[role]
    return user_with_role(role, locations=locations)


def _timeline_text(case: Case, user: User) -> str:
    return "\n".join(f"{e.label} | {e.reason} | {e.details!r}" for e in case_timeline(case=case, user=user))


# --- the claim, as each role reads it -----------------------------------------------------------------


@pytest.mark.parametrize("role", list(READERS))
@pytest.mark.parametrize("concurred", [False, True], ids=["awaiting_review", "concurred"])
def test_s1_s3_each_role_reads_exactly_the_fields_of_a_claim_its_role_may(role, concurred):
    mother, child, _ = _claim(concurred=concurred)
    _, fear, interview = READERS[role]
    user = _reader(role)

    (view,) = fear_claims_of_case(user=user, case=child)

    # Everyone: the claim exists, its status, where and when, and (once concurred) the outcome.
    assert view.claim.case_id == child.pk and view.claim.asylum_office.code == LAX
    assert view.status_label == FearClaim.Status(view.claim.status).label
    assert (view.outcome_label is not None) == concurred
    assert (view.may_read_fear, view.may_read_interview) == (fear, interview)
    assert view.restricted == tuple(k for k, ok in (("fear", fear), ("interview", interview)) if not ok)
    a = view.assessment
    assert a is not None and a.asylum_officer and a.assessed_by
    assert (a.reviewed_by is not None) is True  # the return's reviewer, then the concurring one
    # fear: who stated it for whom, the statement, the grounds; the determination before it is in effect.
    assert view.statement == (STATEMENT if fear else None)
    assert view.stated_by == ("A parent, for the child" if fear else None)
    assert view.stated_by_name == (mother.alien.full_name if fear else None)
    assert a.grounds == ([GROUND] if fear else None)
    assert a.determination == ("positive" if fear or concurred else None)
    # interview: the interview itself.
    shown = {
        "account": ACCOUNT,
        "medical_notes": MEDICAL,
        "determination_reason": ANALYSIS,
        "interpreter_id": INTERPRETER,
        "counsel": f"Retained counsel by telephone: {COUNSEL}",
        "review_reason": REVIEW_NOTE if concurred else RETURN_REASON,
        "interview_language": "Spanish",
        "interpretation": "Telephonic interpreter",
    }
    for field, value in shown.items():
        assert getattr(a, field) == (value if interview else None), field


def test_s1_claim_view_reads_nothing_more_than_claim_base_loaded(django_assert_num_queries):
    *_, claim = _claim(concurred=True)
    # As a request loads them: roles and duty locations in the user's own query.
    readers = [users_with_access().get(pk=_reader(role).pk) for role in READERS]

    with django_assert_num_queries(0):
        for user in readers:
            claim_view(user=user, claim=claim)


@pytest.mark.parametrize("role", [Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER])
@pytest.mark.parametrize("posted", [[HOU], []], ids=["another_office", "no_office"])
def test_s1_uscis_read_the_content_of_their_own_offices_claims_only(role, posted):
    """USCIS see every case nationally, but a claim's statement and interview are their office's: another
    office's asylum officer (or one posted nowhere) reads what the court or ICE read."""
    _, child, claim = _claim(concurred=True)
    user = user_with_role(role, locations=posted)

    view = claim_view(user=user, claim=claim)

    assert (view.may_read_fear, view.may_read_interview) == (False, False)
    assert view.statement is None and view.assessment is not None and view.assessment.account is None
    assert view.assessment.grounds is None and view.assessment.review_reason is None
    assert view.outcome_label is not None  # concurred: in effect, everyone's business
    assert view.claim.case_id == child.pk


def test_s1_the_timeline_withholds_another_offices_claim_content_from_uscis_as_the_claim_view_does():
    _, child, _ = _claim(concurred=True)
    user = user_with_role(Role.ASYLUM_OFFICER, locations=[HOU])

    text = _timeline_text(child, user)

    assert GROUND not in text and RETURN_REASON not in text


@pytest.mark.parametrize("role", [Role.PRINT_STAFF, Role.ANALYST])
def test_s1_print_staff_and_analysts_read_no_claim_and_no_timeline(role):
    _, child, _ = _claim(concurred=True)
    user = user_with_role(role, locations=[SYS] if role == Role.PRINT_STAFF else [])

    assert fear_claims_of_case(user=user, case=child) == []
    assert case_timeline(case=child, user=user) == []
    assert holds_of_case(user=user, case=child) == []


# --- the timeline and the holds list ------------------------------------------------------------------


@pytest.mark.parametrize("role", list(READERS))
def test_s1_s3_the_timeline_withholds_what_the_role_may_not_read(role):
    mother, child, _ = _claim(concurred=True)
    _, fear, interview = READERS[role]
    user = _reader(role)

    text = _timeline_text(child, user)
    entries = {e.type: e for e in case_timeline(case=child, user=user)}

    # The statement, the account, medical details and the analysis are never on a timeline.
    for secret in (STATEMENT, ACCOUNT, MEDICAL, ANALYSIS, REVIEW_NOTE):
        assert secret not in text, secret
    assert (GROUND in text) == fear  # the determination's grounds (fear.assessed)
    assert (RETURN_REASON in text) == interview  # the return's reason (fear.assessment_returned)
    assert ("fear of return to Mexico stated" in text) == fear  # the hold's reason
    assert entries["fear.assessed"].restricted == (() if fear else ("fear",))
    assert entries["fear.assessment_returned"].restricted == (() if interview else ("interview",))
    # Everyone reads that there is a claim, where it went, and what the concurred outcome did.
    assert "Referred to the Los Angeles Asylum Office" in entries["fear.claim_recorded"].reason
    assert entries["fear.claim_recorded"].details["claim_id"]
    assert "Positive" in entries["fear.concurred"].reason
    assert "S4 · fear_of_mexico" in entries["fear.removed_from_mpp"].reason
    assert "F5 · family_member_fear_positive" in _timeline_text(mother, user)


@pytest.mark.parametrize("role", list(READERS))
def test_s1_the_fear_claims_hold_shows_its_reasons_to_fear_readers_only(role):
    _, child, _ = _claim(concurred=True)
    _, fear, _ = READERS[role]

    (hold,) = holds_of_case(user=_reader(role), case=child)

    assert hold.kind is not None and hold.kind.code == "fear_claim"
    assert (hold.reason is not None, hold.release_reason is not None) == (fear, fear)
    assert hold.may_release is False  # the concurrence releases it, not the hold form


# --- notifications, bus events, search -------------------------------------------------------------------


def test_s1_s3_notifications_and_bus_events_carry_no_statement_account_or_analysis():
    for role in (Role.CBP_SUPERVISOR, Role.ICE_OFFICER, Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER):
        _reader(role)
    _claim(concurred=True)

    outbox_relay()

    notices = list(Notification.objects.values_list("event__event", "message"))
    assert {event for event, _ in notices} >= {
        "fear.claim_referred",
        "fear.assessment_submitted",
        "fear.assessment_returned",
        "fear.concurred",
        "custody.referred",
    }
    payloads = [repr(p) for p in OutboxEvent.objects.values_list("payload", flat=True)]
    for text in [message for _, message in notices] + payloads:
        for secret in (STATEMENT, GROUND, *INTERVIEW_ONLY):
            assert secret not in text, (secret, text)


def test_s1_case_search_does_not_match_what_a_claim_or_its_interview_says():
    _, child, _ = _claim(concurred=True)

    for user in (
        _reader(Role.SUPERVISORY_ASYLUM_OFFICER),
        _reader(Role.CBP_SUPERVISOR),
        _reader(Role.COURT_STAFF),
    ):
        assert case_search(user=user, query="Zarandona") == []  # a word of the account
        assert case_search(user=user, query="Reynosa") == []  # a word of the statement
        assert case_search(user=user, query="Matamoros packages") == []
    found = case_search(user=_reader(Role.COURT_STAFF), query=child.alien.family_name)
    assert child.pk in [c.pk for c in found]


def test_s3_before_concurrence_only_fear_readers_know_the_determination():
    _, child, _ = _claim(concurred=False)

    officer_view = claim_view(user=_reader(Role.CBP_OFFICER), claim=claim_base().get(case=child))
    supervisor_view = claim_view(user=_reader(Role.CBP_SUPERVISOR), claim=claim_base().get(case=child))

    assert officer_view.assessment is not None and supervisor_view.assessment is not None
    assert (officer_view.assessment.determination, officer_view.assessment.determination_label) == (
        None,
        None,
    )
    assert supervisor_view.assessment.determination == "positive"
    assert officer_view.outcome_label is None and officer_view.claim.status == "submitted"
    assert timezone.is_aware(officer_view.assessment.interview_at)
