"""In a real browser: an officer signs in by keyboard, finds a case by its A-number written with dashes, opens
it, and reads in the timeline who moved it, why, and to which status.

``SCREENSHOTS=1`` also writes docs/screenshots/home-officer.png and case-page.png (full page).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import CaseStatus, FamilyMember
from cases.services import (
    MemberSpec,
    alien_create,
    case_move,
    case_open,
    encounter_create,
    family_unit_create,
)
from mpp.accounts.roles import Role
from screenings.workflow import AMENABILITY_REVIEW
from tests.factories import AlienFactory, CaseFactory, language, location, user_with_role

pytestmark = pytest.mark.e2e

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery"
REASON = "Screening complete: no fear of return stated; medical clearance given. Referred for A3 review."


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True)


@pytest.fixture
def officer_and_case(transactional_db):
    """An officer at San Ysidro, and a family of three taken in through the services (so every history row
    names the officer); the mother's case is then sent for supervisor review with a reason."""
    officer = user_with_role(
        Role.CBP_OFFICER, username="d.ramirez", first_name="Daniel", last_name="Ramírez", password=PASSWORD
    )
    spanish = language("es")
    mother = alien_create(
        actor=officer,
        a_number="A123456789",
        family_name="López García",
        given_names="María Fernanda",
        date_of_birth=dt.date(1991, 3, 14),
        sex="F",
        country_of_citizenship="HN",
        preferred_language=spanish,
    )
    son = alien_create(
        actor=officer,
        a_number="A123456790",
        family_name="López",
        given_names="Mateo",
        date_of_birth=dt.date(2015, 8, 2),
        sex="M",
        country_of_citizenship="HN",
        preferred_language=spanish,
    )
    daughter = alien_create(
        actor=officer,
        a_number="A123456791",
        family_name="López",
        given_names="Sofía",
        date_of_birth=dt.date(2019, 11, 20),
        sex="F",
        country_of_citizenship="HN",
        preferred_language=spanish,
    )
    family = family_unit_create(
        actor=officer,
        members=[
            MemberSpec(alien=mother, relationship=FamilyMember.Relationship.HEAD),
            MemberSpec(alien=son, relationship=FamilyMember.Relationship.CHILD),
            MemberSpec(alien=daughter, relationship=FamilyMember.Relationship.CHILD),
        ],
    )
    encounter = encounter_create(
        actor=officer,
        occurred_at=timezone.now() - dt.timedelta(hours=5),
        location=location("sys-poe"),
        family_unit=family,
    )
    case = case_open(actor=officer, encounter=encounter, alien=mother)
    for child in (son, daughter):
        case_open(actor=officer, encounter=encounter, alien=child)
    # Set-up: the screening workflow sends the case for review through case_move (generic changes cannot).
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.AWAITING_REVIEW,
        actor=officer,
        reason=REASON,
        workflow=AMENABILITY_REVIEW,
    )
    # A few other cases at the same port, so the home page lists more than one.
    for family_name, given, country, status in [
        ("Pérez Cruz", "Jorge Luis", "GT", CaseStatus.SCREENING),
        ("Castillo", "Ana Lucía", "SV", CaseStatus.ENROLLED),
        ("Mendoza Ríos", "Carlos", "NI", CaseStatus.AMENABLE),
        ("Souza", "Bruno", "BR", CaseStatus.IN_MEXICO),
    ]:
        CaseFactory(
            alien=AlienFactory(family_name=family_name, given_names=given, country_of_citizenship=country),
            status=status,
        )
    return officer, case


def test_officer_finds_a_case_by_dashed_a_number_and_reads_its_timeline(
    page: Page, live_server, officer_and_case
):
    officer, case = officer_and_case
    outside_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else outside_requests.append(request.url)
        ),
    )

    # Sign in by keyboard (the username field has the focus; Enter submits).
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Sign in — MPP Case Management")
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    expect(page).to_have_url(live_server.url + "/")
    # The first Tab reaches the skip link, which moves the focus to the main content.
    page.keyboard.press("Tab")
    expect(page.locator("a.usa-skipnav")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.locator("#your-roles")).to_contain_text("CBP officer (port of entry)")
    expect(page.get_by_role("heading", name="Recent cases at your duty locations")).to_be_visible()
    # USWDS styles are served by the app itself (offline): its web font is in use.
    assert "Source Sans Pro Web" in page.evaluate("getComputedStyle(document.body).fontFamily")
    screenshot(page, "home-officer.png")

    # Search by the A-number written with dashes; the result list shows the one case.
    search_box = page.get_by_label("A-number or name")
    search_box.fill("123-456-789")
    search_box.press("Enter")
    expect(page.get_by_role("heading", name="1 result for A-number A123456789")).to_be_visible()
    page.get_by_role("link", name=f"Case {case.pk}", exact=True).click()

    # The case page and its timeline.
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("María Fernanda López García")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Daniel Ramírez")
    expect(timeline).to_contain_text(REASON)
    expect(timeline).to_contain_text("Awaiting supervisor review")
    expect(page.get_by_test_id("family")).to_contain_text("Sofía López")
    screenshot(page, "case-page.png")

    assert outside_requests == []


def test_officer_finds_a_case_by_a_misspelled_name_and_pages_back_through_a_long_timeline(
    page: Page, live_server, officer_and_case
):
    """Step 5: "Lopes Garsia" (no accent, two typos) finds María Fernanda López García; a timeline longer
    than a page shows the latest events and "Earlier events" (by keyboard) shows the ones before."""
    from django.db import transaction

    from cases.services import case_event_record

    officer, case = officer_and_case
    with transaction.atomic():
        for i in range(60):
            case_event_record(case=case, type="case.note", actor=officer, reason=f"Follow-up note {i:02d}")

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(live_server.url + "/")

    search_box = page.get_by_label("A-number or name")
    search_box.fill("maria fernanda lopes garsia")
    search_box.press("Enter")
    # Her case first; her children, who share a family name, after her (relatives: the third tier).
    expect(page.get_by_role("heading", name="3 results for “maria fernanda lopes garsia”")).to_be_visible()
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text("LÓPEZ GARCÍA, María Fernanda")
    first.get_by_role("link", name=f"Case {case.pk}", exact=True).click()

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Follow-up note 59")
    expect(timeline).not_to_contain_text(REASON)  # older than the latest 50
    earlier = page.get_by_test_id("timeline-earlier")
    earlier.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("timeline")).to_contain_text(REASON)
    expect(page.get_by_test_id("timeline")).not_to_contain_text("Follow-up note 59")
    expect(page.get_by_test_id("timeline-latest")).to_be_visible()
    screenshot(page, "case-timeline-earlier.png")
