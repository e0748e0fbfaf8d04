"""The slot's row lock under real concurrency: two transactions on two connections, started together."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from cases.exceptions import ConcurrentEdit
from hearings.models import Hearing, HearingSlot, NoticeToAppear
from hearings.services import hearings_move
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.factories import amenable_family, serve, slot

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls: Callable[[], object]) -> list[str]:
    """Run each call on its own thread (its own connection), released together; what each ended with."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[i] = "ok"
        except ConcurrentEdit as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # a deadlock or anything else: reported, not swallowed
            outcomes[i] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_officers_booking_the_last_place_at_once_one_is_told_the_slot_is_full():
    last = slot(capacity=3)
    HearingSlot.objects.filter(pk=last.pk).update(booked=2)
    first_family, second_family = amenable_family(1), amenable_family(1)
    first, second = user_with_role(Role.CBP_OFFICER), user_with_role(Role.CBP_OFFICER)

    outcomes = at_once(
        lambda: serve(first_family, officer=first, at=last),
        lambda: serve(second_family, officer=second, at=last),
    )

    assert sorted(outcomes) == ["ok", "slot_full"]
    last.refresh_from_db()
    assert (last.booked, last.capacity) == (3, 3)
    assert NoticeToAppear.objects.count() == 1
    assert Hearing.objects.filter(slot=last).count() == 1


def test_two_clerks_moving_hearings_between_two_slots_in_opposite_directions_both_succeed():
    """H2: each move books one slot and gives a place back to the other; they lock the slots in the same
    order, so they queue up instead of deadlocking."""
    clerk_a, clerk_b = user_with_role(Role.COURT_STAFF), user_with_role(Role.COURT_STAFF)
    officer = user_with_role(Role.CBP_OFFICER)
    morning, afternoon = slot(hour=8, minute=30, capacity=5), slot(hour=13, minute=0, capacity=5)
    (in_morning,) = serve(amenable_family(1), officer=officer, at=morning)
    (in_afternoon,) = serve(amenable_family(1), officer=officer, at=afternoon)

    outcomes = at_once(
        lambda: hearings_move(
            hearing_ids=[in_morning.initial_hearing_id],
            slot_id=afternoon.pk,
            mode="rescheduled",
            actor=clerk_a,
            reason="Interpreter available only in the afternoon",
        ),
        lambda: hearings_move(
            hearing_ids=[in_afternoon.initial_hearing_id],
            slot_id=morning.pk,
            mode="rescheduled",
            actor=clerk_b,
            reason="Counsel asked for the morning",
        ),
    )

    assert outcomes == ["ok", "ok"]
    morning.refresh_from_db()
    afternoon.refresh_from_db()
    assert (morning.booked, afternoon.booked) == (1, 1)
    assert Hearing.objects.filter(status="rescheduled").count() == 2
