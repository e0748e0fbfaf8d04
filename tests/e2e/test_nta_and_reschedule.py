"""In a real browser, by keyboard: a CBP officer at San Ysidro opens the case page of an amenable mother, whose
"Hearings and documents" section htmx loads in place, follows it to the family's NTA page, chooses the
initial hearing, types the address in Mexico and serves the NTA on mother and son in one action (N1, N3);
immigration court staff, in a second browser, reschedule the mother's hearing (H2); once the outbox relay
has run the tear-sheet subscriber, the mother's hearings page shows the new tear sheet and the old one
SUPERSEDED (N5). No page breaks the Content Security Policy.

The relay runs in this process between the steps (``mpp.outbox.services.outbox_relay``): the live server has
no Celery worker; tests/e2e/test_outbox_worker.py runs delivery through a real one.

``SCREENSHOTS=1`` also writes docs/screenshots/nta-serve.png (the NTA page filled in, before serving) and
case-hearings.png (the mother's hearings and documents after the move), full page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from cases.models import Case, CaseStatus, FamilyMember
from hearings.models import Hearing, NoticeToAppear, TearSheet
from mpp.accounts.roles import Role
from mpp.outbox.services import outbox_relay
from tests.e2e.test_csp import COLLECT_VIOLATIONS, violations_on
from tests.e2e.test_intake_and_review import PASSWORD, press_button, screenshot, sign_in, type_into
from tests.factories import CaseFactory, user_with_role
from tests.hearings.factories import slot

pytestmark = pytest.mark.e2e

REASON = "The immigration judge is on leave that week; the family is heard on the next free morning."


@pytest.fixture
def amenable_mother_and_son(transactional_db):
    officer = user_with_role(
        Role.CBP_OFFICER, username="d.ramirez", first_name="Daniel", last_name="Ramírez", password=PASSWORD
    )
    clerk = user_with_role(
        Role.COURT_STAFF, username="m.chen", first_name="Maria", last_name="Chen", password=PASSWORD
    )
    mother = CaseFactory(
        status=CaseStatus.AMENABLE,
        alien__given_names="Ana",
        alien__family_name="Ruiz Paz",
        alien__date_of_birth=dt.date(1989, 4, 11),
        created_by=officer,
    )
    son = CaseFactory(
        status=CaseStatus.AMENABLE,
        encounter=mother.encounter,
        alien__given_names="Mateo",
        alien__family_name="Ruiz Paz",
        alien__sex="M",
        alien__date_of_birth=dt.date(2015, 8, 2),
        created_by=officer,
        membership=FamilyMember.Relationship.CHILD,
    )
    first = slot(place="sdg-ic-mpp", days_ahead=9, hour=8, minute=30, capacity=12, publisher=clerk)
    later = slot(place="sdg-ic-mpp", days_ahead=23, hour=13, minute=0, capacity=12, publisher=clerk)
    return officer, clerk, mother, son, first, later


def test_an_officer_serves_the_nta_and_court_staff_reschedule_with_a_new_tear_sheet(
    page: Page, browser: Browser, live_server, amenable_mother_and_son
):
    officer, clerk, mother, son, first, later = amenable_mother_and_son
    page.add_init_script(COLLECT_VIOLATIONS)
    seen: dict[str, list[str]] = {}

    # The officer opens the mother's case page: htmx loads the hearings summary in place.
    sign_in(page, live_server.url, officer.username)
    page.goto(f"{live_server.url}/cases/{mother.pk}/")
    summary = page.get_by_test_id("hearings-summary")
    expect(summary).to_contain_text("Not served yet")
    seen["case page"] = violations_on(page)
    serve_link = summary.get_by_test_id("serve-nta")
    serve_link.focus()
    page.keyboard.press("Enter")

    # The family's NTA page: both members will be served; the officer picks the slot and types the address.
    expect(page.get_by_role("heading", level=1)).to_have_text("Serve the Notice to Appear")
    expect(page.locator("[data-state='serve']")).to_have_count(2)
    picker = page.get_by_test_id("slot-picker")
    expect(picker).to_contain_text("(America/Los_Angeles)")
    first_radio = picker.locator(f"input[value='{first.pk}']")
    first_radio.focus()
    page.keyboard.press("Space")
    expect(first_radio).to_be_checked()
    expect(page.get_by_label("INA 212(a)(7)(A)(i)(I)")).to_be_checked()
    expect(page.get_by_label("Language of the oral notice")).to_have_value("es")
    type_into(page.get_by_label("Address in Mexico"), "Calle Juárez 123, Col. Centro")
    type_into(page.get_by_label(re.compile(r"^City\b")), "Tijuana")
    type_into(page.get_by_label(re.compile(r"^State\b")), "Baja California")
    seen["NTA page"] = violations_on(page)
    screenshot(page, "nta-serve.png")
    press_button(page, "Serve the NTA on 2 members")

    # Back on the mother's case page: who was served, the hearing and the report time, the links to print.
    success = page.locator(".usa-alert--success")
    expect(success).to_contain_text("NTA served on Ana Ruiz Paz, Mateo Ruiz Paz.")
    expect(success).to_contain_text("San Diego Immigration Court (MPP docket)")
    expect(success).to_contain_text("report at San Ysidro")
    expect(success.get_by_role("link", name="Print the NTA record (PDF)")).to_be_visible()
    assert set(Case.objects.filter(pk__in=[mother.pk, son.pk]).values_list("status", flat=True)) == {
        CaseStatus.ENROLLED
    }
    assert NoticeToAppear.objects.filter(case__in=[mother, son]).count() == 2
    expect(page.get_by_test_id("hearings-summary")).to_contain_text("served, not yet filed")

    # Court staff, in a second browser, reschedule the mother's hearing from her hearings page.
    context = browser.new_context(base_url=live_server.url)
    court = context.new_page()
    court.add_init_script(COLLECT_VIOLATIONS)
    sign_in(court, live_server.url, clerk.username)
    court.goto(f"{live_server.url}/hearings/cases/{mother.pk}/")
    court.get_by_test_id("move-hearing").first.click()
    expect(court.get_by_role("heading", level=1)).to_have_text("Reschedule or continue a hearing")
    expect(court.get_by_test_id("family-in-slot")).to_contain_text("Mateo Ruiz Paz")
    expect(court.get_by_label("Reschedule: it does not take place on this date")).to_be_checked()
    later_radio = court.get_by_test_id("slot-picker").locator(f"input[value='{later.pk}']")
    later_radio.focus()
    court.keyboard.press("Space")
    type_into(court.get_by_label("Reason"), REASON)
    seen["move page"] = violations_on(court)
    press_button(court, "Move the hearing")
    expect(court.locator(".usa-alert--success")).to_contain_text(
        "A new tear sheet will be issued and the print staff of San Ysidro Port of Entry told (N5)"
    )
    moved = Hearing.objects.get(case=mother, slot=first)
    assert moved.status == Hearing.Status.RESCHEDULED
    assert Hearing.objects.get(case=son).status == Hearing.Status.SCHEDULED  # only the mother's moved

    # The event bus runs the tear-sheet subscriber; the page then shows v2 current and v1 superseded.
    outbox_relay()
    assert TearSheet.objects.filter(case=mother).count() == 2
    court.reload()
    sheets = court.get_by_test_id("tear-sheets")
    expect(sheets.locator("tr[data-version='1'] [data-testid='sheet-status']")).to_contain_text(
        "SUPERSEDED by v2"
    )
    expect(sheets.locator("tr[data-version='2'] [data-testid='sheet-status']")).to_contain_text(
        "Waiting to be printed"
    )
    hearings = court.get_by_test_id("hearings")
    expect(hearings.locator("tr[data-status='rescheduled']")).to_contain_text("replaced by the hearing of")
    expect(court.get_by_test_id("nta-not-filed")).to_have_text("Served, not yet filed")
    seen["case hearings page"] = violations_on(court)
    screenshot(court, "case-hearings.png")
    context.close()

    assert {name: found for name, found in seen.items() if found} == {}
