"""The fear-claim REST API (/api/v1/fear-claims/, step 7): who may call what, what each role reads of a claim
(field-level, S1-S3), refusals naming the field and writing nothing, another asylum office's claim as a
missing one, the supervisory review's conflicts and separation of duties (S3), the queue's query count, and
the schema."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Alien, Case, CaseEvent, CaseStatus, Hold
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from screenings.models import FearAssessment, FearClaim
from tests.api_contract import refusal
from tests.factories import family_with_cases, language, location, user_with_role

pytestmark = pytest.mark.django_db

API = "/api/v1"
CLAIMS = f"{API}/fear-claims/"

# Restricted content the tests write, so that a response can be searched for it whole.
STATEMENT = "Statement-SECRET: the cartel threatened my family in Tijuana."
ACCOUNT = "Account-SECRET: I was kidnapped and beaten for my political work."
MEDICAL = "Medical-SECRET: scars on both forearms, untreated fracture."
ANALYSIS = "Analysis-SECRET: credible, consistent, nexus to political opinion."
REVIEW_NOTE = "Review-SECRET: well reasoned, concur."

# Who may call what: written out from the brief and screenings.workflow, not read from the code under test.
READERS = frozenset(
    {
        Role.CBP_OFFICER,
        Role.BORDER_PATROL_AGENT,
        Role.CBP_SUPERVISOR,
        Role.COURT_STAFF,
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
        Role.ICE_OFFICER,
    }
)
USCIS = frozenset({Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER})
RECORDERS = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF})
ROLE_MATRIX: dict[str, frozenset[str]] = {
    "list office": READERS,  # admitted; only USCIS have an office (the others: 400 naming `office`)
    "list case": READERS,
    "retrieve": READERS,
    "create": RECORDERS,
    "schedule": USCIS,
    "assessment": USCIS,
    "review": frozenset({Role.SUPERVISORY_ASYLUM_OFFICER}),
}


@pytest.fixture
def api_for() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


def _user(role: str, **kwargs: Any) -> Any:
    """A user of ``role``; USCIS roles posted at the Los Angeles Asylum Office (it serves San Ysidro)."""
    if role in USCIS and "locations" not in kwargs:
        kwargs["locations"] = ["lax-zla"]
    return user_with_role(role, **kwargs)


def _home(user: Any) -> str:
    return "cv-bps" if user.has_role(Role.BORDER_PATROL_AGENT) else "sys-poe"


def _family(home: str = "sys-poe", size: int = 2) -> list[Case]:
    return family_with_cases(size=size, status=CaseStatus.IN_US_FOR_HEARING, location_code=home)


def _claim(case: Case, *, recorder: Any = None, statement: str = STATEMENT) -> FearClaim:
    home = case.location.code
    recorder = recorder or user_with_role(Role.CBP_OFFICER, locations=[home])
    return fear_claim_record(
        case_id=case.pk,
        actor=recorder,
        data=ClaimInput(
            stated_by="self",
            location_id=location(home).pk,
            setting="hearing_day",
            language_id=language("es").pk,
            stated_at=timezone.now() - dt.timedelta(minutes=3),  # a few minutes ago: after the encounter
            statement=statement,
        ),
    )


def _schedule(claim: FearClaim, officer: Any) -> None:
    fear_interview_schedule(
        claim_id=claim.pk, actor=officer, interview_at=timezone.now() - dt.timedelta(minutes=2)
    )


def _assessment(**overrides: Any) -> AssessmentInput:
    values: dict[str, Any] = {
        "interview_held_at": timezone.now() - dt.timedelta(minutes=1),
        "determination": "positive",
        "grounds": ["political_opinion"],
        "account": ACCOUNT,
        "determination_reason": ANALYSIS,
        "medical_notes": MEDICAL,
        "interview_language_id": language("es").pk,
        "interpretation_mode": "telephonic",
        "interpreter_id": "Interpreter 4411",
    }
    return AssessmentInput(**{**values, **overrides})


def _submitted(case: Case, officer: Any, **overrides: Any) -> FearClaim:
    claim = _claim(case)
    _schedule(claim, officer)
    fear_assessment_submit(claim_id=claim.pk, actor=officer, data=_assessment(**overrides))
    return claim


def _assessment_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "interview_held_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
        "determination": "positive",
        "grounds": ["political_opinion"],
        "account": ACCOUNT,
        "determination_reason": ANALYSIS,
        "medical_notes": MEDICAL,
        "interview_language": "es",
        "interpretation_mode": "telephonic",
        "interpreter_id": "Interpreter 4411",
    }
    return {**body, **overrides}


def _record_body(claimant: Case, **overrides: Any) -> dict[str, Any]:
    body = {
        "case": claimant.pk,
        "stated_by": "self",
        "location": claimant.location.code,
        "setting": "hearing_day",
        "language": "es",
        "statement": STATEMENT,
        "stated_at": (
            timezone.now() - dt.timedelta(minutes=3)
        ).isoformat(),  # a few minutes ago: after the encounter
    }
    return {**body, **overrides}


# --- the role matrix ------------------------------------------------------------------------------------


def _request_for(user: Any, operation: str) -> tuple[str, str, Any, int]:
    """Records at the user's own location (and asylum office), made by colleagues, and the request
    (method, path, body, success status) that performs ``operation`` on them."""
    home = _home(user)
    cases = _family(home)
    if operation == "list office":
        _claim(cases[0])
        return "get", CLAIMS, {"office": "lax-zla", "tab": "to_schedule"}, 200
    if operation == "create":
        return "post", CLAIMS, _record_body(cases[0]), 201
    if operation == "list case":
        _claim(cases[0])
        return "get", CLAIMS, {"case": cases[0].pk}, 200
    if operation == "retrieve":
        return "get", f"{CLAIMS}{_claim(cases[0]).pk}/", None, 200
    officer = _user(Role.ASYLUM_OFFICER)
    if operation == "schedule":
        claim = _claim(cases[0])
        interview = (timezone.now() + dt.timedelta(days=1)).isoformat()
        return "post", f"{CLAIMS}{claim.pk}/schedule/", {"interview_at": interview}, 200
    if operation == "assessment":
        claim = _claim(cases[0])
        _schedule(claim, officer)
        return "post", f"{CLAIMS}{claim.pk}/assessment/", _assessment_body(), 200
    claim = _submitted(cases[0], officer)
    return "post", f"{CLAIMS}{claim.pk}/review/", {"decision": "return", "reason": "Matrix test"}, 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", list(ROLE_MATRIX))
def test_each_fear_claim_endpoint_admits_exactly_the_roles_of_the_matrix(api_for, role, operation):
    user = _user(role)
    method, path, body, success = _request_for(user, operation)

    response = getattr(api_for(user), method)(path, body, format="json" if method == "post" else None)

    if role not in ROLE_MATRIX[operation]:
        assert refusal(response, 403)["code"] == "not_permitted"
    elif operation == "list office" and role not in USCIS:
        assert refusal(response, 400)["field"] == "office"  # posted at no asylum office
    else:
        assert response.status_code == success, response.content


@pytest.mark.parametrize("operation", list(ROLE_MATRIX))
def test_anonymous_callers_are_refused_and_nothing_changes(api_for, operation):
    method, path, body, _ = _request_for(_user(Role.SUPERVISORY_ASYLUM_OFFICER), operation)
    before = (FearClaim.objects.count(), FearAssessment.objects.count(), CaseEvent.objects.count())

    response = getattr(api_for(None), method)(path, body, format="json" if method == "post" else None)

    assert response.status_code in (401, 403)
    assert (FearClaim.objects.count(), FearAssessment.objects.count(), CaseEvent.objects.count()) == before


# --- the whole path -------------------------------------------------------------------------------------


def test_s1_s3_s4_f5_the_whole_path_from_the_port_to_the_concurrence_removes_the_family(api_for):
    cases = _family(size=3)
    officer = user_with_role(Role.CBP_OFFICER)
    asylum_officer = _user(Role.ASYLUM_OFFICER)
    supervisor = _user(Role.SUPERVISORY_ASYLUM_OFFICER)

    recorded = api_for(officer).post(CLAIMS, _record_body(cases[0]), format="json")
    assert recorded.status_code == 201, recorded.content
    claim_id = recorded.json()["id"]
    assert recorded.json()["already_pending"] is False
    assert recorded.json()["asylum_office"] == {"code": "lax-zla", "name": "Los Angeles Asylum Office"}
    assert recorded.json()["status"] == "referred"

    queue = api_for(asylum_officer).get(CLAIMS, {"office": "lax-zla"}).json()["results"]
    assert [row["id"] for row in queue] == [claim_id]

    interview = (timezone.now() - dt.timedelta(minutes=2)).isoformat()
    scheduled = api_for(asylum_officer).post(
        f"{CLAIMS}{claim_id}/schedule/", {"interview_at": interview}, format="json"
    )
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["assessment"]["asylum_officer"]["id"] == asylum_officer.pk

    assessed = api_for(asylum_officer).post(
        f"{CLAIMS}{claim_id}/assessment/", _assessment_body(), format="json"
    )
    assert assessed.status_code == 200, assessed.content
    assert assessed.json()["status"] == "submitted"
    assert assessed.json()["assessment"]["grounds"] == ["political_opinion"]

    review_queue = api_for(supervisor).get(CLAIMS, {"office": "lax-zla"}).json()["results"]  # default: review
    assert [row["id"] for row in review_queue] == [claim_id]
    concurred = api_for(supervisor).post(
        f"{CLAIMS}{claim_id}/review/", {"decision": "concur", "reason": REVIEW_NOTE}, format="json"
    )

    assert concurred.status_code == 200, concurred.content
    assert concurred.json()["status"] == "decided"
    assert concurred.json()["outcome"] == "positive"
    assert concurred.json()["assessment"]["status"] == "concurred"
    assert [Case.objects.get(pk=c.pk).status for c in cases] == [CaseStatus.REMOVED_FROM_MPP] * 3
    assert not Hold.objects.get(pk=recorded.json()["hold"]).is_open


def test_s1_recording_a_fear_already_pending_returns_that_claim_and_records_nothing(api_for):
    case = _family()[0]
    first = _claim(case)
    court_clerk = user_with_role(Role.COURT_STAFF)

    response = api_for(court_clerk).post(CLAIMS, _record_body(case, setting="court"), format="json")

    assert response.status_code == 200, response.content
    assert response.json()["id"] == first.pk
    assert response.json()["already_pending"] is True
    assert FearClaim.objects.filter(case=case).count() == 1


def test_s1_a_parent_states_fear_for_a_child(api_for):
    mother, child = _family()
    child.alien.date_of_birth = timezone.localdate() - dt.timedelta(days=365 * 6)
    child.alien.save()
    supervisor = user_with_role(Role.CBP_SUPERVISOR)

    response = api_for(supervisor).post(
        CLAIMS,
        _record_body(child, stated_by="parent", stated_by_alien=mother.alien_id),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == child.pk
    assert body["stated_by"] == "parent"  # a CBP supervisor reads `fear`
    assert body["stated_by_alien"] == {"id": mother.alien_id, "name": mother.alien.full_name}


# --- field-level: what each role reads ------------------------------------------------------------------


def _everything(response: Any) -> str:
    return json.dumps(response.json())


def _claim_submitted_for_reading() -> tuple[FearClaim, Any]:
    officer = _user(Role.ASYLUM_OFFICER)
    return _submitted(_family()[0], officer), officer


@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.COURT_STAFF, Role.ICE_OFFICER])
def test_field_level_other_readers_see_that_a_claim_exists_and_its_status_nothing_of_its_content(
    api_for, role
):
    claim, _ = _claim_submitted_for_reading()
    reader = user_with_role(role)

    response = api_for(reader).get(f"{CLAIMS}{claim.pk}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["restricted"] == ["fear", "interview"]
    assert (body["id"], body["status"], body["asylum_office"]["code"]) == (claim.pk, "submitted", "lax-zla")
    assert body["location"]["code"] == "sys-poe" and body["stated_at"]
    assert body["outcome"] is None
    for withheld in ("stated_by", "stated_by_alien", "statement"):
        assert body[withheld] is None, withheld
    assessment = body["assessment"]
    assert assessment["status"] == "submitted"
    for withheld in (
        "determination",
        "determination_label",
        "grounds",
        "interview_language",
        "interpretation_mode",
        "interpreter_id",
        "counsel_present_by_phone",
        "counsel_name",
        "account",
        "medical_notes",
        "determination_reason",
        "review_reason",
    ):
        assert assessment[withheld] is None, withheld
    text = _everything(response)
    for secret in (STATEMENT, ACCOUNT, MEDICAL, ANALYSIS, "political_opinion", "Interpreter 4411"):
        assert secret not in text


def test_field_level_the_cbp_supervisor_reads_the_statement_and_grounds_not_the_interview(api_for):
    claim, _ = _claim_submitted_for_reading()
    supervisor = user_with_role(Role.CBP_SUPERVISOR)

    response = api_for(supervisor).get(f"{CLAIMS}{claim.pk}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["restricted"] == ["interview"]
    assert body["statement"] == STATEMENT
    assert body["stated_by"] == "self"
    assessment = body["assessment"]
    assert assessment["determination"] == "positive"
    assert assessment["grounds"] == ["political_opinion"]
    for withheld in ("account", "medical_notes", "determination_reason", "interpreter_id", "review_reason"):
        assert assessment[withheld] is None, withheld
    text = _everything(response)
    for secret in (ACCOUNT, MEDICAL, ANALYSIS):
        assert secret not in text


@pytest.mark.parametrize("role", sorted(USCIS))
def test_field_level_uscis_at_the_office_read_everything(api_for, role):
    claim, _ = _claim_submitted_for_reading()
    reader = _user(role)

    response = api_for(reader).get(f"{CLAIMS}{claim.pk}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["restricted"] == []
    assert body["statement"] == STATEMENT
    assessment = body["assessment"]
    assert (assessment["account"], assessment["medical_notes"]) == (ACCOUNT, MEDICAL)
    assert assessment["determination_reason"] == ANALYSIS
    assert assessment["grounds"] == ["political_opinion"]
    assert (assessment["interview_language"], assessment["interpretation_mode"]) == ("es", "telephonic")
    assert assessment["interpreter_id"] == "Interpreter 4411"
    assert AccessLog.objects.filter(
        user=reader, object_type="fear_claim", object_ids=[str(claim.pk)]
    ).exists()


def test_field_level_once_concurred_every_reader_sees_the_outcome_still_not_the_content(api_for):
    claim, _ = _claim_submitted_for_reading()
    fear_assessment_review(
        claim_id=claim.pk, actor=_user(Role.SUPERVISORY_ASYLUM_OFFICER), decision="concur", reason=REVIEW_NOTE
    )
    ice = user_with_role(Role.ICE_OFFICER)

    response = api_for(ice).get(f"{CLAIMS}{claim.pk}/")

    body = response.json()
    assert (body["status"], body["outcome"]) == ("decided", "positive")
    assert body["assessment"]["determination"] == "positive"
    assert body["assessment"]["grounds"] is None
    text = _everything(response)
    for secret in (STATEMENT, ACCOUNT, MEDICAL, ANALYSIS, REVIEW_NOTE):
        assert secret not in text


@pytest.mark.parametrize(
    "role", [Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.COURT_STAFF, Role.ICE_OFFICER, Role.ASYLUM_OFFICER]
)
def test_field_level_list_rows_hold_nothing_restricted(api_for, role):
    claim, _ = _claim_submitted_for_reading()
    reader = _user(role)

    response = api_for(reader).get(CLAIMS, {"case": claim.case_id})

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [claim.pk]
    text = _everything(response)
    for secret in (STATEMENT, ACCOUNT, MEDICAL, ANALYSIS, "political_opinion"):
        assert secret not in text


# --- scope: another office, another location --------------------------------------------------------------


def test_another_asylum_offices_claim_is_a_404_like_a_missing_one(api_for):
    claim, _ = _claim_submitted_for_reading()
    houston = _user(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["hou-zhn"])
    client = api_for(houston)
    missing = refusal(client.get(f"{CLAIMS}987654321/"), 404)
    requests = [
        ("get", f"{CLAIMS}{claim.pk}/", None),
        ("post", f"{CLAIMS}{claim.pk}/schedule/", {"interview_at": timezone.now().isoformat()}),
        ("post", f"{CLAIMS}{claim.pk}/assessment/", _assessment_body()),
        ("post", f"{CLAIMS}{claim.pk}/review/", {"decision": "concur", "reason": "Not mine"}),
    ]
    before = FearAssessment.objects.get(claim=claim).status

    for method, path, body in requests:
        response = getattr(client, method)(path, body, format="json" if body else None)
        assert refusal(response, 404) == missing, path

    assert FearAssessment.objects.get(claim=claim).status == before == FearAssessment.Status.SUBMITTED


def test_the_queue_of_an_office_you_are_not_posted_at_is_refused_naming_office(api_for):
    _claim(_family()[0])
    houston = _user(Role.ASYLUM_OFFICER, locations=["hou-zhn"])

    response = api_for(houston).get(CLAIMS, {"office": "lax-zla"})

    body = refusal(response, 400)
    assert (body["field"], body["code"]) == ("office", "not_your_office")


def test_a_case_at_another_duty_location_has_no_claims_for_you(api_for):
    claim = _claim(_family("sys-poe")[0])
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["cv-bps"])

    listed = api_for(elsewhere).get(CLAIMS, {"case": claim.case_id})
    one = api_for(elsewhere).get(f"{CLAIMS}{claim.pk}/")

    assert listed.status_code == 200 and listed.json()["results"] == []
    refusal(one, 404)


# --- refusals name the field and write nothing --------------------------------------------------------------


def _counts() -> tuple[int, ...]:
    return (
        FearClaim.objects.count(),
        Hold.objects.count(),
        CaseEvent.objects.count(),
        FearAssessment.objects.count(),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"stated_by": "parent"}, "stated_by"),  # an adult states their own fear (S1)
        ({"stated_by": "cousin"}, "stated_by"),
        ({"location": "no-such-place"}, "location"),
        ({"location": "lax-zla"}, "location"),  # an asylum office is not where a fear is stated
        ({"language": "xx"}, "language"),
        ({"setting": "airport"}, "setting"),
        ({"stated_at": "2026-01-01T10:00:00"}, "stated_at"),  # no UTC offset
        ({"stated_at": (timezone.now() + dt.timedelta(days=2)).isoformat()}, "stated_at"),  # future
        ({"case": "seven"}, "case"),
        ({"case": 2**63}, "case"),
        ({"statement": "nul\x00"}, "statement"),
    ],
)
def test_recording_a_claim_with_bad_input_names_the_field_and_writes_nothing(api_for, overrides, field):
    case = _family()[0]
    officer = user_with_role(Role.CBP_OFFICER)
    before = _counts()

    response = api_for(officer).post(CLAIMS, _record_body(case, **overrides), format="json")

    assert refusal(response, 400)["field"] == field
    assert _counts() == before


def test_recording_a_claim_at_a_location_not_yours_is_refused_and_writes_nothing(api_for):
    case = _family()[0]
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "cv-bps"])
    before = _counts()

    response = api_for(officer).post(CLAIMS, _record_body(case, location="cxl-poe"), format="json")

    assert refusal(response, 403)["field"] == "location"
    assert _counts() == before


def test_s1_recording_a_claim_for_someone_no_longer_in_mpp_is_refused_with_its_rule(api_for):
    case = family_with_cases(size=1, status=CaseStatus.REMOVED_FROM_MPP)[0]
    before = _counts()

    response = api_for(user_with_role(Role.CBP_OFFICER)).post(CLAIMS, _record_body(case), format="json")

    body = refusal(response, 409)
    assert (body["code"], body["rule"]) == ("fear_claim_not_applicable", "S1")
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grounds": []}, "grounds"),  # S3: a positive determination names its ground
        ({"determination": "negative"}, "grounds"),  # a negative one names none
        ({"grounds": ["wealth"]}, "grounds.0"),  # the item at fault, as a dotted path
        ({"determination": "maybe"}, "determination"),
        ({"interpreter_id": ""}, "interpreter_id"),  # S2: with an interpreter
        ({"interview_language": None}, "interview_language"),
        ({"counsel_present_by_phone": True}, "counsel_name"),
        ({"account": "  "}, "account"),
        ({"determination_reason": ""}, "determination_reason"),
        ({"interview_held_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, "interview_held_at"),
    ],
)
def test_s2_s3_an_assessment_with_bad_input_names_the_field_and_writes_nothing(api_for, overrides, field):
    officer = _user(Role.ASYLUM_OFFICER)
    claim = _claim(_family()[0])
    _schedule(claim, officer)
    before = _counts()

    response = api_for(officer).post(
        f"{CLAIMS}{claim.pk}/assessment/", _assessment_body(**overrides), format="json"
    )

    assert refusal(response, 400)["field"] == field
    assert _counts() == before
    assert FearAssessment.objects.get(claim=claim).status == FearAssessment.Status.SCHEDULED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "interview_at"),
        ({"interview_at": "tomorrow"}, "interview_at"),
        ({"interview_at": "2001-01-01T10:00:00Z"}, "interview_at"),  # before the fear was stated
        ({"interview_at": "2099-01-01T10:00:00Z", "asylum_officer": "houston"}, "asylum_officer"),
    ],
)
def test_s2_scheduling_with_bad_input_names_the_field_and_writes_nothing(api_for, body, field):
    officer = _user(Role.ASYLUM_OFFICER)
    claim = _claim(_family()[0])
    if body.get("asylum_officer") == "houston":
        body = {**body, "asylum_officer": _user(Role.ASYLUM_OFFICER, locations=["hou-zhn"]).pk}
    before = _counts()

    response = api_for(officer).post(f"{CLAIMS}{claim.pk}/schedule/", body, format="json")

    assert refusal(response, 400)["field"] == field
    assert _counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "reason": "x"}, "decision"),
        ({"decision": "concur", "reason": ""}, "reason"),
        ({"reason": "No decision"}, "decision"),
    ],
)
def test_s3_a_review_with_bad_input_names_the_field_and_writes_nothing(api_for, body, field):
    claim, _ = _claim_submitted_for_reading()
    supervisor = _user(Role.SUPERVISORY_ASYLUM_OFFICER)
    before = _counts()

    response = api_for(supervisor).post(f"{CLAIMS}{claim.pk}/review/", body, format="json")

    assert refusal(response, 400)["field"] == field
    assert _counts() == before
    assert FearAssessment.objects.get(claim=claim).status == FearAssessment.Status.SUBMITTED


def test_the_list_refuses_a_bad_query_naming_the_parameter(api_for):
    officer = _user(Role.ASYLUM_OFFICER)
    client = api_for(officer)
    cases = [
        ({}, "office"),
        ({"office": "sys-poe"}, "office"),  # not an asylum office
        ({"office": "lax-zla", "tab": "everything"}, "tab"),
        ({"office": "lax-zla", "tab": "review", "status": "submitted"}, "status"),
        ({"office": "lax-zla", "case": 1}, "case"),
        ({"case": 1, "tab": "review"}, "tab"),
        ({"office": "lax-zla", "cursor": "not-a-cursor"}, "cursor"),
    ]

    for query, field in cases:
        assert refusal(client.get(CLAIMS, query), 400)["field"] == field, query


# --- the supervisory review: one decision, separation of duties (S3) -------------------------------------------


def test_s3_two_reviews_the_second_is_told_who_decided_and_changes_nothing(api_for):
    claim, _ = _claim_submitted_for_reading()
    first = _user(Role.SUPERVISORY_ASYLUM_OFFICER)
    second = _user(Role.SUPERVISORY_ASYLUM_OFFICER)

    decided = api_for(first).post(
        f"{CLAIMS}{claim.pk}/review/", {"decision": "concur", "reason": "Concur"}, format="json"
    )
    late = api_for(second).post(
        f"{CLAIMS}{claim.pk}/review/", {"decision": "return", "reason": "Fix the grounds"}, format="json"
    )

    assert decided.status_code == 200, decided.content
    body = refusal(late, 409)
    assert (body["code"], body["rule"]) == ("already_reviewed", "S3")
    assert first.display_name in body["detail"]
    assessment = FearAssessment.objects.get(claim=claim)
    assert (assessment.status, assessment.reviewed_by_id) == (FearAssessment.Status.CONCURRED, first.pk)


def test_s3_the_assessor_cannot_concur_with_their_own_assessment(api_for):
    supervisor = _user(Role.SUPERVISORY_ASYLUM_OFFICER)
    claim = _submitted(_family()[0], supervisor)  # supervisors may assess too, never review their own
    before = _counts()

    response = api_for(supervisor).post(
        f"{CLAIMS}{claim.pk}/review/", {"decision": "concur", "reason": "Mine"}, format="json"
    )

    body = refusal(response, 403)
    assert body["code"] == "separation_of_duties"
    assert _counts() == before
    assert FearAssessment.objects.get(claim=claim).status == FearAssessment.Status.SUBMITTED


def test_s2_an_assessment_without_a_scheduled_interview_conflicts(api_for):
    officer = _user(Role.ASYLUM_OFFICER)
    claim = _claim(_family()[0])

    response = api_for(officer).post(f"{CLAIMS}{claim.pk}/assessment/", _assessment_body(), format="json")

    assert refusal(response, 409)["code"] == "not_scheduled"


# --- the queue: tabs, order, queries -------------------------------------------------------------------------


def test_the_queue_filters_by_tab_or_status_oldest_first(api_for):
    officer = _user(Role.ASYLUM_OFFICER)
    waiting = [_claim(_family()[0]) for _ in range(3)]
    _schedule(waiting[1], officer)
    client = api_for(officer)

    to_schedule = client.get(CLAIMS, {"office": "lax-zla"}).json()
    scheduled = client.get(CLAIMS, {"office": "lax-zla", "status": "scheduled"}).json()

    assert [row["id"] for row in to_schedule["results"]] == [waiting[0].pk, waiting[2].pk]
    assert to_schedule["next"] is None and to_schedule["previous"] is None
    assert [row["id"] for row in scheduled["results"]] == [waiting[1].pk]
    assert scheduled["results"][0]["assessment"]["asylum_officer"]["id"] == officer.pk
    assert scheduled["results"][0]["location"] == {"code": "sys-poe", "name": location("sys-poe").name}


def test_the_queue_reads_in_a_fixed_number_of_queries(api_for):
    officer = _user(Role.ASYLUM_OFFICER)
    client = api_for(officer)
    client.get(CLAIMS, {"office": "lax-zla"})  # the first request of a session warms caches

    for _ in range(2):
        _schedule(_claim(_family()[0]), officer)
    with CaptureQueriesContext(connection) as few:
        few_rows = client.get(CLAIMS, {"office": "lax-zla", "tab": "scheduled"}).json()["results"]
    for _ in range(5):
        _schedule(_claim(_family()[0]), officer)
    with CaptureQueriesContext(connection) as many:
        many_rows = client.get(CLAIMS, {"office": "lax-zla", "tab": "scheduled"}).json()["results"]

    assert (len(few_rows), len(many_rows)) == (2, 7)
    assert [row["stated_at"] for row in many_rows] == sorted(row["stated_at"] for row in many_rows)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 8


# --- the schema -------------------------------------------------------------------------------------------

FEAR_OPERATIONS = {
    ("/api/v1/fear-claims/", "get"): READERS,
    ("/api/v1/fear-claims/", "post"): RECORDERS,
    ("/api/v1/fear-claims/{id}/", "get"): READERS,
    ("/api/v1/fear-claims/{id}/schedule/", "post"): USCIS,
    ("/api/v1/fear-claims/{id}/assessment/", "post"): USCIS,
    ("/api/v1/fear-claims/{id}/review/", "post"): frozenset({Role.SUPERVISORY_ASYLUM_OFFICER}),
}


def test_every_fear_claim_operation_is_in_the_schema_naming_exactly_its_roles(api_for):
    schema = api_for(user_with_role(Role.CBP_OFFICER)).get(f"{API}/schema/", {"format": "json"}).json()

    for (path, method), roles in FEAR_OPERATIONS.items():
        description = schema["paths"][path][method]["description"]
        named = description.split("**Roles admitted:**")[1]
        assert {role for role in Role if f"`{role}`" in named} == roles, (path, method)
    claim = schema["components"]["schemas"]["FearClaim"]["properties"]
    assert {"restricted", "statement", "assessment"} <= set(claim)
    assert set(schema["paths"]["/api/v1/fear-claims/{id}/review/"]["post"]["responses"]) >= {
        "200",
        "400",
        "403",
        "404",
        "409",
        "415",
    }


def test_the_schema_with_the_fear_claim_api_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/v1/fear-claims/{id}/review/" in (tmp_path / "schema.yml").read_text()


def test_the_queue_pages_by_its_links_oldest_first(api_for):
    officer = _user(Role.ASYLUM_OFFICER)
    claims = [_claim(_family(size=1)[0]) for _ in range(51)]  # a page holds 50
    client = api_for(officer)

    first = client.get(CLAIMS, {"office": "lax-zla", "tab": "to_schedule"}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()

    assert [row["id"] for row in first["results"]] == [claim.pk for claim in claims[:50]]
    assert first["previous"] is None
    assert [row["id"] for row in second["results"]] == [claims[50].pk]
    assert second["next"] is None
    assert "office=lax-zla" in first["next"] and "tab=to_schedule" in first["next"]
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]


def test_s1_s3_the_queue_rows_are_the_row_serializers_json_in_every_tab(api_for):
    # screenings.api.fear_serializers.queue_row_json renders the rows from values: they must be what
    # FearClaimRowSerializer renders of claim_row, for claims waiting, scheduled, submitted and decided (with an
    # outcome), a person without an A-number, and a claim stated elsewhere than the asylum office.
    from screenings import fear_selectors
    from screenings.api.fear_serializers import FearClaimRowSerializer, claim_row, queue_row_json
    from tests.screenings.factories import assess, concur

    officer = _user(Role.ASYLUM_OFFICER)
    waiting = _claim(_family()[0])
    scheduled = _claim(_family()[0])
    _schedule(scheduled, officer)
    submitted = _claim(_family()[0])
    assess(submitted, ao=officer)
    decided = _claim(_family()[0])
    concur(decided, outcome=FearAssessment.Determination.POSITIVE, ao=officer)
    Alien.objects.filter(pk=waiting.case.alien_id).update(a_number=None)
    claims = [waiting, scheduled, submitted, decided]

    rows = fear_selectors.fear_queue_values([c.pk for c in claims])

    for claim, row in zip(claims, rows, strict=True):
        full = FearClaim.objects.select_related(
            "case__alien", "location", "asylum_office", "assessment__asylum_officer"
        ).get(pk=claim.pk)
        places = {full.location_id: full.location, full.asylum_office_id: full.asylum_office}
        assert queue_row_json(row) == FearClaimRowSerializer(claim_row(full, places)).data, claim.status
    rendered = [queue_row_json(row) for row in rows]
    assert rendered[0]["case"]["alien"]["a_number"] is None
    assert (
        rendered[0]["assessment"] is None and rendered[1]["assessment"]["asylum_officer"]["id"] == officer.pk
    )
    assert rendered[3]["outcome"] == "positive"
    for tab, claim in (("to_schedule", waiting), ("scheduled", scheduled), ("decided", decided)):
        answered = api_for(officer).get(CLAIMS, {"office": "lax-zla", "tab": tab}).json()["results"]
        assert queue_row_json(fear_selectors.fear_queue_values([claim.pk])[0]) in answered, tab
