"""The hearing day at the port in the API (H1, N5, F4): arrivals (keyset, fixed queries), the scan, each
step for a family at once, the return to Mexico; refusals as ``{code, detail, field}``; permissions."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseStatus
from hearings import day_services
from hearings.models import HearingAttendance
from hearings.rules import tear_sheet_barcode
from mpp.accounts.roles import Role
from tests.api_contract import refusal
from tests.factories import user_with_role
from tests.hearings.day_helpers import Day, hearing_day
from tests.hearings.factories import slot
from tests.screenings.factories import fear_claim_for

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def report_day(day: Day) -> str:
    return day.report_at.astimezone(zoneinfo.ZoneInfo(day.port.time_zone)).date().isoformat()


@pytest.fixture
def day() -> Day:
    return hearing_day()


def test_h1_arrivals_list_the_day_at_the_port(day: Day) -> None:
    response = api(day.officer).get("/api/v1/arrivals/", {"port": day.port.pk, "day": report_day(day)})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    assert [r["case_id"] for r in body["results"]] == [c.pk for c in day.cases]
    first = body["results"][0]
    assert first["state"] == "Expected"
    assert first["a_number"] == day.cases[0].alien.a_number
    assert [m["case_id"] for m in first["family"]] == [day.cases[1].pk]
    assert first["counsel"] == ""


def test_h1_arrivals_are_keyset_paginated_with_a_fixed_number_of_queries() -> None:
    big = slot(days_ahead=10, hour=9, capacity=100)
    day = hearing_day(at=big)
    params = {"port": day.port.pk, "day": report_day(day)}
    client = api(day.officer)
    client.get("/api/v1/arrivals/", params)  # the first request loads the user's roles and duty locations
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/arrivals/", params)
    for _ in range(3):
        hearing_day(size=20, at=big)

    with CaptureQueriesContext(connection) as many:
        first = client.get("/api/v1/arrivals/", params).json()

    assert len(many) == len(few)
    assert len(first["results"]) == 50 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 62 - 50
    assert not {r["hearing_id"] for r in first["results"]} & {r["hearing_id"] for r in second["results"]}


def test_h1_scan_checks_in_and_answers_the_family(day: Day, monkeypatch) -> None:
    head = day.cases[0]
    monkeypatch.setattr(timezone, "now", lambda: day.at(2))
    code = tear_sheet_barcode(head.alien.a_number, day.sheet(head).pk)

    response = api(day.officer).post(
        "/api/v1/arrivals/scan/", {"port": day.port.pk, "code": code}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["already"], body["case_id"], body["warnings"]) == (False, head.pk, [])
    assert body["attendance"]["sheet"] == day.sheet(head).pk
    assert [m["case_id"] for m in body["family"]] == [day.cases[1].pk]


def test_n5_scan_refusals_are_the_error_body(day: Day, monkeypatch) -> None:
    head = day.cases[0]
    client = api(day.officer)
    monkeypatch.setattr(timezone, "now", lambda: day.at(-30))
    early = refusal(
        client.post(
            "/api/v1/arrivals/scan/", {"port": day.port.pk, "code": head.alien.a_number}, format="json"
        ),
        409,
    )
    monkeypatch.setattr(timezone, "now", lambda: day.at() + dt.timedelta(days=3))
    late = refusal(
        client.post(
            "/api/v1/arrivals/scan/", {"port": day.port.pk, "code": head.alien.a_number}, format="json"
        ),
        409,
    )
    bad = refusal(
        client.post("/api/v1/arrivals/scan/", {"port": day.port.pk, "code": "B12"}, format="json"), 400
    )

    assert (early["code"], early["rule"]) == ("n5_too_early", "N5")
    assert "come back at" in early["detail"]
    assert late["code"] == "n5_wrong_day"
    assert bad["field"] == "code"


def test_h1_steps_for_the_family_at_once_then_the_f4_refusal(day: Day, monkeypatch) -> None:
    client = api(day.officer)
    monkeypatch.setattr(timezone, "now", lambda: day.at(1))
    checked = client.post("/api/v1/hearing-day/check-in/", {"hearings": day.ids}, format="json")
    monkeypatch.setattr(timezone, "now", lambda: day.at(20))
    moved = client.post("/api/v1/hearing-day/transported/", {"hearings": day.ids}, format="json")
    fear_claim_for(day.cases[1], actor=day.officer, at=day.port.code)
    monkeypatch.setattr(timezone, "now", lambda: day.at(300))
    refused = client.post(
        "/api/v1/hearing-day/return-to-mexico/",
        {"cases": [c.pk for c in day.cases], "port": day.port.pk, "reason": "Done"},
        format="json",
    )

    assert checked.status_code == 200 and len(checked.json()) == 2
    assert moved.status_code == 200 and all(a["transported_at"] for a in moved.json())
    body = refusal(refused, 409)
    assert body["code"] in ("family_fear_pending", "fear_claim_pending")
    assert day.cases[1].alien.full_name in body["detail"]
    for case in day.cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_US_FOR_HEARING


def test_h1_overnight_and_return(day: Day, monkeypatch) -> None:
    client = api(day.officer)
    monkeypatch.setattr(timezone, "now", lambda: day.at(1))
    client.post("/api/v1/hearing-day/check-in/", {"hearings": day.ids[:1]}, format="json")
    monkeypatch.setattr(timezone, "now", lambda: day.at(600))
    night = client.post("/api/v1/hearing-day/overnight-in/", {"hearings": day.ids[:1]}, format="json")
    blocked = client.post(
        "/api/v1/hearing-day/return-to-mexico/",
        {"cases": [day.cases[0].pk], "port": day.port.pk, "reason": "Done"},
        format="json",
    )
    monkeypatch.setattr(timezone, "now", lambda: day.at(1200))
    out = client.post("/api/v1/hearing-day/overnight-out/", {"hearings": day.ids[:1]}, format="json")
    back = client.post(
        "/api/v1/hearing-day/return-to-mexico/",
        {"cases": [day.cases[0].pk], "port": day.port.pk, "reason": "Done"},
        format="json",
    )

    assert night.status_code == 200 and night.json()[0]["overnight_in_at"]
    assert refusal(blocked, 409)["code"] == "h1_overnight_open"
    assert out.status_code == 200
    assert back.status_code == 200 and back.json() == [{"case_id": day.cases[0].pk, "status": "in_mexico"}]
    assert HearingAttendance.objects.get(hearing_id=day.ids[0]).returned_port_id == day.port.pk


def test_h1_failed_to_appear_and_court_appearance(day: Day, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: day.at(120))
    fta = api(day.officer).post(
        "/api/v1/hearing-day/failed-to-appear/",
        {"hearings": day.ids[:1], "reason": "Not here"},
        format="json",
    )
    attended = api(user_with_role(Role.COURT_STAFF)).post(
        "/api/v1/hearing-day/appearance/",
        {"hearings": day.ids[1:], "appearance": "attended", "reason": "Present"},
        format="json",
    )
    missing_reason = refusal(
        api(day.officer).post(
            "/api/v1/hearing-day/failed-to-appear/", {"hearings": day.ids[1:]}, format="json"
        ),
        400,
    )

    assert fta.status_code == 200 and fta.json()[0]["appearance"] == "failed_to_appear"
    assert attended.status_code == 200 and attended.json()[0]["appearance"] == "attended"
    assert missing_reason["field"] == "reason"


def test_h1_permissions(day: Day) -> None:
    elsewhere = api(user_with_role(Role.CBP_OFFICER, locations=["cxl-poe"]))
    assert refusal(elsewhere.get("/api/v1/arrivals/", {"port": day.port.pk}), 404)["code"] == "not_found"
    assert refusal(elsewhere.post("/api/v1/hearing-day/check-in/", {"hearings": day.ids}, format="json"), 404)
    for role in (Role.COURT_STAFF, Role.PRINT_STAFF, Role.ICE_OFFICER, Role.ANALYST):
        assert refusal(api(user_with_role(role)).get("/api/v1/arrivals/", {"port": day.port.pk}), 403)
    assert refusal(
        api(user_with_role(Role.ICE_OFFICER)).post("/api/v1/hearing-day/appearance/", {}, format="json"), 403
    )
    assert (
        refusal(APIClient().get("/api/v1/arrivals/", {"port": day.port.pk}), 403)["code"]
        == "not_authenticated"
    )
    assert not HearingAttendance.objects.exists()
    assert day_services.DAY_STATUSES  # the module is importable on its own


def test_h1_the_arrival_rows_are_the_arrival_serializers_json_in_every_state(day: Day, monkeypatch) -> None:
    # hearings.api.port.arrival_json builds the rows directly: they must be what ArrivalSerializer renders,
    # for people expected, checked in, transported, overnight, with counsel, with open holds and family.
    from dataclasses import asdict

    from hearings import court_services, day_selectors
    from hearings.api.port import ArrivalSerializer, arrival_json
    from hearings.models import Representation

    other = hearing_day(size=3, at=day.hearings[0].slot)
    client = api(day.officer)
    monkeypatch.setattr(timezone, "now", lambda: day.at(1))
    client.post("/api/v1/hearing-day/check-in/", {"hearings": day.ids}, format="json")
    monkeypatch.setattr(timezone, "now", lambda: day.at(20))
    client.post("/api/v1/hearing-day/transported/", {"hearings": day.ids[:1]}, format="json")
    client.post("/api/v1/hearing-day/check-in/", {"hearings": other.ids[:1]}, format="json")
    monkeypatch.setattr(timezone, "now", lambda: day.at(600))
    client.post("/api/v1/hearing-day/overnight-in/", {"hearings": day.ids[1:]}, format="json")
    fear_claim_for(other.cases[1], actor=day.officer, at=day.port.code)
    court_services.representation_record(
        case_id=other.cases[2].pk,
        kind=Representation.Kind.ATTORNEY,
        name="Ana Beltrán, Esq.",
        eoir28_filed_on=timezone.localdate(),
        actor=user_with_role(Role.COURT_STAFF),
        reason="EOIR-28 filed",
    )
    page = day_selectors.expected_arrivals(
        user=day.officer, port_id=day.port.pk, day=dt.date.fromisoformat(report_day(day))
    )
    assert page is not None
    rows = page.rows
    assert {r.state for r in rows} >= {"Expected", "Checked in", "Transported", "In CBP custody overnight"}
    assert any(r.counsel for r in rows) and any(r.holds for r in rows) and any(r.family_holds for r in rows)
    assert all(r.family for r in rows)

    for row in rows:
        assert arrival_json(row) == ArrivalSerializer({**asdict(row), "state": row.state}).data

    answered = client.get("/api/v1/arrivals/", {"port": day.port.pk, "day": report_day(day)}).json()
    assert answered["results"] == [ArrivalSerializer({**asdict(r), "state": r.state}).data for r in rows]
