"""In a real browser, by keyboard: a CBP officer at San Ysidro opens the case page of an enrolled boy, whose "Fear
claims" section htmx loads in place, and records that his mother stated a fear of return to Mexico for him
(S1): the family's return is blocked at once (F4). The asylum officer of the Los Angeles Asylum Office, in a
second browser, finds the claim in the office's queue, schedules the interview and records a positive
determination (S2, S3); a supervisory asylum officer of the same office, in a third, concurs. Every family
member's case page then shows "Removed from MPP" with the reason code and its plain explanation on the
timeline (S4 ``fear_of_mexico`` for the boy, F5 ``family_member_fear_positive`` for his mother and sister).
No page breaks the Content Security Policy.

``SCREENSHOTS=1`` also writes docs/screenshots/fear-claim-record.png (the case page's fear form filled in) and
fear-assessment.png (the asylum officer's determination, before submitting) and fear-concurred.png (the claim
page after the concurrence, with the family's cases that moved), full page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from cases.models import Case, CaseStatus, FamilyMember
from mpp.accounts.roles import Role
from screenings.models import FearAssessment, FearClaim
from tests.e2e.test_csp import COLLECT_VIOLATIONS, violations_on
from tests.e2e.test_intake_and_review import PASSWORD, press_button, screenshot, sign_in, type_into
from tests.factories import CaseFactory, user_with_role

pytestmark = pytest.mark.e2e

STATEMENT = "La madre dice que los hombres que amenazaron a su hijo en Tijuana los buscan."
ACCOUNT = "The mother recounted two threats against the boy by the same group, the second at the shelter."
REASONS = "Credible and consistent account; the harm feared is on account of the family's political opinion."
CONCURRENCE = "Concur: the account is credible and the nexus is well explained."


def choose(page: Page, label: str | re.Pattern[str], *, within=None) -> None:
    """Move the focus to a radio button or checkbox and press Space, as a keyboard user does."""
    control = (within or page).get_by_label(label, exact=isinstance(label, str))
    control.focus()
    page.keyboard.press("Space")
    expect(control).to_be_checked()


@pytest.fixture
def family_and_staff(transactional_db):
    officer = user_with_role(
        Role.CBP_OFFICER, username="d.ramirez", first_name="Daniel", last_name="Ramírez", password=PASSWORD
    )
    asylum_officer = user_with_role(
        Role.ASYLUM_OFFICER,
        locations=["lax-zla"],
        username="r.vega",
        first_name="Rosa",
        last_name="Vega",
        password=PASSWORD,
    )
    supervisory = user_with_role(
        Role.SUPERVISORY_ASYLUM_OFFICER,
        locations=["lax-zla"],
        username="t.hale",
        first_name="Tom",
        last_name="Hale",
        password=PASSWORD,
    )
    mother = CaseFactory(
        status=CaseStatus.ENROLLED,
        alien__given_names="Ana",
        alien__family_name="Ruiz Paz",
        alien__date_of_birth=dt.date(1989, 4, 11),
        created_by=officer,
    )
    son = CaseFactory(
        status=CaseStatus.ENROLLED,
        encounter=mother.encounter,
        alien__given_names="Mateo",
        alien__family_name="Ruiz Paz",
        alien__sex="M",
        alien__date_of_birth=dt.date(2016, 8, 2),
        created_by=officer,
        membership=FamilyMember.Relationship.CHILD,
    )
    daughter = CaseFactory(
        status=CaseStatus.ENROLLED,
        encounter=mother.encounter,
        alien__given_names="Lucía",
        alien__family_name="Ruiz Paz",
        alien__date_of_birth=dt.date(2019, 1, 20),
        created_by=officer,
        membership=FamilyMember.Relationship.CHILD,
    )
    return officer, asylum_officer, supervisory, mother, son, daughter


def test_the_mothers_fear_for_her_son_is_assessed_positive_and_the_family_is_removed_from_mpp(
    page: Page, browser: Browser, live_server, family_and_staff
):
    officer, asylum_officer, supervisory, mother, son, daughter = family_and_staff
    page.add_init_script(COLLECT_VIOLATIONS)
    seen: dict[str, list[str]] = {}

    # --- The officer opens the boy's case page: htmx loads the fear section, with the form, in place.
    sign_in(page, live_server.url, officer.username)
    page.goto(f"{live_server.url}/cases/{son.pk}/")
    section = page.get_by_test_id("fear-section")
    expect(section).to_contain_text("No fear of return to Mexico recorded for Mateo Ruiz Paz.")
    form = section.get_by_test_id("fear-claim-form")
    choose(page, "A parent, for the child", within=form)
    form.get_by_label("The parent or legal guardian who stated it").select_option(str(mother.alien_id))
    expect(form.get_by_label("Where it was stated")).to_have_value(str(son.location_id))
    expect(form.get_by_label("Where it was stated")).to_contain_text("(America/Los_Angeles)")
    expect(form.get_by_label("Language it was stated in")).to_have_value(str(son.alien.preferred_language_id))
    choose(page, "At the port on hearing day", within=form)
    type_into(form.get_by_label("What was said, in brief (optional)"), STATEMENT)
    seen["case page (officer)"] = violations_on(page)
    screenshot(page, "fear-claim-record.png")
    press_button(page, "Record the fear claim and refer to USCIS", within=form)

    # Back on the case page: referred to the asylum office; the family's return is blocked (F4).
    success = page.locator(".usa-alert--success")
    expect(success).to_contain_text(
        "Fear claim recorded for Mateo Ruiz Paz: referred to the Los Angeles Asylum Office"
    )
    expect(success).to_contain_text(
        "Nobody in the family may be returned to Mexico until it is decided (F4)."
    )
    section = page.get_by_test_id("fear-section")
    expect(section.get_by_test_id("fear-claim")).to_contain_text("Referred to USCIS: interview to schedule")
    expect(section).to_contain_text("restricted (fear)")  # the officer does not read the statement back
    expect(section).not_to_contain_text(STATEMENT)
    claim = FearClaim.objects.get(case=son)
    assert (claim.stated_by, claim.stated_by_alien_id, claim.setting) == (
        "parent",
        mother.alien_id,
        "hearing_day",
    )

    # --- The asylum officer, in a second browser: the office's queue, the claim, the interview.
    uscis = browser.new_context(base_url=live_server.url)
    ao = uscis.new_page()
    ao.add_init_script(COLLECT_VIOLATIONS)
    sign_in(ao, live_server.url, asylum_officer.username)
    ao.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Fear claims (USCIS)"
    ).click()
    expect(ao.get_by_role("heading", level=1)).to_have_text("Fear claims")
    rows = ao.get_by_test_id("fear-queue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ruiz Paz, Mateo")
    expect(rows.first).to_contain_text("(America/Los_Angeles)")
    seen["queue"] = violations_on(ao)
    link = rows.first.get_by_role("link", name="Ruiz Paz, Mateo")
    link.focus()
    ao.keyboard.press("Enter")
    expect(ao.get_by_role("heading", level=1)).to_have_text(f"Fear claim {claim.pk}: Mateo Ruiz Paz")
    expect(ao.get_by_test_id("fear-statement")).to_have_text(STATEMENT)
    schedule = ao.get_by_test_id("fear-schedule-form")
    expect(schedule.get_by_label("Asylum officer who interviews")).to_have_value(str(asylum_officer.pk))
    press_button(ao, "Schedule the interview", within=schedule)
    expect(ao.locator(".usa-alert--success")).to_contain_text("Interview scheduled for")
    expect(ao.locator(".usa-alert--success")).to_contain_text("with Rosa Vega (S2).")

    # The interview took place: the account and a positive determination, for the supervisory review.
    assess = ao.get_by_test_id("fear-assessment-form")
    expect(assess.get_by_label(re.compile("^No interpreter"))).to_be_checked()
    type_into(assess.get_by_label("The person's account"), ACCOUNT)
    choose(ao, re.compile("^Positive: more likely than not"), within=assess)
    choose(ao, "Political opinion", within=assess)
    type_into(assess.get_by_label("Reasons for the determination"), REASONS)
    seen["claim page (asylum officer)"] = violations_on(ao)
    screenshot(ao, "fear-assessment.png")
    press_button(ao, "Submit for supervisory review", within=assess)
    expect(ao.locator(".usa-alert--success")).to_contain_text(
        "Assessment submitted for supervisory review (S3)."
    )
    expect(ao.get_by_test_id("fear-awaiting-review")).to_be_visible()
    assert FearAssessment.objects.get(claim=claim).status == FearAssessment.Status.SUBMITTED
    uscis.close()

    # --- The supervisory asylum officer, in a third browser: the review tab, the claim, the concurrence.
    review_context = browser.new_context(base_url=live_server.url)
    sao = review_context.new_page()
    sao.add_init_script(COLLECT_VIOLATIONS)
    sign_in(sao, live_server.url, supervisory.username)
    sao.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Fear claims (USCIS)"
    ).click()
    expect(sao.get_by_role("heading", level=2, name="Awaiting supervisory review")).to_be_visible()
    sao.get_by_test_id("fear-queue-row").first.get_by_role("link", name="Ruiz Paz, Mateo").click()
    expect(sao.get_by_test_id("fear-account")).to_have_text(ACCOUNT)
    expect(sao.get_by_test_id("fear-determination")).to_contain_text("Positive")
    expect(sao.get_by_test_id("fear-grounds")).to_have_text("Political opinion")
    review = sao.get_by_test_id("fear-review-form")
    choose(sao, re.compile("^Concur"), within=review)
    type_into(review.get_by_label("Reason"), CONCURRENCE)
    press_button(sao, "Record the review", within=review)
    expect(sao.locator(".usa-alert--success")).to_contain_text(
        "Concurred (S3): the positive assessment is in effect."
    )
    effects = sao.get_by_test_id("fear-effect")
    expect(effects).to_have_count(3)
    for case in (mother, son, daughter):
        expect(sao.locator(f"[data-testid='fear-effect'][data-case='{case.pk}']")).to_contain_text(
            "removed from MPP"
        )
    seen["claim page (supervisory asylum officer)"] = violations_on(sao)
    screenshot(sao, "fear-concurred.png")
    review_context.close()

    # --- Every family member's case page: Removed from MPP, and why, on the timeline.
    expected = {
        son: (
            "S4 · fear_of_mexico",
            "Assessed more likely than not to face persecution or torture in Mexico",
        ),
        mother: (
            "F5 · family_member_fear_positive",
            "A family member was assessed more likely than not to face persecution or torture in Mexico",
        ),
        daughter: (
            "F5 · family_member_fear_positive",
            "A family member was assessed more likely than not to face persecution or torture in Mexico",
        ),
    }
    for case, (code, explanation) in expected.items():
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(case.alien.full_name)
        expect(page.locator(".mpp-status").first).to_contain_text("Removed from MPP")
        removed = page.get_by_test_id("timeline").locator("tr[data-event='fear.removed_from_mpp']")
        expect(removed).to_have_count(1)
        expect(removed).to_contain_text("enrolled → removed_from_mpp")
        expect(removed).to_contain_text("Tom Hale")
        expect(removed).to_contain_text(code)
        expect(removed).to_contain_text(explanation)
        expect(page.get_by_test_id("fear-section")).to_be_visible()
        seen[f"case page {case.pk} after"] = violations_on(page)
    expect(page.get_by_test_id("fear-section")).to_contain_text("Lucía Ruiz Paz")

    assert [
        c.status for c in Case.objects.filter(pk__in=[mother.pk, son.pk, daughter.pk]).order_by("pk")
    ] == [CaseStatus.REMOVED_FROM_MPP] * 3
    assert {name: found for name, found in seen.items() if found} == {}
