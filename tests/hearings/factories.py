"""Factories and helpers for the hearings tests: slots, and families served through the real service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.models import Case
from hearings.models import HearingLocation, HearingSlot, NoticeToAppear, ProBonoProvider
from hearings.services import AddressInput, nta_serve_family
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from tests.factories import family_with_cases, user_with_role


def hearing_location(code: str = "sdg-ic-mpp") -> HearingLocation:
    return HearingLocation.objects.select_related("court", "reporting_port").get(code=code)


def slot(
    *,
    place: str = "sdg-ic-mpp",
    days_ahead: int = 10,
    hour: int = 8,
    minute: int = 30,
    capacity: int = 20,
    publisher: User | None = None,
) -> HearingSlot:
    """A slot ``days_ahead`` days from today at ``hour:minute`` in the hearing location's zone."""
    location = hearing_location(place)
    day = timezone.localdate(timezone.now(), location.zone) + dt.timedelta(days=days_ahead)
    starts = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=location.zone)
    return HearingSlot.objects.create(
        hearing_location=location,
        starts_at=starts,
        capacity=capacity,
        published_by=publisher or user_with_role(Role.COURT_STAFF),
    )


def pro_bono(court_code: str, *names: str) -> list[ProBonoProvider]:
    from tests.factories import location

    court = location(court_code)
    return [
        ProBonoProvider.objects.create(court=court, name=name, phone=f"(555) 010-{i:04d}", position=i)
        for i, name in enumerate(names)
    ]


ADDRESS = AddressInput(address="Calle Juárez 123, Col. Centro", city="Tijuana", state="Baja California")


def serve(
    cases: list[Case],
    *,
    officer: User,
    at: HearingSlot,
    interpretation: str = "none",
    interpreter_language: str | None = None,
    oral_notice_language: str = "es",
) -> list[NoticeToAppear]:
    return nta_serve_family(
        encounter_id=cases[0].encounter_id,
        slot_id=at.pk,
        actor=officer,
        classification=NoticeToAppear.Classification.ARRIVING,
        charge_codes=["212(a)(7)(A)(i)(I)"],
        oral_notice_language=oral_notice_language,
        interpretation=interpretation,
        interpreter_language=interpreter_language,
        address=ADDRESS,
    )


def amenable_family(size: int = 2, location_code: str = "sys-poe") -> list[Case]:
    return family_with_cases(size=size, location_code=location_code, status=Case.Status.AMENABLE)
