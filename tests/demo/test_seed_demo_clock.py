"""The demo seed runs whatever the time of day (``make run`` calls it): a family in the U.S. for its hearing
today is checked in member after member, a few minutes apart, and a run between the first member's check-in
and the last one's must still tell the story (on the previous court day, held overnight) instead of failing
with "check-in is in the future"."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cases.models import CaseStatus
from demo.management.commands.seed_demo import (
    FAMILIES,
    HEARING_ROUTE,
    STORY_TIME,
    _checked_in_at,
)
from hearings.models import Hearing, HearingLocation

# A Wednesday that is no federal holiday: a court day.
COURT_DAY = dt.date(2026, 12, 2)


def _family_checked_in_over_minutes():
    """A family of the story in the U.S. for its hearing whose members are checked in minutes apart."""
    for family in FAMILIES:
        if family.path == "in_us_for_hearing" and len(family.people) > 1:
            return family
    raise AssertionError("the demo has no family in the U.S. for a hearing with more than one member")


@pytest.mark.django_db(transaction=False)
def test_h1_seed_runs_between_the_first_and_the_last_members_check_in():
    family = _family_checked_in_over_minutes()
    place = HearingLocation.objects.select_related("reporting_port").get(code=HEARING_ROUTE[family.site][0])
    at = family.hearing_at or STORY_TIME
    first = _checked_in_at(place, COURT_DAY, at, 0)
    last = _checked_in_at(place, COURT_DAY, at, len(family.people) - 1)
    assert first < last
    moment = first + (last - first) / 2
    out = StringIO()
    with mock.patch.object(timezone, "now", return_value=moment), transaction.atomic():
        call_command("seed_demo", stdout=out)
        assert f"run as of {moment.replace(second=0, microsecond=0).isoformat()}" in out.getvalue()
        # The family's members were all checked in on one court day before the run, and not today (today's
        # report time had not passed for all of them): held overnight in CBP custody since (H1).
        hearings = list(
            Hearing.objects.filter(
                case__status=CaseStatus.IN_US_FOR_HEARING,
                hearing_location=place,
                attendance__checked_in_at__isnull=False,
            ).select_related("attendance", "case__encounter")
        )
        by_family: dict[int, list[Hearing]] = {}
        for hearing in hearings:
            by_family.setdefault(hearing.case.encounter.family_unit_id, []).append(hearing)
        together = [group for group in by_family.values() if len(group) == len(family.people)]
        assert len(together) == 1, by_family
        days = {timezone.localdate(h.starts_at, place.zone) for h in together[0]}
        assert len(days) == 1 and COURT_DAY not in days, days
        assert all(h.attendance.checked_in_at <= moment for h in together[0])
        transaction.set_rollback(True)
