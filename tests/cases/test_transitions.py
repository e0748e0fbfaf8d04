"""The one transition table: every legal move succeeds, every illegal one raises naming both states."""

import itertools

import pytest

from cases.models import TRANSITIONS, Case, CaseStatus
from cases.services import case_move
from mpp.exceptions import IllegalTransition
from tests.factories import CaseFactory, UserFactory

LEGAL = sorted((a, b) for a, targets in TRANSITIONS.items() for b in targets)
ILLEGAL = sorted(
    (a, b) for a, b in itertools.product(CaseStatus.values, repeat=2) if a != b and b not in TRANSITIONS[a]
)


def test_every_status_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(CaseStatus.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(CaseStatus.values)


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_check_transition_allows_every_legal_move(current, target):
    Case.check_transition(current, target)  # does not raise


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_check_transition_refuses_every_illegal_move_naming_both_states(current, target):
    with pytest.raises(IllegalTransition) as refused:
        Case.check_transition(current, target)

    assert f"({current})" in refused.value.message
    assert f"({target})" in refused.value.message
    assert refused.value.http_status == 409


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_case_move_performs_every_legal_move_and_records_it(current, target):
    case = CaseFactory(status=current)
    actor = UserFactory()

    moved = case_move(case_id=case.pk, to_status=target, actor=actor, reason=f"{current} to {target}")

    moved.refresh_from_db()
    assert moved.status == target
    latest = moved.history.first()
    assert latest.status == target
    assert latest.history_user == actor
    assert latest.history_change_reason == f"{current} to {target}"


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), ILLEGAL[::7])  # a spread of illegal pairs through the service
def test_case_move_refuses_illegal_moves_and_changes_nothing(current, target):
    case = CaseFactory(status=current)
    rows_before = case.history.count()

    with pytest.raises(IllegalTransition):
        case_move(case_id=case.pk, to_status=target, actor=UserFactory(), reason="try")

    case.refresh_from_db()
    assert case.status == current
    assert case.history.count() == rows_before


def test_not_amenable_is_terminal():
    assert TRANSITIONS[CaseStatus.NOT_AMENABLE] == frozenset()


def test_return_to_mexico_is_never_reachable_from_fear_claim_pending_without_a_decision():
    """F4/S4: the only way out of fear_claim_pending to Mexico is a decided claim (a service move);
    nothing reaches in_mexico from a status that is not in the table."""
    sources = {a for a, targets in TRANSITIONS.items() if CaseStatus.IN_MEXICO in targets}
    assert CaseStatus.SCREENING not in sources
    assert CaseStatus.AWAITING_REVIEW not in sources
    assert CaseStatus.NOT_AMENABLE not in sources
