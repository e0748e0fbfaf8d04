"""Reads for the observers' and press log (O1, O2): the facilities a user records observers at, a
facility's log newest first (keyset, 50 a page, one query however long), the day's hearings an observer
may ask for (by time and place, never the person), and which hearings are closed to the public.

The log keeps personal data out: a request names at most a hearing, shown by its time, place and whether it
is closed to the public; never the person heard, nor why it is closed (``Hearing.closed_reason`` is for
court staff, on the hearing's own page).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hearings.models import Hearing, HearingLocation, ObserverRequest
from hearings.observer_services import day_hearings, facilities, may_act_at
from hearings.workflow import OBSERVER_ROLES
from mpp.accounts.models import User
from mpp.db import in_order_of
from mpp.pagination import PAGE_SIZE, KeysetPage, SortOption, keyset_page

LOG_SORTS = (
    SortOption(
        "newest", "Newest first", ("-asked_at", "-id"), earlier="Newer", later="Older", start="Newest"
    ),
)


def observer_facilities_of(user: User) -> list[HearingLocation]:
    """The immigration hearing facilities ``user`` records observers at (O1): every one for court staff;
    for a CBP supervisor, those where they (or the facility's reporting port) are posted. One query."""
    if not user.has_role(*OBSERVER_ROLES):
        return []
    return [place for place in facilities() if may_act_at(user, place)]


def facility_today(place: HearingLocation) -> dt.date:
    return timezone.localdate(timezone.now(), place.zone)


def observer_log(
    *, place: HearingLocation, params: Mapping[str, Any], size: int = PAGE_SIZE
) -> KeysetPage[ObserverRequest]:
    """The facility's observer requests, newest first (by when they asked), ``size`` a page: one query by
    the index on (facility, -asked_at, -id), the named hearing and who recorded and decided each joined."""
    rows = ObserverRequest.objects.filter(facility=place).select_related(
        "hearing__hearing_location", "recorded_by", "decided_by"
    )
    return keyset_page(rows, sorts=LOG_SORTS, params=params, size=size)


@dataclass(frozen=True)
class HearingChoice:
    """A hearing an observer may ask for, as the log shows it: its time (in the hearing location's zone,
    named) and place, and whether it is closed to the public — never the person."""

    id: int
    starts_at: dt.datetime
    words: str
    place_name: str
    closed: bool
    status: str

    @property
    def label(self) -> str:
        closed = " — closed to the public" if self.closed else ""
        return f"{self.words}, {self.place_name} (hearing {self.id}){closed}"


def hearing_words(starts_at: dt.datetime, time_zone: str) -> str:
    local = timezone.localtime(starts_at, zoneinfo.ZoneInfo(time_zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


DAY_SORTS = (
    SortOption(
        "time",
        "Earliest first",
        ("starts_at", "id"),
        earlier="Earlier hearings",
        later="Later hearings",
        start="First hearings",
    ),
)
DAY_CURSOR = "hearings_cursor"


def day_hearing_page(
    place: HearingLocation, day: dt.date, *, params: Mapping[str, Any], size: int = PAGE_SIZE
) -> tuple[KeysetPage[Hearing], list[HearingChoice]]:
    """One page of the hearings at the facility on ``day`` (``size`` of them, earliest first, by keyset under
    ``?hearings_cursor=``), and the page's ``HearingChoice`` rows. A busy facility hears hundreds a day (926
    at Brownsville on the busiest day at 500k cases): listing them all made the page 90 ms. Two queries."""
    page = keyset_page(
        day_hearings(place, day).only("id", "starts_at"),
        sorts=DAY_SORTS,
        params=params,
        size=size,
        cursor_param=DAY_CURSOR,
        sort_param="hearings_sort",
    )
    ids = [h.pk for h in page.rows]
    return page, in_order_of(ids, _choices(Hearing.objects.filter(pk__in=ids)), key=lambda choice: choice.id)


def _choices(hearings: Any) -> list[HearingChoice]:
    rows = hearings.values_list(
        "id",
        "starts_at",
        "hearing_location__name",
        "hearing_location__time_zone",
        "closed_to_public",
        "status",
    )
    return [
        HearingChoice(pk, starts, hearing_words(starts, zone), name, closed, status)
        for pk, starts, name, zone, closed, status in rows
    ]


def day_hearing_choices(place: HearingLocation, day: dt.date) -> list[HearingChoice]:
    """Every hearing at the facility on ``day`` an observer may ask for, earliest first (what a posted request
    is validated against). One query."""
    return _choices(day_hearings(place, day))


def closed_hearing_ids(hearing_ids: Iterable[int]) -> set[int]:
    """Which of ``hearing_ids`` are closed to the public (O1): for a docket or list that marks them
    ("Closed to the public") without loading the hearings again. One query (none for no ids)."""
    ids = list(hearing_ids)
    if not ids:
        return set()
    return set(Hearing.objects.filter(pk__in=ids, closed_to_public=True).values_list("pk", flat=True))
