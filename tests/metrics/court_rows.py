"""Rows the court workflow leaves, written directly (M1 and M3 read only these; the court services are
tested in tests/hearings): people served an NTA through the real service, filed on a chosen day, and
completions and reopenings at exact dates."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from cases.models import Case
from hearings.court_services import nta_court_id
from hearings.models import Completion, NoticeToAppear, Reopening
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.factories import amenable_family, serve, slot

_DAYS_AHEAD = itertools.count(10)  # a new slot each time (one slot per location and time)

# A fixed past: the tests do not depend on today's date (as-of dates before today are the normal case).
YEAR = timezone.localdate().year - 1


def day(month: int, date: int) -> dt.date:
    return dt.date(YEAR, month, date)


def served(
    size: int = 1, *, place: str = "sdg-ic-mpp", port: str = "sys-poe", filed: dt.date | None = None
) -> list[NoticeToAppear]:
    """A family of ``size`` served NTAs for a hearing at ``place``; filed with the court on ``filed``."""
    officer = user_with_role(Role.CBP_OFFICER, locations=[port])
    ntas = serve(
        amenable_family(size, port), officer=officer, at=slot(place=place, days_ahead=next(_DAYS_AHEAD))
    )
    if filed is not None:
        NoticeToAppear.objects.filter(pk__in=[n.pk for n in ntas]).update(
            filed_on=filed, filed_by=user_with_role(Role.COURT_STAFF)
        )
    return ntas


def completed(
    case: Case | int,
    decision: str,
    on: dt.date,
    *,
    after: Reopening | None = None,
) -> Completion:
    case_id = case if isinstance(case, int) else case.pk
    return Completion.objects.create(
        case_id=case_id,
        court_id=nta_court_id(case_id),  # as hearings.court_services.completion_record writes it
        decision=decision,
        decided_on=on,
        is_initial=after is None,
        reopening=after,
        reason=f"The immigration judge's order: {decision}.",
        recorded_by=user_with_role(Role.COURT_STAFF),
    )


def reopened(completion: Completion, on: dt.date, kind: str = Reopening.Kind.MOTION_TO_REOPEN) -> Reopening:
    return Reopening.objects.create(
        case_id=completion.case_id,
        completion=completion,
        kind=kind,
        granted_on=on,
        reason="Motion to reopen granted.",
        recorded_by=user_with_role(Role.COURT_STAFF),
    )
