"""In a real browser, by keyboard: hearing day (H1, H2, H4, N5). Three people report at one port today.
A CBP officer at the reporting port scans two of them in from the expected-arrivals page — the first by
typing the A-number, the second with what a scanner types for the tear sheet's barcode (A-number and sheet
id) — and the field is ready for the next scan each time; the third does not come. Immigration court
staff, on the day's docket, continue the first person's hearing to a later day (H2: a new tear sheet,
the old one superseded, N5), record the third's failure to appear and an order of removal in absentia,
final at once (H4). The case pages show both, and the ICE officer's queue lists the final order for the
hand-off to ERO.

The hearing is today at the live server's clock: its report time half an hour before a start two minutes
ago, at a place whose port's local time is past 01:00 (so both fall on the port's today). Booking refuses
past slots, so the family is served into a slot ahead and the hearing moved to now directly, as the court
tests do. The outbox relay runs in this process between the steps (tests/e2e/test_outbox_worker.py runs
delivery through a real Celery worker).

``SCREENSHOTS=1`` also writes docs/screenshots/hearing-day-arrivals.png and hearing-day-docket.png.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from cases.models import Case, CaseStatus, EroHandoff
from hearings import day_services
from hearings.models import Completion, Hearing, HearingLocation, HearingSlot, TearSheet
from mpp.accounts.roles import Role
from mpp.outbox.services import outbox_relay
from tests.e2e.test_csp import COLLECT_VIOLATIONS, violations_on
from tests.e2e.test_intake_and_review import PASSWORD, press_button, screenshot, sign_in, type_into
from tests.factories import location, user_with_role
from tests.hearings.factories import amenable_family, serve, slot

pytestmark = pytest.mark.e2e

CONTINUANCE = "The respondent asked for time to find counsel; continued to the next master calendar."
IN_ABSENTIA = "Respondent did not appear after proper notice; removability established by the record."


def _place_for_today() -> HearingLocation:
    """San Diego, unless it is not yet 01:00 at San Ysidro: then Laredo (two hours later)."""
    for code in ("sdg-ic-mpp", "lrd-ihf"):
        place = HearingLocation.objects.select_related("reporting_port").get(code=code)
        local = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(place.reporting_port.time_zone))
        if local.hour >= 1:
            return place
    raise AssertionError("unreachable: Laredo is two hours ahead of San Ysidro")


@pytest.fixture
def morning(transactional_db):
    place = _place_for_today()
    place.report_lead = dt.timedelta(minutes=30)
    place.save(update_fields=["report_lead"])
    port = place.reporting_port
    officer = user_with_role(
        Role.CBP_OFFICER,
        username="p.garza",
        first_name="Paula",
        last_name="Garza",
        password=PASSWORD,
        locations=[port.code],
    )
    clerk = user_with_role(
        Role.COURT_STAFF, username="m.chen", first_name="Maria", last_name="Chen", password=PASSWORD
    )
    ice = user_with_role(
        Role.ICE_OFFICER, username="j.ortiz", first_name="Jorge", last_name="Ortiz", password=PASSWORD
    )
    server = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    booked = slot(place=place.code, days_ahead=10, hour=9, capacity=10, publisher=clerk)
    names = (("Ana", "Ruiz Paz"), ("Bruno", "Téllez Díaz"), ("Carla", "Mejía Soto"))
    people: list[Case] = []
    for given, family in names:
        (case,) = amenable_family(1)
        case.alien.given_names, case.alien.family_name = given, family
        case.alien.save(update_fields=["given_names", "family_name"])
        serve([case], officer=server, at=booked)
        day_services.return_to_mexico(
            case_ids=[case.pk], port_id=location("sys-poe").pk, actor=server, reason="Returned after the NTA"
        )
        people.append(case)
    start = (timezone.now() - dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    HearingSlot.objects.filter(pk=booked.pk).update(starts_at=start)
    Hearing.objects.filter(slot=booked).update(starts_at=start)
    later = slot(place=place.code, days_ahead=14, hour=9, capacity=10, publisher=clerk)
    for case in people:
        case.refresh_from_db()
    return place, officer, clerk, ice, people, later


def _choose(page: Page, radio: Locator) -> None:
    """Choose a USWDS radio by keyboard (it draws its own: the input itself is off-screen)."""
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()


def _scan(page: Page, code: str) -> None:
    field = page.get_by_label("Scan tear sheet or type A-number")
    expect(field).to_be_focused()  # ready for the scan: no click needed
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_port_officer_scans_people_in_and_court_staff_continue_one_and_order_another_removed_in_absentia(
    page: Page, browser: Browser, live_server, morning
):
    place, officer, clerk, ice, (ana, bruno, carla), later = morning
    port = place.reporting_port
    page.add_init_script(COLLECT_VIOLATIONS)
    today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(port.time_zone))

    # --- the port officer: the expected arrivals, then two scans (H1, N5) ---------------------------------
    sign_in(page, live_server.url, officer.username)
    page.goto(f"{live_server.url}/hearings/port/arrivals/?port={port.pk}&day={today:%Y-%m-%d}")
    rows = page.get_by_test_id("arrival-row")
    expect(rows).to_have_count(3)
    screenshot(page, "hearing-day-arrivals.png")

    _scan(page, ana.alien.a_number.removeprefix("A"))  # typed by hand, without the "A"
    expect(page.locator(".usa-alert--success")).to_contain_text("Checked in")
    expect(page.locator(".usa-alert--success")).to_contain_text("Ana Ruiz Paz")

    sheet = TearSheet.objects.get(case=bruno, superseded_at__isnull=True)
    _scan(page, f"{bruno.alien.a_number}-T{sheet.pk}")  # what the scanner types for the barcode
    expect(page.locator(".usa-alert--success")).to_contain_text("Bruno Téllez Díaz")
    expect(page.get_by_label("Scan tear sheet or type A-number")).to_be_focused()
    assert violations_on(page) == []

    for case in (ana, bruno):
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_US_FOR_HEARING
    carla.refresh_from_db()
    assert carla.status == CaseStatus.IN_MEXICO  # she did not come

    # --- court staff: the docket; continue Ana's hearing (H2), Carla's failure to appear and in absentia -------
    court = browser.new_context(base_url=live_server.url)
    clerk_page = court.new_page()
    clerk_page.add_init_script(COLLECT_VIOLATIONS)
    sign_in(clerk_page, live_server.url, clerk.username)
    hearing_day = timezone.localdate(timezone.now(), place.zone)
    clerk_page.goto(f"{live_server.url}/hearings/docket/?place={place.pk}&day={hearing_day:%Y-%m-%d}")
    docket = clerk_page.get_by_test_id("docket-row")
    expect(docket).to_have_count(3)
    screenshot(clerk_page, "hearing-day-docket.png")

    ana_row = docket.filter(has_text="Ana Ruiz Paz")
    expect(ana_row.get_by_test_id("attendance")).to_contain_text(re.compile("checked in", re.IGNORECASE))
    ana_row.get_by_test_id("continue").focus()
    clerk_page.keyboard.press("Enter")
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Reschedule or continue a hearing")
    expect(clerk_page.get_by_label("Continue", exact=False).first).to_be_checked()
    _choose(clerk_page, clerk_page.locator(f'input[name="slot"][value="{later.pk}"]'))
    type_into(clerk_page.get_by_label("Reason"), CONTINUANCE)
    press_button(clerk_page, "Move the hearing")
    expect(clerk_page.locator(".usa-alert--success")).to_be_visible()

    clerk_page.goto(f"{live_server.url}/hearings/docket/?place={place.pk}&day={hearing_day:%Y-%m-%d}")
    carla_row = clerk_page.get_by_test_id("docket-row").filter(has_text="Carla Mejía Soto")
    carla_row.get_by_test_id("fta").focus()
    clerk_page.keyboard.press("Enter")
    expect(clerk_page.locator(".usa-alert--success")).to_be_visible()
    carla_row = clerk_page.get_by_test_id("docket-row").filter(has_text="Carla Mejía Soto")
    expect(carla_row.get_by_test_id("attendance")).to_contain_text("Failed to appear")
    carla_row.get_by_test_id("decide").focus()
    clerk_page.keyboard.press("Enter")
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Record the immigration judge’s decision")
    _choose(clerk_page, clerk_page.get_by_label("Order of removal in absentia"))
    clerk_page.get_by_label("Date of the decision").fill(f"{hearing_day:%Y-%m-%d}")  # a date input
    _choose(clerk_page, clerk_page.get_by_label("No appeal", exact=False))
    type_into(clerk_page.get_by_label("Reason"), IN_ABSENTIA)
    press_button(clerk_page, "Record the decision")
    expect(clerk_page.locator(".usa-alert--success")).to_be_visible()
    assert violations_on(clerk_page) == []

    outbox_relay()  # the tear-sheet subscriber issues Ana's new sheet (N5); ICE is told of Carla's order (H4)

    # --- what the records say ---------------------------------------------------------------------------------
    old, new = Hearing.objects.filter(case=ana).order_by("id")
    assert old.status == Hearing.Status.CONTINUED and new.replaces == old and new.slot == later
    sheets = list(TearSheet.objects.filter(case=ana).order_by("version"))
    assert [s.version for s in sheets] == [1, 2]
    assert sheets[0].superseded_by == sheets[1] and sheets[1].hearing == new
    carla.refresh_from_db()
    assert carla.status == CaseStatus.COMPLETED_REMOVAL_ORDER
    completion = Completion.objects.get(case=carla)
    assert completion.decision == Completion.Decision.REMOVAL_IN_ABSENTIA and completion.is_initial
    handoff = EroHandoff.objects.get(case=carla)
    assert handoff.handed_at is None and handoff.cancelled_at is None

    # --- the case pages show it -------------------------------------------------------------------------------
    clerk_page.goto(f"{live_server.url}/hearings/cases/{ana.pk}/")
    expect(clerk_page.locator("main")).to_contain_text(re.compile("superseded", re.IGNORECASE))
    expect(clerk_page.locator("main")).to_contain_text("Continued")
    clerk_page.goto(f"{live_server.url}/cases/{carla.pk}/")
    main = clerk_page.locator("main")
    expect(main).to_contain_text("Completed: final order of removal")
    expect(main).to_contain_text("Immigration judge's decision recorded")
    expect(main).to_contain_text("hand-off to ICE ERO due")

    # --- the ICE officer's queue: the final order, for the hand-off to ERO (H4) -----------------------------------
    ice_context = browser.new_context(base_url=live_server.url)
    ice_page = ice_context.new_page()
    sign_in(ice_page, live_server.url, ice.username)
    ice_page.goto(f"{live_server.url}/cases/custody/?tab=ero")
    expect(ice_page.locator("main")).to_contain_text("Carla Mejía Soto")
    expect(ice_page.locator("main")).to_contain_text(carla.alien.a_number)
    expect(ice_page.locator("main")).not_to_contain_text("Ana Ruiz Paz")
