"""A family served through the real services and returned to Mexico, whose hearing day the tests play
out with an explicit ``now`` (never the wall clock's day): the hearing is some days ahead, and every step
is given a moment on that day."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from cases.models import Case
from hearings import day_services
from hearings.models import Hearing, HearingSlot, TearSheet
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from tests.factories import location, user_with_role
from tests.hearings.factories import amenable_family, serve, slot


@dataclass
class Day:
    officer: User
    port: Location
    cases: list[Case]
    hearings: list[Hearing]

    @property
    def report_at(self) -> dt.datetime:
        return self.hearings[0].report_at

    def at(self, minutes: int = 10) -> dt.datetime:
        """``minutes`` after the report time on the tear sheet."""
        return self.report_at + dt.timedelta(minutes=minutes)

    @property
    def ids(self) -> list[int]:
        return [h.pk for h in self.hearings]

    def port_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.port.time_zone)

    def sheet(self, case: Case) -> TearSheet:
        return TearSheet.objects.get(case=case, superseded_at__isnull=True)


def hearing_day(
    *,
    size: int = 2,
    place: str = "sdg-ic-mpp",
    days_ahead: int = 10,
    hour: int = 9,
    returned: bool = True,
    at: HearingSlot | None = None,
) -> Day:
    """A family of ``size`` served at San Ysidro for a hearing at ``place`` ``days_ahead`` days from now,
    returned to Mexico after the NTA (unless ``returned`` is False), and an officer posted at the
    hearing's reporting port. ``at``: book this slot instead (several families on one day)."""
    cases = amenable_family(size)
    server = user_with_role(Role.CBP_OFFICER)
    booked = at or slot(place=place, days_ahead=days_ahead, hour=hour, capacity=40)
    serve(cases, officer=server, at=booked)
    port = booked.hearing_location.reporting_port
    officer = user_with_role(Role.CBP_OFFICER, locations=[port.code])
    if returned:
        day_services.return_to_mexico(
            case_ids=[c.pk for c in cases],
            port_id=location("sys-poe").pk,
            actor=server,
            reason="Returned to Tijuana after the NTA was served",
        )
    hearings = list(
        Hearing.objects.select_related("hearing_location__reporting_port", "case__alien")
        .filter(case__in=cases)
        .order_by("case_id")
    )
    for case in cases:
        case.refresh_from_db()
    return Day(officer=officer, port=port, cases=cases, hearings=hearings)
