"""In a real browser, by keyboard: on hearing day a CBP officer records on her case page that a mother stated a
fear of return to Mexico (S1, the "Record a fear claim" form, which opens the fear-claim hold); her son's page
then shows the F4 block and refuses his return to Mexico with the rule and a plain explanation; once the
asylum officer has assessed it negative, a supervisory asylum officer, in a second browser, concurs on the
claim page (S3/S4), which releases the hold and leaves both cases where they were; the son's page then lists
his return to Mexico unblocked (made by the port's hearing day, H1: there is no status-change form), the
return is recorded, and the mother's timeline shows the hold opened and released, each with who.

``SCREENSHOTS=1`` also writes docs/screenshots/case-holds.png (the son's page with the F4 block).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from cases.models import Case, CaseStatus, FamilyMember, Hold
from cases.services import case_move
from hearings.workflow import HEARING_DAY
from mpp.accounts.roles import Role
from screenings.models import FearClaim
from tests.e2e.test_intake_and_review import PASSWORD, press_button, screenshot, sign_in, type_into
from tests.factories import CaseFactory, user_with_role
from tests.screenings.factories import assess

pytestmark = pytest.mark.e2e

CLAIM = "Stated at the port on hearing day, in Spanish, that she fears being kidnapped if returned to Mexico."
CONCURRED = "Negative assessment concurred after review of the interview notes (S3)."


def choose(page: Page, label: str | re.Pattern[str], *, within=None) -> None:
    """Move the focus to a radio button and press Space, as a keyboard user does."""
    control = (within or page).get_by_label(label, exact=isinstance(label, str))
    control.focus()
    page.keyboard.press("Space")
    expect(control).to_be_checked()


@pytest.fixture
def family_in_us(transactional_db):
    officer = user_with_role(
        Role.CBP_OFFICER, username="d.ramirez", first_name="Daniel", last_name="Ramírez", password=PASSWORD
    )
    sao = user_with_role(
        Role.SUPERVISORY_ASYLUM_OFFICER,
        username="t.whitfield",
        first_name="Thomas",
        last_name="Whitfield",
        password=PASSWORD,
        locations=["lax-zla"],  # San Ysidro's claims go to the Los Angeles Asylum Office
    )
    mother = CaseFactory(
        status=CaseStatus.IN_US_FOR_HEARING,
        alien__given_names="Ana",
        alien__family_name="Ruiz Paz",
        alien__sex="F",
        alien__date_of_birth=dt.date(1989, 4, 11),
        created_by=officer,
    )
    son = CaseFactory(
        status=CaseStatus.IN_US_FOR_HEARING,
        encounter=mother.encounter,
        alien__given_names="Mateo",
        alien__family_name="Ruiz Paz",
        alien__sex="M",
        alien__date_of_birth=dt.date(2015, 8, 2),
        created_by=officer,
        membership=FamilyMember.Relationship.CHILD,
    )
    return officer, sao, mother, son


def test_a_fear_claim_holds_the_family_until_the_assessment_is_concurred(
    page: Page, browser: Browser, live_server, family_in_us
):
    officer, sao, mother, son = family_in_us

    # The officer records the mother's fear claim on her case page (S1): the claim opens its hold.
    sign_in(page, live_server.url, officer.username)
    page.goto(f"{live_server.url}/cases/{mother.pk}/")
    expect(page.get_by_test_id("hold-form")).to_have_count(0)  # not a generic hold any more
    form = page.get_by_test_id("fear-section").get_by_test_id("fear-claim-form")
    choose(page, "The person themselves", within=form)
    choose(page, "At the port on hearing day", within=form)
    type_into(form.get_by_label("What was said, in brief (optional)"), CLAIM)
    press_button(page, "Record the fear claim and refer to USCIS", within=form)
    expect(page.locator(".usa-alert--success")).to_contain_text("Fear claim recorded for Ana Ruiz Paz")
    expect(page.get_by_test_id("holds")).to_contain_text("Open")
    mother.refresh_from_db()
    assert mother.status == CaseStatus.IN_US_FOR_HEARING  # a hold, not a status
    claim = FearClaim.objects.get(case=mother)
    assert (claim.hold.opened_by, claim.statement) == (officer, CLAIM)

    # The son's page: F4 named, the return to Mexico shown as blocked and not offered.
    page.goto(f"{live_server.url}/cases/{son.pk}/")
    expect(page.get_by_test_id("family-holds")).to_contain_text("F4 · family_fear_pending")
    expect(page.get_by_test_id("family-holds")).to_contain_text("Ana Ruiz Paz, of the same family unit")
    expect(page.get_by_test_id("blocked-move")).to_contain_text("In Mexico awaiting hearing")
    expect(page.get_by_label("New status")).to_have_count(0)  # no status-change form (step 8)
    expect(page.get_by_test_id("held")).to_have_count(1)
    screenshot(page, "case-holds.png")

    # The asylum officer interviews her and assesses it negative (S2, S3; their pages have their own test).
    assess(claim, outcome="negative")

    # The supervisory asylum officer concurs on the claim page (S3/S4): that releases the hold; the case
    # page offers no release of its own.
    context = browser.new_context(base_url=live_server.url)
    sao_page = context.new_page()
    sign_in(sao_page, live_server.url, sao.username)
    sao_page.goto(f"{live_server.url}/cases/{mother.pk}/")
    expect(sao_page.get_by_test_id("holds")).to_contain_text("Fear claim pending (USCIS assessment)")
    expect(sao_page.get_by_test_id("release-form")).to_have_count(0)
    sao_page.goto(live_server.url + reverse("screenings:fear-claim", args=[claim.pk]))
    expect(sao_page.get_by_test_id("fear-statement")).to_have_text(CLAIM)  # the SAO may read it
    review = sao_page.get_by_test_id("fear-review-form")
    choose(sao_page, re.compile("^Concur"), within=review)
    type_into(review.get_by_label("Reason"), CONCURRED)
    press_button(sao_page, "Record the review", within=review)
    expect(sao_page.locator(".usa-alert--success")).to_contain_text(
        "Concurred (S3): the negative assessment is in effect."
    )
    context.close()

    # Both cases are where they were; now the officer returns the son to Mexico.
    assert set(Case.objects.filter(pk__in=[mother.pk, son.pk]).values_list("status", flat=True)) == {
        CaseStatus.IN_US_FOR_HEARING
    }
    page.goto(f"{live_server.url}/cases/{son.pk}/")
    expect(page.get_by_test_id("family-holds")).to_have_count(0)
    expect(page.get_by_test_id("blocked-move")).to_have_count(0)
    expect(page.get_by_test_id("next-moves").locator("li[data-move=in_mexico]")).to_contain_text(
        "recording the return to Mexico at the port"
    )
    # The return itself is the port's hearing-day page's (its own test); here, as that workflow makes it.
    case_move(
        case_id=son.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Hearing processing ended; returned to Mexico (H1).",
        workflow=HEARING_DAY,
    )
    page.reload()
    expect(page.get_by_test_id("timeline").locator("tr[data-event='hearing_day.returned']")).to_contain_text(
        "Daniel Ramírez"
    )

    # The mother's timeline has the hold opened and released, with who; the officer may not read what she
    # said (field-level privacy), only that it happened.
    page.goto(f"{live_server.url}/cases/{mother.pk}/")
    timeline = page.get_by_test_id("timeline")
    opened = timeline.locator("tr[data-event='hold.opened']")
    expect(opened).to_contain_text("Daniel Ramírez")
    expect(opened).to_contain_text("Hold opened: Fear claim pending (USCIS assessment) (fear)")
    expect(timeline.locator("tr[data-event='hold.released']")).to_contain_text("Thomas Whitfield")
    expect(timeline).not_to_contain_text(CLAIM)
    assert Hold.objects.get(case=mother).outcome == "negative"
