"""In a real browser, by keyboard: an officer at San Ysidro enters a mixed-nationality family (Honduran mother
as head, Guatemalan father, Mexican daughter aged 7), creates the cases, screens each member, reads the
proposal and submits it; a CBP supervisor of the port opens the queue and approves; the mother's case page
then shows both steps in its timeline, each with who and why (A1–A3, F1, F2, N3).

``SCREENSHOTS=1`` also writes docs/screenshots/intake-screening.png (the screened family with its proposal) and
review-decision.png (the review with the supervisor's reason typed, before recording it), full page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from cases.models import Case, CaseStatus
from mpp.accounts.roles import Role
from screenings.services import intake_draft_save_encounter, intake_draft_save_member, intake_draft_start
from tests.factories import location, user_with_role

pytestmark = pytest.mark.e2e

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery"
DECISION_REASON = "Facts verified with the family and the medical staff; the daughter returns with them (F2)."


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True)


def accept_confirmations(page: Page) -> list[str]:
    """Answer "OK" to every confirmation the page asks (static/js/confirm-and-focus.js) and keep the
    questions; without a handler Playwright dismisses them, and the form is not sent."""
    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")


def type_into(field: Locator, text: str) -> None:
    field.focus()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text)


def press_button(page: Page, name: str, *, within: Locator | Page | None = None) -> None:
    """Move the focus to a button and press Enter, as a keyboard user does."""
    button = (within or page).get_by_role("button", name=name, exact=True)
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


@pytest.fixture
def people(transactional_db):
    officer = user_with_role(
        Role.CBP_OFFICER, username="d.ramirez", first_name="Daniel", last_name="Ramírez", password=PASSWORD
    )
    supervisor = user_with_role(
        Role.CBP_SUPERVISOR, username="s.okafor", first_name="Sandra", last_name="Okafor", password=PASSWORD
    )
    return officer, supervisor


def test_officer_enters_and_screens_a_family_and_a_supervisor_approves_it(
    page: Page, browser: Browser, live_server, people
):
    officer, supervisor = people
    outside_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else outside_requests.append(request.url)
        ),
    )

    # --- The officer signs in and starts an intake at San Ysidro (the only duty location).
    officer_confirmed = accept_confirmations(page)
    sign_in(page, live_server.url, officer.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Intake").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake")
    expect(page.get_by_label("Where was the family encountered?")).to_have_value(
        re.compile(r"\d+")
    )  # preselected
    press_button(page, "Start a new intake")

    # --- Step 1: the encounter, in the port's local time (the zone is shown).
    expect(page.get_by_test_id("zone-hint")).to_contain_text("America/Los_Angeles")
    local = timezone.now().astimezone(zoneinfo.ZoneInfo("America/Los_Angeles")) - dt.timedelta(hours=1)
    page.get_by_label("Date of the encounter").fill(f"{local:%Y-%m-%d}")
    page.get_by_label("Time of the encounter").fill(f"{local:%H:%M}")
    page.get_by_label("Time of the encounter").press("Enter")
    expect(page.get_by_test_id("encounter-summary")).to_contain_text("San Ysidro Port of Entry")

    # --- Step 2: the family, member by member.
    seven_years_ago = timezone.localdate() - dt.timedelta(days=7 * 365 + 30)
    family = [
        ("head", "Reyes Mejía", "Ana Lucía", "1990-03-14", "Female", "HN", "es"),
        ("spouse", "Ortiz Pérez", "José Manuel", "1987-11-02", "Male", "GT", "es"),
        ("child", "Ortiz Reyes", "Valeria", seven_years_ago.isoformat(), "Female", "MX", "es"),
    ]
    for number, (relationship, family_name, given, born, sex, country, lang) in enumerate(family, start=1):
        form = page.locator("#member-form")
        form.get_by_label("Relationship to the head of the family unit").select_option(relationship)
        type_into(form.get_by_label("Family name(s)"), family_name)
        type_into(form.get_by_label("Given name(s)"), given)
        form.get_by_label("Date of birth").fill(born)
        if number == 1:  # the duplicate check runs as the officer types (htmx): nobody matches
            expect(page.get_by_test_id("duplicate-check")).to_contain_text("No registered person matches")
        form.get_by_label(sex, exact=True).focus()
        page.keyboard.press("Space")
        form.get_by_label("Country of citizenship").select_option(country)
        form.get_by_label("Preferred language").select_option(lang)
        press_button(page, "Save member", within=form)
        expect(page.get_by_test_id("draft-member")).to_have_count(number)
    members = page.get_by_test_id("draft-member")
    expect(members.nth(2)).to_contain_text("Mexican national")
    expect(page.get_by_test_id("uac-flag")).to_have_count(0)  # the child is with her parents

    # --- Step 3: review and create the cases.
    page.get_by_role("link", name="Continue to review and create cases").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("intake-checks")).to_contain_text("No possible duplicate left to decide")
    press_button(page, "Create cases")

    # --- Step 4: the screening of each member.
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening of the family")
    expect(page.get_by_text("Cases created for the family (3 members)")).to_be_visible()
    for number in (1, 2, 3):
        section = page.get_by_test_id(f"member-{number}")
        fluent = section.get_by_role("group", name=re.compile("Is the officer fluent"))
        fluent.get_by_label("Yes", exact=True).focus()
        page.keyboard.press("Space")
        if number == 3:  # F2: the Mexican daughter returns voluntarily with the family
            section.get_by_label("Voluntary return to Mexico with the family").focus()
            page.keyboard.press("Space")
        # A full-page POST: wait for the page it answers with, or the next member would be filled in on the page
        # before it (whose "saved" message, from the member before, matches the check below too).
        with page.expect_navigation():
            press_button(page, re.compile(r"^Save the screening"), within=section)  # type: ignore[arg-type]
        expect(page.get_by_text(re.compile(r"Screening of .+ saved"))).to_be_visible()

    proposal = page.get_by_test_id("proposal")
    verdicts = proposal.get_by_test_id("verdict")
    expect(verdicts).to_have_text(["Proposed: amenable", "Proposed: amenable", "Proposed: not amenable"])
    child_proposal = proposal.get_by_test_id("proposal-member").nth(2)
    expect(child_proposal).to_contain_text("A2 · mexican_national")
    for parent in (0, 1):
        expect(proposal.get_by_test_id("proposal-member").nth(parent)).to_contain_text(
            "F1 · family_kept_together"
        )
    screenshot(page, "intake-screening.png")
    expect(page.get_by_role("button", name="Submit for supervisor review", exact=True)).to_be_enabled()
    press_button(page, "Submit for supervisor review")
    expect(page.get_by_test_id("review-state")).to_contain_text("Submitted for supervisor review (A3)")
    assert officer_confirmed == [
        "Submit the family for supervisor review? The proposal is frozen and the screening becomes read-only."
    ]
    # After the save the focus is on the message that says what happened.
    expect(page.locator(":focus")).to_contain_text("Submitted for supervisor review (A3) on")
    encounter_cases = list(Case.objects.filter(created_by=officer).select_related("alien").order_by("id"))
    assert {c.status for c in encounter_cases} == {CaseStatus.AWAITING_REVIEW}
    mother_case = encounter_cases[0]

    # --- A supervisor of the port, in another browser context, decides.
    context = browser.new_context(base_url=live_server.url)
    supervisor_page = context.new_page()
    supervisor_confirmed = accept_confirmations(supervisor_page)
    sign_in(supervisor_page, live_server.url, supervisor.username)
    queue_link = supervisor_page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name=re.compile("Amenability reviews")
    )
    expect(queue_link).to_contain_text("1")  # the pending count
    queue_link.click()
    rows = supervisor_page.get_by_test_id("review-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Daniel Ramírez")
    expect(rows.first).to_contain_text("A2 · mexican_national")
    rows.first.get_by_role("link", name=re.compile("^Review")).focus()
    supervisor_page.keyboard.press("Enter")
    expect(supervisor_page.get_by_role("heading", level=1)).to_have_text("Amenability review")
    reason = supervisor_page.get_by_label("Reason for the decision")
    reason.focus()
    supervisor_page.keyboard.type(DECISION_REASON)
    screenshot(supervisor_page, "review-decision.png")
    press_button(supervisor_page, "Record the decision")
    expect(supervisor_page.get_by_text("Decision recorded.")).to_be_visible()
    assert supervisor_confirmed == [
        "Record this decision for the family? Each member’s case moves now, with your reason in its history."
    ]
    expect(supervisor_page.get_by_test_id("decision-summary")).to_contain_text("Decided by Sandra Okafor")
    decisions = supervisor_page.get_by_test_id("decision")
    expect(decisions).to_have_count(3)
    expect(decisions.nth(2)).to_contain_text("Not amenable")

    # --- The mother's case page: both steps in the timeline, with who and why.
    supervisor_page.get_by_role("link", name=f"Case {mother_case.pk} of Ana Lucía Reyes Mejía").click()
    expect(supervisor_page.get_by_role("heading", level=1)).to_have_text("Ana Lucía Reyes Mejía")
    timeline = supervisor_page.get_by_test_id("timeline").locator("tbody tr")
    submitted = timeline.filter(has_text="screening → awaiting_review")
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text("Awaiting supervisor review")
    expect(submitted).to_contain_text("Daniel Ramírez")
    expect(submitted).to_contain_text("Screening submitted for supervisor review (A3)")
    decided = timeline.filter(has_text="awaiting_review → amenable")
    expect(decided).to_have_count(1)
    expect(decided).to_contain_text("Sandra Okafor")
    expect(decided).to_contain_text(DECISION_REASON)
    context.close()

    assert [c.status for c in Case.objects.filter(pk__in=[c.pk for c in encounter_cases]).order_by("id")] == [
        CaseStatus.AMENABLE,
        CaseStatus.AMENABLE,
        CaseStatus.NOT_AMENABLE,
    ]
    assert outside_requests == []


def test_removing_a_member_asks_first_and_cancel_keeps_the_member(page: Page, live_server, people):
    """Destructive actions ask before they happen (static/js/confirm-and-focus.js, no inline script): Cancel
    changes nothing; OK removes the member, and the focus moves to the message saying so."""
    officer, _ = people
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_encounter(
        actor=officer, draft_id=draft.pk, location=location("sys-poe"), occurred_at=timezone.now()
    )
    intake_draft_save_member(
        actor=officer,
        draft_id=draft.pk,
        data={
            "relationship": "head",
            "family_name": "Castillo Ruiz",
            "given_names": "Rosa",
            "date_of_birth": "1985-04-09",
            "sex": "F",
            "country_of_citizenship": "SV",
            "preferred_language": "es",
        },
    )
    answers = iter([False, True])
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    sign_in(page, live_server.url, officer.username)
    page.goto(live_server.url + reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members")

    press_button(page, "Remove member 1, Rosa Castillo Ruiz")
    expect(page.get_by_test_id("draft-member")).to_have_count(1)  # cancelled: nothing sent
    press_button(page, "Remove member 1, Rosa Castillo Ruiz")
    expect(page.get_by_test_id("draft-member")).to_have_count(0)

    assert asked == ["Remove member 1, Rosa Castillo Ruiz, from this intake?"] * 2
    expect(page.locator(":focus")).to_contain_text("Member 1 removed from this intake.")
