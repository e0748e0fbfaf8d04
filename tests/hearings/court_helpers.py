"""Helpers for the in-court tests (H2–H5, F6): a family served through the real service, returned to
Mexico, whose hearing day has come (the hearing is moved into the past directly: booking refuses past
slots, and the tests must not depend on the wall-clock day)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from django.utils import timezone

from cases.models import Case, CaseStatus
from cases.services import case_move
from hearings.models import Hearing, HearingAttendance
from hearings.workflow import HEARING_DAY
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.factories import amenable_family, serve, slot

_SLOTS = itertools.count()


def port_today(case: Case) -> dt.date:
    """Today at the case's port (the day court services date decisions by)."""
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(case.location.time_zone))


def family_on_docket(size: int = 1, *, clerk: User, days_ago: int = 1) -> tuple[list[Case], list[Hearing]]:
    """A family served and returned to Mexico whose hearing was ``days_ago`` days ago at San Diego."""
    officer = user_with_role(Role.CBP_OFFICER)
    cases = amenable_family(size)
    # A slot of its own each time (one slot per time at a location): 08:00, 08:05 … ten days ahead.
    n = next(_SLOTS)
    ntas = serve(cases, officer=officer, at=slot(publisher=clerk, hour=8 + n // 12, minute=5 * (n % 12)))
    for case in cases:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=officer,
            reason="Returned to Mexico after service",
            workflow=HEARING_DAY,
        )
    past = timezone.now() - dt.timedelta(days=days_ago)
    Hearing.objects.filter(pk__in=[n.initial_hearing_id for n in ntas]).update(starts_at=past)
    hearings = list(Hearing.objects.filter(pk__in=[n.initial_hearing_id for n in ntas]).order_by("case_id"))
    for case in cases:
        case.refresh_from_db()
    return cases, hearings


def checked_in(hearing: Hearing) -> HearingAttendance:
    """The person checked in at the port (what helper A's check-in records), written directly."""
    officer = user_with_role(Role.CBP_OFFICER)
    return HearingAttendance.objects.create(
        hearing=hearing,
        case=hearing.case,
        port_id=hearing.hearing_location.reporting_port_id,
        checked_in_at=hearing.starts_at - dt.timedelta(hours=3),
        checked_in_by=officer,
    )
