"""The hearing-day pages at the port (H1, N5, F4): the arrivals list with its scan field, the steps of
each row, the manifest, a case's hearing day; permissions, escaping, query counts."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus
from hearings import day_services
from hearings.models import HearingAttendance
from hearings.rules import tear_sheet_barcode
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.day_helpers import Day, hearing_day

pytestmark = pytest.mark.django_db

ARRIVALS = reverse("hearings:port-arrivals")
MANIFEST = reverse("hearings:port-manifest")
ACTION = reverse("hearings:port-action")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report_day(day: Day) -> str:
    return day.report_at.astimezone(zoneinfo.ZoneInfo(day.port.time_zone)).date().isoformat()


def test_h1_the_arrivals_list_shows_the_day_with_the_scan_field_focused() -> None:
    day = hearing_day(place="elp-ic-nog")  # heard in El Paso (Denver time), reporting at Nogales (Phoenix)
    head = day.cases[0]
    head.alien.family_name = "<script>alert(1)</script>"
    head.alien.save()

    response = client_of(day.officer).get(ARRIVALS, {"port": day.port.pk, "day": report_day(day)})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="arrival-row"') == 2
    assert 'name="code"' in body and "autofocus" in body
    assert "Scan tear sheet or type A-number" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert head.alien.a_number in body
    # The report time in the port's zone, the hearing time in the hearing location's, each named; the
    # heading names the day, so a row's times on it are only the clock ("07:40 MST").
    assert "MST" in body  # America/Phoenix
    assert "None of record" in body
    rows = body[body.index('data-testid="arrival-row"') :]
    first_cell = rows[rows.index('<td class="mpp-nowrap">') + len('<td class="mpp-nowrap">') :]
    report_cell = first_cell[: first_cell.index("</td>")]
    assert re.fullmatch(r"\d\d:\d\d MST", report_cell), report_cell
    assert f"{report_day(day)} " not in rows[: rows.index("</tr>")]


def test_h1_another_port_is_not_found_and_other_roles_are_refused() -> None:
    day = hearing_day()
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["cxl-poe"])

    assert client_of(elsewhere).get(ARRIVALS, {"port": day.port.pk}).status_code == 404
    assert client_of(elsewhere).get(MANIFEST, {"port": day.port.pk}).status_code == 404
    case_url = reverse("hearings:port-case", args=[day.cases[0].pk])
    assert client_of(elsewhere).get(case_url).status_code == 404
    for role in (Role.COURT_STAFF, Role.PRINT_STAFF, Role.ICE_OFFICER):
        assert client_of(user_with_role(role)).get(ARRIVALS).status_code == 403
    anonymous = Client().get(ARRIVALS)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_h1_n5_a_scan_redirects_back_with_who_was_checked_in_and_ready_for_the_next(monkeypatch) -> None:
    day = hearing_day()
    head = day.cases[0]
    now = day.at(3)
    monkeypatch.setattr(timezone, "now", lambda: now)
    sheet = day.sheet(head)

    response = client_of(day.officer).post(
        ARRIVALS,
        {
            "port": day.port.pk,
            "day": report_day(day),
            "code": tear_sheet_barcode(head.alien.a_number, sheet.pk),
        },
        follow=True,
    )

    body = response.content.decode()
    assert response.redirect_chain[0][1] == 302
    assert "Checked in:" in body and head.alien.full_name in body
    assert now.astimezone(zoneinfo.ZoneInfo(day.port.time_zone)).strftime("%H:%M") in body
    assert "usa-alert--success" in body
    assert 'id="scan-code" name="code"' in body and "autofocus" in body
    assert "Same slot, not yet checked in" in body
    head.refresh_from_db()
    assert head.status == CaseStatus.IN_US_FOR_HEARING


def test_n5_a_scan_on_the_wrong_day_says_so_plainly(monkeypatch) -> None:
    day = hearing_day()
    head = day.cases[0]
    monkeypatch.setattr(timezone, "now", lambda: day.at() - dt.timedelta(days=2))

    response = client_of(day.officer).post(
        ARRIVALS, {"port": day.port.pk, "code": head.alien.a_number}, follow=True
    )

    body = response.content.decode()
    assert "is not expected today" in body
    assert "n5_wrong_day" in body
    assert "usa-alert--error" in body
    assert not HearingAttendance.objects.exists()


def test_h1_the_family_is_checked_in_from_the_row_then_returned(monkeypatch) -> None:
    day = hearing_day()
    monkeypatch.setattr(timezone, "now", lambda: day.at(5))
    client = client_of(day.officer)
    page = client.get(ARRIVALS, {"port": day.port.pk, "day": report_day(day)}).content.decode()
    assert "Check in family (2)" in page

    client.post(
        ACTION, {"action": "check_in", "hearing": day.ids, "port": day.port.pk, "day": report_day(day)}
    )
    monkeypatch.setattr(timezone, "now", lambda: day.at(400))
    response = client.post(
        ACTION,
        {
            "action": "return",
            "case": [c.pk for c in day.cases],
            "port": day.port.pk,
            "day": report_day(day),
            "reason": "Hearing over",
        },
        follow=True,
    )

    assert "Returned to Mexico" in response.content.decode()
    for case in day.cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_MEXICO


def test_f4_the_return_refusal_is_shown_with_the_rule(monkeypatch) -> None:
    from tests.screenings.factories import fear_claim_for

    day = hearing_day()
    monkeypatch.setattr(timezone, "now", lambda: day.at(5))
    day_services.check_in(hearing_ids=day.ids, actor=day.officer)
    fear_claim_for(day.cases[1], actor=day.officer, at=day.port.code)
    monkeypatch.setattr(timezone, "now", lambda: day.at(300))

    response = client_of(day.officer).post(
        ACTION,
        {"action": "return", "case": [day.cases[0].pk], "port": day.port.pk, "reason": "Done"},
        follow=True,
    )

    body = response.content.decode()
    assert "F4" in body and "family_fear_pending" in body
    assert day.cases[1].alien.full_name in body


def test_h1_the_case_page_returns_an_enrolled_case_after_the_nta() -> None:
    day = hearing_day(returned=False)
    head = day.cases[0]
    url = reverse("hearings:port-case", args=[head.pk])
    client = client_of(day.officer)

    page = client.get(url).content.decode()
    client.post(
        ACTION,
        {
            "action": "return",
            "case": [head.pk],
            "port": day.port.pk,
            "reason": "After NTA",
            "case_page": head.pk,
        },
    )

    assert 'data-testid="return-form"' in page
    head.refresh_from_db()
    assert head.status == CaseStatus.IN_MEXICO


def test_the_manifest_lists_the_day_for_print() -> None:
    day = hearing_day()

    response = client_of(day.officer).get(MANIFEST, {"port": day.port.pk, "day": report_day(day)})

    body = response.content.decode()
    assert body.count('data-testid="manifest-row"') == 2
    assert "@media print" in body


def test_the_nav_links_the_arrivals_for_cbp() -> None:
    day = hearing_day(size=1)
    body = client_of(day.officer).get(reverse("cases:home")).content.decode()
    assert 'data-testid="nav-arrivals"' in body
    clerk = client_of(user_with_role(Role.COURT_STAFF)).get(reverse("cases:home")).content.decode()
    assert 'data-testid="nav-arrivals"' not in clerk


def _queries(client: Client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_h1_the_arrivals_list_and_the_manifest_make_as_many_queries_for_many_rows_as_for_few() -> None:
    """Few rows vs many: the same number of queries (a fixed count whatever the day holds)."""
    day = hearing_day(size=1)
    client = client_of(day.officer)
    params = {"port": day.port.pk, "day": report_day(day)}
    few = _queries(client, ARRIVALS, params), _queries(client, MANIFEST, params)
    for _ in range(3):
        more = hearing_day(size=3, at=day.hearings[0].slot)
        day_services.check_in(hearing_ids=more.ids[:1], actor=more.officer, now=more.at(5))

    many = _queries(client, ARRIVALS, params), _queries(client, MANIFEST, params)

    assert few == many
    assert many[0] <= 12


def test_the_manifest_says_when_it_holds_only_the_first_rows(monkeypatch) -> None:
    from hearings import day_selectors

    day = hearing_day()
    monkeypatch.setattr(day_selectors, "MANIFEST_MAX", 1)

    body = (
        client_of(day.officer).get(MANIFEST, {"port": day.port.pk, "day": report_day(day)}).content.decode()
    )

    assert body.count('data-testid="manifest-row"') == 1
    assert 'data-testid="manifest-more"' in body


def test_h1_the_scan_message_escapes_a_hostile_name(monkeypatch) -> None:
    day = hearing_day(size=1)
    head = day.cases[0]
    head.alien.given_names = '<img src=x onerror="alert(1)">'
    head.alien.save()
    monkeypatch.setattr(timezone, "now", lambda: day.at(3))

    response = client_of(day.officer).post(
        ARRIVALS, {"port": day.port.pk, "code": head.alien.a_number}, follow=True
    )

    body = response.content.decode()
    assert "Checked in:" in body
    assert '<img src=x onerror="alert(1)">' not in body


def test_h1_the_case_hearings_summary_links_the_hearing_day_for_cbp() -> None:
    day = hearing_day(size=1, returned=False)
    url = reverse("hearings:case-hearings", args=[day.cases[0].pk])

    officer = client_of(day.officer).get(url, {"partial": 1}).content.decode()
    clerk = client_of(user_with_role(Role.COURT_STAFF)).get(url, {"partial": 1}).content.decode()

    assert reverse("hearings:port-case", args=[day.cases[0].pk]) in officer
    assert 'data-testid="port-case-link"' not in clerk
