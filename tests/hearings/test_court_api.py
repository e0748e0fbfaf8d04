"""The in-court API (hearings.api.court) and the ERO hand-offs (cases.api.ero): the same operations as the
pages, roles per operation, errors as {code, detail, field}, another location's records 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import CaseStatus, CustodyReferral
from hearings.models import Completion, HearingAttendance
from mpp.accounts.roles import Role
from tests.factories import location, user_with_role
from tests.hearings.court_helpers import family_on_docket, port_today
from tests.hearings.factories import slot

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def heard(court_clerk):
    return family_on_docket(2, clerk=court_clerk)


def test_held_then_decision_then_reopen_then_schedule(court_clerk, heard):
    cases, hearings = heard
    case = cases[0]
    client = api(court_clerk)
    today = port_today(case).isoformat()

    rep = client.post(
        f"/api/v1/cases/{case.pk}/representations/",
        {"kind": "attorney", "name": "Ana Ruiz", "eoir28_filed_on": today, "reason": "EOIR-28"},
        format="json",
    )
    held = client.post(
        "/api/v1/hearings/held/", {"hearing_ids": [hearings[0].pk], "reason": "Held"}, format="json"
    )
    decided = client.post(
        f"/api/v1/cases/{case.pk}/completions/",
        {"hearing": hearings[0].pk, "decision": "asylum", "decided_on": today, "reason": "Granted"},
        format="json",
    )
    reopened = client.post(
        f"/api/v1/cases/{case.pk}/reopenings/",
        {"kind": "remand", "granted_on": today, "reason": "DHS appeal sustained"},
        format="json",
    )
    later = slot(days_ahead=25, hour=9, minute=0, publisher=court_clerk)
    scheduled = client.post(
        f"/api/v1/cases/{case.pk}/hearings/schedule/",
        {"slot": later.pk, "kind": "individual", "reason": "Remanded"},
        format="json",
    )

    assert rep.status_code == 201 and rep.json()["kind"] == "attorney"
    assert held.status_code == 200 and held.json()[0]["id"] == hearings[0].pk
    assert decided.status_code == 201
    assert decided.json()["is_initial"] is True and decided.json()["stays_in_us"] is True
    assert reopened.status_code == 201 and reopened.json()["kind"] == "remand"
    assert scheduled.status_code == 201 and scheduled.json()[0]["kind"] == "individual"
    listed = client.get(f"/api/v1/cases/{case.pk}/completions/").json()
    assert [c["decision"] for c in listed] == ["asylum"]
    assert client.get(f"/api/v1/cases/{case.pk}/representations/").json()[0]["name"] == "Ana Ruiz"
    assert client.get(f"/api/v1/cases/{case.pk}/reopenings/").json()[0]["kind"] == "remand"


def test_errors_name_the_field_and_code(court_clerk, heard):
    cases, hearings = heard
    client = api(court_clerk)

    bad = client.post(
        f"/api/v1/cases/{cases[0].pk}/completions/",
        {
            "hearing": hearings[0].pk,
            "decision": "removal_order",
            "decided_on": port_today(cases[0]).isoformat(),
            "appeal": "reserved",
            "reason": "x",
        },
        format="json",
    )
    twice = client.post(
        f"/api/v1/cases/{cases[0].pk}/reopenings/",
        {"kind": "remand", "granted_on": port_today(cases[0]).isoformat(), "reason": "x"},
        format="json",
    )

    assert bad.status_code == 400 and bad.json()["field"] == "appeal_due_on"
    assert twice.status_code == 409 and twice.json()["code"] == "h5_nothing_to_reopen"


def test_appeal_through_the_api_makes_the_order_final(court_clerk):
    (case,), (hearing,) = family_on_docket(1, clerk=court_clerk, days_ago=45)
    today = port_today(case)
    client = api(court_clerk)
    completion = client.post(
        f"/api/v1/cases/{case.pk}/completions/",
        {
            "hearing": hearing.pk,
            "decision": "removal_order",
            "decided_on": (today - dt.timedelta(days=40)).isoformat(),
            "appeal": "reserved",
            "appeal_due_on": (today - dt.timedelta(days=10)).isoformat(),
            "reason": "Ordered",
        },
        format="json",
    ).json()

    response = client.post(
        f"/api/v1/completions/{completion['id']}/appeal/",
        {"appeal": "not_filed", "reason": "Deadline"},
        format="json",
    )
    ice = api(user_with_role(Role.ICE_OFFICER))
    due = ice.get("/api/v1/ero-handoffs/").json()["results"]
    recorded = ice.post(
        f"/api/v1/ero-handoffs/{due[0]['id']}/record/",
        {
            "handed_location": location("sys-poe").pk,
            "received_by_name": "ERO Officer Diaz",
            "reason": "Taken",
        },
        format="json",
    )

    assert response.status_code == 200 and response.json()["appeal"] == "not_filed"
    assert [row["case"] for row in due] == [case.pk]
    assert recorded.status_code == 200 and recorded.json()["received_by_name"] == "ERO Officer Diaz"
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDED_TO_ICE


def test_failure_to_appear_refused_when_checked_in_is_409(court_clerk, heard):
    _, hearings = heard
    HearingAttendance.objects.create(
        hearing=hearings[0],
        case=hearings[0].case,
        port=location("sys-poe"),
        checked_in_at=hearings[0].starts_at - dt.timedelta(hours=2),
        checked_in_by=court_clerk,
    )

    response = api(court_clerk).post(
        "/api/v1/hearings/failure-to-appear/", {"hearing_ids": [hearings[0].pk], "reason": "x"}, format="json"
    )

    assert response.status_code == 409 and response.json()["code"] == "h1_checked_in"


@pytest.mark.parametrize(
    "role",
    [
        Role.CBP_OFFICER,
        Role.CBP_SUPERVISOR,
        Role.ICE_OFFICER,
        Role.PRINT_STAFF,
        Role.ASYLUM_OFFICER,
        Role.ANALYST,
    ],
)
def test_only_court_staff_write(heard, role):
    cases, hearings = heard
    client = api(user_with_role(role, locations=["sys-poe"]))

    writes = [
        client.post(
            "/api/v1/hearings/held/", {"hearing_ids": [hearings[0].pk], "reason": "x"}, format="json"
        ),
        client.post(f"/api/v1/cases/{cases[0].pk}/completions/", {}, format="json"),
        client.post(f"/api/v1/cases/{cases[0].pk}/reopenings/", {}, format="json"),
        client.post(f"/api/v1/cases/{cases[0].pk}/representations/", {}, format="json"),
    ]

    assert [w.status_code for w in writes] == [403, 403, 403, 403]
    assert not Completion.objects.exists()


def test_another_locations_cbp_gets_404_for_the_case(heard):
    cases, _ = heard
    elsewhere = api(user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"]))

    assert elsewhere.get(f"/api/v1/cases/{cases[0].pk}/completions/").status_code == 404


def test_the_docket_api_lists_the_day_with_counsel_and_appearance_in_few_queries(court_clerk):
    _, few = family_on_docket(1, clerk=court_clerk, days_ago=2)
    cases, many = family_on_docket(3, clerk=court_clerk, days_ago=3)
    from hearings import court_services as court

    court.representation_record(
        case_id=cases[0].pk,
        kind="attorney",
        name="Ana Ruiz",
        eoir28_filed_on=port_today(cases[0]),
        actor=court_clerk,
        reason="r",
    )
    court.failure_to_appear(hearing_ids=[many[1].pk], actor=court_clerk, reason="FTA")
    client = api(court_clerk)

    def url(h):
        day = h.starts_at.astimezone(h.hearing_location.zone).date().isoformat()
        return f"/api/v1/docket/?hearing_location={h.hearing_location_id}&day={day}"

    urls = [url(few[0]), url(many[0])]
    client.get(urls[0])
    counts = []
    for address in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(address)
        counts.append(len(ctx.captured_queries))
    rows = response.json()["results"]

    assert counts[0] == counts[1], "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    assert {r["counsel"] for r in rows} == {"Ana Ruiz", None}
    assert {r["appearance"] for r in rows} == {"", "failed_to_appear"}
    assert all(r["interpretation"] == "none" for r in rows)


def test_f6_referrals_are_on_the_custody_queue_api(court_clerk, heard):
    cases, hearings = heard
    api(court_clerk).post(
        f"/api/v1/cases/{cases[0].pk}/completions/",
        {
            "hearing": hearings[0].pk,
            "decision": "withholding",
            "decided_on": port_today(cases[0]).isoformat(),
            "reason": "Granted",
        },
        format="json",
    )

    rows = api(user_with_role(Role.ICE_OFFICER)).get("/api/v1/custody-referrals/").json()["results"]

    assert [(r["case"], r["rule"], r["code"]) for r in rows] == [
        (cases[1].pk, "F6", "family_member_granted_relief")
    ]
    assert CustodyReferral.objects.count() == 1


def test_ero_handoffs_api_roles(court_clerk, heard):
    for role, expected in [
        (Role.ICE_OFFICER, 200),
        (Role.CBP_OFFICER, 200),
        (Role.COURT_STAFF, 403),
        (Role.ANALYST, 403),
        (Role.PRINT_STAFF, 403),
    ]:
        assert api(user_with_role(role)).get("/api/v1/ero-handoffs/").status_code == expected
