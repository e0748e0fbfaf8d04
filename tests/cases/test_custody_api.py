"""The custody API (S4, F6) and F4's exception in the API: who may call what, what it writes, what it
refuses (the one error body) and how it reads.

- GET /api/v1/custody-referrals/ — ICE's queue: ICE officers only;
- GET /api/v1/cases/{case_id}/custody-determinations/ — ICE, CBP supervisors (their duty locations), court
  staff, USCIS asylum officers and supervisors; POST — ICE officers only;
- POST /api/v1/holds/{hold_id}/exemptions/ — CBP supervisors (F4's exception).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, CaseStatus, CustodyDetermination, CustodyReferral, HoldExemption
from cases.services import case_move, custody_determine
from hearings.workflow import HEARING_DAY
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.exceptions import PolicyRefusal
from tests.api_contract import refusal
from tests.cases.test_custody import CUSTODY_READERS, NOT_CUSTODY_READERS, NOT_ICE, ice, referred
from tests.cases.test_hold_exemption import BASIS, claim_for, supervisor
from tests.factories import CaseFactory, family_with_cases, user_with_role

pytestmark = pytest.mark.django_db

API = "/api/v1"
QUEUE = f"{API}/custody-referrals/"
S = CaseStatus


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def determinations_url(case: Case) -> str:
    return f"{API}/cases/{case.pk}/custody-determinations/"


def exemptions_url(hold_id: int) -> str:
    return f"{API}/holds/{hold_id}/exemptions/"


# --- the queue -------------------------------------------------------------------------------------------


def test_s4_the_queue_lists_open_referrals_oldest_first_with_who_where_and_why():
    now = timezone.now()
    later = referred(
        at="lrd-poe", code="family_member_fear_positive", referred_at=now - dt.timedelta(hours=2)
    )
    earlier = referred(referred_at=now - dt.timedelta(days=1))
    decided = referred(referred_at=now - dt.timedelta(days=3))
    custody_determine(case_id=decided.pk, actor=ice(), decision="detain", reason="Decided")

    response = api(ice()).get(QUEUE)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["case"] for row in rows] == [earlier.pk, later.pk]
    first = rows[0]
    assert first["person"] == {
        "id": earlier.alien.pk,
        "a_number": earlier.alien.a_number,
        "family_name": earlier.alien.family_name,
        "given_names": earlier.alien.given_names,
    }
    assert (first["location"], first["location_name"]) == ("sys-poe", "San Ysidro Port of Entry")
    assert (first["rule"], first["code"], first["case_status"]) == (
        "S4",
        "fear_of_mexico",
        "removed_from_mpp",
    )
    assert "not returned to Mexico under MPP" in first["reason"]
    assert rows[1]["code"] == "family_member_fear_positive" and rows[1]["location"] == "lrd-poe"


def test_the_queue_pages_with_a_cursor_without_repeats():
    start = timezone.now() - dt.timedelta(days=2)
    cases = [referred(referred_at=start + dt.timedelta(minutes=i)) for i in range(5)]
    client = api(ice())

    first = client.get(QUEUE, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert [r["case"] for r in first["results"] + second["results"]] == [c.pk for c in cases]
    assert second["next"] is None


def test_the_queue_refuses_a_cursor_it_did_not_give_naming_it():
    body = refusal(api(ice()).get(QUEUE, {"cursor": "not-a-cursor"}), 400)

    assert body["field"] == "cursor"


@pytest.mark.parametrize("role", NOT_ICE)
def test_the_queue_is_for_ice_officers_only(role):
    referred()

    body = refusal(api(user_with_role(role)).get(QUEUE), 403)

    assert body["code"] == "not_permitted"


def test_the_queue_refuses_anonymous_callers():
    refusal(api(None).get(QUEUE), 403)


def test_the_queue_records_the_cases_returned_in_the_access_log():
    case = referred()
    officer = ice()

    api(officer).get(QUEUE)

    log = AccessLog.objects.get(user=officer)
    assert (log.channel, log.object_type, log.object_ids) == ("api", "case", [str(case.pk)])


def _queue_queries(client: APIClient) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_reads_as_many_queries_for_many_referrals_as_for_few():
    client = api(ice())
    referred()
    few = _queue_queries(client)

    for code in ("lrd-poe", "elp-poe", "nog-poe", "bro-poe", "egp-poe", "cxl-poe"):
        referred(at=code)
    many = _queue_queries(client)

    assert few == many


# --- a case's determinations -----------------------------------------------------------------------------


def test_s4_ice_records_a_determination_and_gets_it_back():
    case = referred()
    officer = ice()

    response = api(officer).post(
        determinations_url(case), {"decision": "parole", "reason": "Sponsor in Phoenix"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    saved = CustodyDetermination.objects.get(case=case)
    assert body == {
        "id": saved.pk,
        "case": case.pk,
        "decision": "parole",
        "decision_label": "Parole",
        "reason": "Sponsor in Phoenix",
        "decided_by": officer.display_name,
        "decided_at": body["decided_at"],
        "is_current": True,
        "referral": CustodyReferral.objects.get(case=case).pk,
        "supersedes": None,
        "superseded_by": None,
    }
    assert saved.decided_by == officer


def test_s4_the_history_lists_the_current_determination_first_and_names_what_revisited_each():
    case = referred()
    first = custody_determine(case_id=case.pk, actor=ice(), decision="detain", reason="First")
    second = custody_determine(case_id=case.pk, actor=ice(), decision="parole", reason="Second")

    third = api(ice()).post(determinations_url(case), {"decision": "other", "reason": "Third"}, format="json")
    rows = api(user_with_role(Role.COURT_STAFF)).get(determinations_url(case)).json()

    assert third.status_code == 201 and third.json()["supersedes"] == second.pk
    assert [(r["id"], r["is_current"]) for r in rows] == [
        (third.json()["id"], True),
        (second.pk, False),
        (first.pk, False),
    ]
    assert rows[1]["superseded_by"] == third.json()["id"] and rows[2]["superseded_by"] == second.pk


@pytest.mark.parametrize("role", CUSTODY_READERS)
def test_the_custody_readers_read_a_persons_determinations(role):
    case = referred()
    custody_determine(case_id=case.pk, actor=ice(), decision="detain", reason="Flight risk")

    response = api(user_with_role(role)).get(determinations_url(case))

    assert response.status_code == 200
    assert [row["reason"] for row in response.json()] == ["Flight risk"]


@pytest.mark.parametrize("role", NOT_CUSTODY_READERS)
def test_other_roles_do_not_read_custody(role):
    case = referred()

    refusal(api(user_with_role(role)).get(determinations_url(case)), 403)


@pytest.mark.parametrize("role", NOT_ICE)
def test_s4_only_ice_records_a_determination_through_the_api(role):
    case = referred()

    refusal(
        api(user_with_role(role)).post(
            determinations_url(case), {"decision": "detain", "reason": "x"}, format="json"
        ),
        403,
    )

    assert not CustodyDetermination.objects.exists()


def test_a_cbp_supervisor_reads_custody_at_their_duty_locations_only():
    here, elsewhere = referred(), referred(at="lrd-poe")
    client = api(supervisor("sys-poe"))

    assert client.get(determinations_url(here)).status_code == 200
    assert refusal(client.get(determinations_url(elsewhere)), 404)["code"] == "not_found"


def test_an_unknown_case_has_no_custody():
    refusal(api(ice()).get(f"{API}/cases/999999999/custody-determinations/"), 404)


def test_reading_determinations_is_recorded_in_the_access_log():
    case = referred()
    reader = user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"])

    api(reader).get(determinations_url(case))

    assert AccessLog.objects.get(user=reader).object_ids == [str(case.pk)]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"reason": "No decision"}, "decision"),
        ({"decision": "release", "reason": "Unknown"}, "decision"),
        ({"decision": "detain"}, "reason"),
        ({"decision": "detain", "reason": "   "}, "reason"),
    ],
)
def test_s4_a_determination_with_bad_input_is_refused_naming_the_field(body, field):
    case = referred()

    refused = refusal(api(ice()).post(determinations_url(case), body, format="json"), 400)

    assert refused["field"] == field
    assert not CustodyDetermination.objects.exists()


def test_s4_a_determination_not_due_is_a_conflict_with_the_rule_and_code():
    case = CaseFactory(status=S.IN_MEXICO)

    body = refusal(
        api(ice()).post(determinations_url(case), {"decision": "detain", "reason": "Asked"}, format="json"),
        409,
    )

    assert (body["rule"], body["code"]) == ("S4", "custody_not_due")


def test_the_determinations_read_the_same_queries_for_a_long_history_as_for_a_short_one():
    short, long = referred(), referred()
    custody_determine(case_id=short.pk, actor=ice(), decision="detain", reason="Once")
    for index in range(6):
        custody_determine(case_id=long.pk, actor=ice(), decision="parole", reason=f"Revisit {index}")
    client = api(ice())

    counts = []
    for case in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(determinations_url(case)).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


# --- F4's exception ---------------------------------------------------------------------------------------


def _family_with_claim() -> tuple[Case, Case, Case, int]:
    mother, son, daughter = family_with_cases(size=3, status=S.IN_US_FOR_HEARING)
    return mother, son, daughter, claim_for(mother).pk


def test_f4_a_cbp_supervisor_separates_a_member_through_the_api_and_only_that_member_is_freed():
    _mother, son, daughter, hold_id = _family_with_claim()
    boss = supervisor()

    response = api(boss).post(exemptions_url(hold_id), {"case": son.pk, "reason": BASIS}, format="json")

    assert response.status_code == 201, response.content
    exemption = HoldExemption.objects.get()
    assert response.json() == {
        "id": exemption.pk,
        "hold": hold_id,
        "case": son.pk,
        "reason": BASIS,
        "recorded_by": boss.display_name,
        "recorded_at": response.json()["recorded_at"],
    }
    officer = user_with_role(Role.CBP_OFFICER)
    assert (
        case_move(
            case_id=son.pk, to_status=S.IN_MEXICO, actor=officer, reason="Done", workflow=HEARING_DAY
        ).status
        == S.IN_MEXICO
    )
    with pytest.raises(PolicyRefusal) as refused:
        case_move(
            case_id=daughter.pk, to_status=S.IN_MEXICO, actor=officer, reason="Done", workflow=HEARING_DAY
        )
    assert (refused.value.rule, refused.value.code) == ("F4", "family_fear_pending")
    listed = api(officer).get(f"{API}/cases/{daughter.pk}/allowed-transitions/").json()["allowed"]
    assert [(m["status"], m["refusal"]["rule"], m["refusal"]["code"]) for m in listed] == [
        ("in_mexico", "F4", "family_fear_pending")
    ]


def test_f4_recording_the_exception_again_answers_200_with_the_first_record():
    _mother, son, _daughter, hold_id = _family_with_claim()
    client = api(supervisor())
    first = client.post(exemptions_url(hold_id), {"case": son.pk, "reason": BASIS}, format="json")

    again = client.post(exemptions_url(hold_id), {"case": son.pk, "reason": "Double submit"}, format="json")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["reason"] == BASIS
    assert HoldExemption.objects.count() == 1


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.CBP_SUPERVISOR])
def test_f4_only_cbp_supervisors_may_record_the_exception(role):
    _mother, son, _daughter, hold_id = _family_with_claim()

    refusal(
        api(user_with_role(role)).post(
            exemptions_url(hold_id), {"case": son.pk, "reason": BASIS}, format="json"
        ),
        403,
    )

    assert not HoldExemption.objects.exists()


@pytest.mark.parametrize(
    "member,field",
    [("claimant", "case"), ("stranger", "case"), ("missing", "case"), ("son_no_reason", "reason")],
)
def test_f4_a_refused_exception_names_the_field(member, field):
    mother, son, _daughter, hold_id = _family_with_claim()
    body: dict[str, Any] = {"case": son.pk, "reason": BASIS}
    if member == "claimant":
        body["case"] = mother.pk
    elif member == "stranger":
        body["case"] = CaseFactory(status=S.IN_US_FOR_HEARING).pk
    elif member == "missing":
        body["case"] = 999_999_999
    else:
        body["reason"] = ""

    refused = refusal(api(supervisor()).post(exemptions_url(hold_id), body, format="json"), 400)

    assert refused["field"] == field
    assert not HoldExemption.objects.exists()


def test_f4_a_hold_at_another_location_is_not_found():
    _mother, son, _daughter, hold_id = _family_with_claim()

    refusal(
        api(supervisor("lrd-poe")).post(
            exemptions_url(hold_id), {"case": son.pk, "reason": BASIS}, format="json"
        ),
        404,
    )


def test_f4_an_unknown_hold_is_not_found():
    son = CaseFactory(status=S.IN_US_FOR_HEARING)

    refusal(
        api(supervisor()).post(exemptions_url(999_999_999), {"case": son.pk, "reason": BASIS}, format="json"),
        404,
    )


def test_f4_a_hold_released_meanwhile_is_a_conflict():
    from cases.models import Hold

    _mother, son, _daughter, hold_id = _family_with_claim()
    Hold.objects.filter(pk=hold_id).update(
        released_at=timezone.now(),
        released_by=user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER),
        release_reason="x",
    )

    body = refusal(
        api(supervisor()).post(exemptions_url(hold_id), {"case": son.pk, "reason": BASIS}, format="json"), 409
    )

    assert (body["code"], body["rule"]) == ("already_released", "F4")


# --- the schema ---------------------------------------------------------------------------------------


def test_the_schema_documents_the_custody_and_exemption_operations_with_the_roles_they_admit():
    client = api(ice())

    schema = client.get(f"{API}/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    queue = paths["/api/v1/custody-referrals/"]["get"]
    assert "**Roles admitted:** `ice_officer`." in queue["description"]
    determinations = paths["/api/v1/cases/{case_id}/custody-determinations/"]
    readers = determinations["get"]["description"]
    for role in (
        "ice_officer",
        "cbp_supervisor",
        "court_staff",
        "asylum_officer",
        "supervisory_asylum_officer",
    ):
        assert f"`{role}`" in readers
    for role in ("cbp_officer", "print_staff", "analyst", "administrator"):
        assert f"`{role}`" not in readers
    assert "**Roles admitted:** `ice_officer`." in determinations["post"]["description"]
    assert {"201", "400", "403", "404", "409", "415"} <= set(determinations["post"]["responses"])
    exemptions = paths["/api/v1/holds/{hold_id}/exemptions/"]["post"]
    assert "**Roles admitted:** `cbp_supervisor`." in exemptions["description"]
    assert {"200", "201", "400", "403", "404", "409", "415"} <= set(exemptions["responses"])
    decision = schema["components"]["schemas"]["CustodyDecision"]
    assert decision["enum"] == ["detain", "parole", "recognizance", "other"]
