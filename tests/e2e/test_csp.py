"""In a real browser: under the strict Content Security Policy (no 'unsafe-inline'), the sign-in page, the home
page, a case page, the intake (with htmx checking for duplicates as the officer types) and the API's Swagger
UI load and work without a single CSP violation. (The live server is Django's own; the gunicorn Server banner is tested in
tests/mpp/test_gunicorn_conf.py.)"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from mpp.accounts.roles import Role
from tests.e2e.test_intake_and_review import PASSWORD, press_button, sign_in, type_into
from tests.factories import CaseFactory, user_with_role

pytestmark = pytest.mark.e2e

# Every violation is reported twice: on the console (Chromium: "Refused to … because it violates the
# following Content Security Policy directive …") and as a securitypolicyviolation event, collected here.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def officer_and_case(transactional_db):
    officer = user_with_role(
        Role.CBP_OFFICER, username="d.ramirez", first_name="Daniel", last_name="Ramírez", password=PASSWORD
    )
    return officer, CaseFactory(created_by=officer)


def violations_on(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_the_main_pages_load_with_no_csp_violation(page: Page, live_server, officer_and_case):
    officer, case = officer_and_case
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    page.add_init_script(COLLECT_VIOLATIONS)
    seen: dict[str, list[str]] = {}

    # The sign-in page, then the home page.
    response = page.goto(live_server.url + "/accounts/login/")
    assert response is not None
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    seen["sign-in"] = violations_on(page)
    sign_in(page, live_server.url, officer.username)
    seen["home"] = violations_on(page)

    # A case page.
    response = page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert response is not None
    assert "no-store" in response.headers["cache-control"]
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.alien.family_name)
    seen["case"] = violations_on(page)

    # The intake: start one, enter the encounter, and type a member's name; htmx (loaded on this step only)
    # asks for possible duplicates and swaps in the answer.
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Intake").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake")
    seen["intake list"] = violations_on(page)
    press_button(page, "Start a new intake")
    local = timezone.now().astimezone(zoneinfo.ZoneInfo("America/Los_Angeles")) - dt.timedelta(hours=1)
    page.get_by_label("Date of the encounter").fill(f"{local:%Y-%m-%d}")
    page.get_by_label("Time of the encounter").fill(f"{local:%H:%M}")
    page.get_by_label("Time of the encounter").press("Enter")
    form = page.locator("#member-form")
    type_into(form.get_by_label("Family name(s)"), "Reyes Mejía")
    type_into(form.get_by_label("Given name(s)"), "Ana Lucía")
    form.get_by_label("Date of birth").fill("1990-03-14")
    expect(page.get_by_test_id("duplicate-check")).to_contain_text("No registered person matches")
    assert page.evaluate("typeof htmx") == "object"
    seen["intake members (htmx)"] = violations_on(page)

    # The API documentation (Swagger UI; drf-spectacular's template overridden to carry the nonce): open an
    # operation and run it.
    page.goto(live_server.url + "/api/v1/docs/")
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    seen["API docs"] = violations_on(page)

    assert {name: found for name, found in seen.items() if found} == {}
    assert console == []
