"""The admin of the hearings reference data (edited with history) and of the slots (read-only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from hearings.models import Charge, HearingLocation, HearingSlot, ProBonoProvider
from tests.factories import UserFactory, location
from tests.hearings.factories import hearing_location, pro_bono, slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def browser(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["hearinglocation", "probonoprovider", "charge", "hearingslot"])
def test_each_list_page_shows(browser, model):
    slot()
    pro_bono("sdg-ic", "Casa Cornelia Law Center (demo)")

    response = browser.get(reverse(f"admin:hearings_{model}_changelist"))

    assert response.status_code == 200


def test_a_hearing_location_edited_in_the_admin_keeps_who_changed_it(browser, admin_user):
    place = hearing_location("sdg-ic-mpp")
    data = {
        "name": place.name,
        "kind": place.kind,
        "court": place.court_id,
        "facility": "",
        "address": place.address,
        "is_active": "on",
        "time_zone": place.time_zone,
        "reporting_port": place.reporting_port_id,
        "report_lead": "04:30:00",
    }

    response = browser.post(reverse("admin:hearings_hearinglocation_change", args=[place.pk]), data)

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.report_lead == dt.timedelta(hours=4, minutes=30)
    latest = place.history.first()
    assert (latest.history_user, latest.report_lead) == (admin_user, dt.timedelta(hours=4, minutes=30))


def test_a_hearing_location_breaking_a_database_rule_is_refused_on_the_form(browser):
    place = hearing_location("sdg-ic-mpp")

    response = browser.post(
        reverse("admin:hearings_hearinglocation_change", args=[place.pk]),
        {
            "name": place.name,
            "kind": "hearing_facility",  # a facility names its facility
            "court": place.court_id,
            "facility": "",
            "address": place.address,
            "time_zone": "Mars/Olympus_Mons",
            "reporting_port": place.reporting_port_id,
            "report_lead": "13:00:00",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "time_zone" in errors
    place.refresh_from_db()
    assert (place.kind, place.time_zone) == ("courtroom", "America/Los_Angeles")


def test_a_charges_section_is_fixed_once_created(browser):
    charge = Charge.objects.get(code="212(a)(6)(A)(i)")

    browser.post(
        reverse("admin:hearings_charge_change", args=[charge.pk]),
        {"code": "999", "text": charge.text, "is_active": "on"},
    )

    charge.refresh_from_db()
    assert charge.code == "212(a)(6)(A)(i)"


def test_a_pro_bono_provider_is_added_for_a_court_with_history(browser, admin_user):
    response = browser.post(
        reverse("admin:hearings_probonoprovider_add"),
        {
            "court": location("elp-ic").pk,
            "name": "Paso del Norte Legal Aid (demo)",
            "phone": "(555) 010-0142",
            "address": "",
            "languages": "English, Spanish",
            "position": 1,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    provider = ProBonoProvider.objects.get(name="Paso del Norte Legal Aid (demo)")
    assert provider.history.first().history_user == admin_user


def test_slots_are_read_only_in_the_admin(browser):
    docket = slot(capacity=12)
    change = reverse("admin:hearings_hearingslot_change", args=[docket.pk])

    shown = browser.get(change)
    browser.post(change, {"capacity": 500, "booked": 0})

    assert shown.status_code == 200
    assert browser.get(reverse("admin:hearings_hearingslot_add")).status_code == 403
    docket.refresh_from_db()
    assert docket.capacity == 12
    assert HearingSlot.objects.count() == 1


def test_reference_data_is_retired_not_deleted(browser):
    place = hearing_location("sdg-ic-mpp")

    response = browser.get(reverse("admin:hearings_hearinglocation_delete", args=[place.pk]))

    assert response.status_code == 403
    assert HearingLocation.objects.filter(pk=place.pk).exists()
