"""Helpers for the observers' and press tests (O1, O2): hearings at the Laredo and Brownsville immigration
hearing facilities on a day computed once (never "today" in some zone), written directly (booking refuses
past slots, and these tests are about the facility's log, not the NTA)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from cases.models import CaseStatus
from hearings.models import Hearing, HearingSlot, ObserverRequest
from hearings.observer_services import observer_request_record
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from tests.factories import AlienFactory, CaseFactory, EncounterFactory, location, user_with_role
from tests.hearings.factories import hearing_location

LAREDO = "lrd-ihf"
LAREDO_EAGLE_PASS = "egp-lrd-ihf"  # the same building: Laredo's facility, for people returned at Eagle Pass
BROWNSVILLE = "bro-ihf"
# The closed reason: never shown to observers, in the log, the API or the case timeline.
SECRET = "Testimony about the sexual assault of the minor child; the judge closed it (8 CFR 1003.27)"
# A person heard: never named in the log.
HEARD_FAMILY_NAME = "Zzyzx-Heard"

_minutes = itertools.count()


def facility_day(code: str = LAREDO, days_ahead: int = 3) -> dt.date:
    """A day ``days_ahead`` days after today at the facility (computed once per test)."""
    place = hearing_location(code)
    return timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=days_ahead)


def hearing_at(
    code: str,
    day: dt.date,
    *,
    hour: int = 9,
    status: str = Hearing.Status.SCHEDULED,
    clerk: User | None = None,
) -> Hearing:
    """A hearing at ``code`` on ``day`` (its zone) at ``hour``, of a person in Mexico who reports at the
    facility's port."""
    place = hearing_location(code)
    clerk = clerk or user_with_role(Role.COURT_STAFF)
    minute = next(_minutes) % 60
    starts = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=place.zone)
    slot = HearingSlot.objects.create(
        hearing_location=place, starts_at=starts, capacity=5, published_by=clerk
    )
    case = CaseFactory(
        status=CaseStatus.IN_MEXICO,
        encounter=EncounterFactory(location=location(place.reporting_port.code)),
        alien=AlienFactory(family_name=HEARD_FAMILY_NAME, given_names="Hidden"),
    )
    return Hearing.objects.create(
        case=case,
        slot=slot,
        hearing_location=place,
        starts_at=starts,
        status=status,
        scheduled_by=clerk,
    )


def court() -> User:
    return user_with_role(Role.COURT_STAFF)


def laredo_supervisor() -> User:
    return user_with_role(Role.CBP_SUPERVISOR, locations=["lrd-poe"])


def asked(
    *,
    by: User | None = None,
    code: str = LAREDO,
    day: dt.date,
    hearing: Hearing | None = None,
    kind: str = ObserverRequest.Kind.PUBLIC,
    name: str = "María Observadora",
    **extra: object,
) -> ObserverRequest:
    press = kind == ObserverRequest.Kind.PRESS
    return observer_request_record(
        facility_id=hearing_location(code).pk,
        kind=kind,
        requester_name=name,
        outlet=str(extra.pop("outlet", "Laredo Morning Times" if press else "")),
        public_affairs_contact=str(extra.pop("public_affairs_contact", "J. Ortiz, DHS OPA" if press else "")),
        for_day=day,
        hearing_id=hearing.pk if hearing else None,
        actor=by or court(),
        reason=str(extra.pop("reason", "Asked at the front desk")),
        **extra,  # type: ignore[arg-type]
    )
