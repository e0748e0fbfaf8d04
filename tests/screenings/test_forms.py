"""The intake page's forms refuse what cannot be true before a service (or a time-zone conversion) sees it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from mpp.accounts.models import Location
from screenings.forms import EncounterForm
from tests.factories import location

pytestmark = pytest.mark.django_db


def _encounter_form(day: str, time: str = "23:59") -> EncounterForm:
    port = location("sys-poe")
    return EncounterForm(
        {"location": port.pk, "occurred_date": day, "occurred_time": time},
        locations=Location.objects.filter(pk=port.pk),
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("9999-12-31", "The encounter cannot be in the future."),  # converting 23:59 to UTC overflowed: a 500
        ("0001-01-01", "Check the year: not before 1900."),  # was saved into the draft
        ("1899-12-31", "Check the year: not before 1900."),
    ],
)
def test_an_encounter_date_that_cannot_be_true_is_refused_naming_the_date(day, message):
    form = _encounter_form(day)

    assert not form.is_valid()
    assert form.errors == {"occurred_date": [message]}


def test_an_encounter_today_at_the_port_is_accepted_with_its_utc_time():
    today = timezone.localdate()

    form = _encounter_form(today.isoformat(), "00:05")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["occurred_at"] == dt.datetime.combine(
        today, dt.time(0, 5), tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles")
    )


@pytest.mark.parametrize("field", ["occurred_date", "occurred_time", "location"])
def test_a_nul_in_the_encounter_form_is_refused_not_a_database_error(field):
    port = location("sys-poe")
    data = {"location": port.pk, "occurred_date": "2026-01-05", "occurred_time": "09:30", field: "2026\x00"}

    form = EncounterForm(data, locations=Location.objects.filter(pk=port.pk))

    assert not form.is_valid()
    assert list(form.errors) == [field]
