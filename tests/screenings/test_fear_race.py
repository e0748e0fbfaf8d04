"""Fear claims under real concurrency: two transactions on two connections (threads), started together or
in a forced order. F4: a return to Mexico racing a fear claim never commits after the claim; S3: two
reviewers at once record one decision; S1: two officers recording the same person's fear make one claim."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, transaction

from cases.models import Case, CaseEvent, CaseStatus, Hold
from cases.services import case_move
from hearings.workflow import HEARING_DAY
from mpp.accounts.roles import Role
from mpp.exceptions import DomainError
from screenings.fear_services import fear_assessment_review
from screenings.models import FearAssessment, FearClaim
from screenings.services import amenability_decide, family_submit_for_review
from tests.factories import user_with_role
from tests.screenings.factories import mixed_family, screen_all
from tests.screenings.test_fear_services import assess, cbp, family, record, statuses, uscis

pytestmark = pytest.mark.django_db(transaction=True)

S = CaseStatus
ROUNDS = 6


def at_once(*calls: Callable[[], object]) -> list[str]:
    """Run each call on its own thread (its own connection), released together; what each ended with:
    "ok", or the domain error's code, or the unexpected exception (a deadlock would show here)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.code
        except Exception as exc:
            outcomes[i] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def _wait_for_a_lock_waiter(timeout: float = 10.0) -> bool:
    """True once another connection of this database waits on a row lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def _return(case: Case, officer) -> Callable[[], object]:
    return lambda: case_move(
        case_id=case.pk,
        to_status=S.IN_MEXICO,
        actor=officer,
        reason="Hearing over (H1)",
        workflow=HEARING_DAY,
    )


def _review(claim: FearClaim, sao, decision: str) -> Callable[[], object]:
    return partial(
        fear_assessment_review, claim_id=claim.pk, actor=sao, decision=decision, reason=f"{decision} ({sao})"
    )


# --- F4: a return racing a fear claim ---------------------------------------------------------------------


def test_f4_a_siblings_return_racing_a_fear_claim_either_comes_first_or_is_refused_never_after_it():
    seen = []
    for _ in range(ROUNDS):
        ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
        recorder, returner = cbp(), cbp()

        claim_outcome, return_outcome = at_once(partial(record, ana, by=recorder), _return(son, returner))

        assert claim_outcome == "ok"
        assert return_outcome in ("ok", "family_fear_pending"), return_outcome
        assert Hold.objects.filter(case=ana, kind="fear_claim", released_at__isnull=True).count() == 1
        claimed = CaseEvent.objects.get(case=ana, type="fear.claim_recorded")
        if return_outcome == "ok":  # return first, then the claim
            returned = CaseEvent.objects.get(case=son, type="hearing_day.returned")
            assert statuses([son]) == [S.IN_MEXICO]
            assert returned.occurred_at < claimed.occurred_at
        else:  # claim first: the return was refused, and left nothing
            assert statuses([son]) == [S.IN_US_FOR_HEARING]
            assert not CaseEvent.objects.filter(case=son).exists()
        seen.append(return_outcome)
    assert len(seen) == ROUNDS


def test_f4_a_return_in_flight_waits_for_the_claim_being_recorded_and_is_then_refused():
    ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    recorder, returner = cbp(), cbp()
    recorded, go = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def record_and_wait():
        try:
            with transaction.atomic():
                record(ana, by=recorder)
                recorded.set()
                go.wait(timeout=20)
        finally:
            connection.close()

    def return_son():
        try:
            _return(son, returner)()
            outcome["return"] = "ok"
        except DomainError as exc:
            outcome["return"] = f"{exc.rule} {exc.code}"
        finally:
            connection.close()

    a = threading.Thread(target=record_and_wait)
    a.start()
    assert recorded.wait(timeout=20)
    b = threading.Thread(target=return_son)
    b.start()
    waited = _wait_for_a_lock_waiter()
    go.set()
    a.join(timeout=30)
    b.join(timeout=30)

    assert waited, "the return did not wait for the family lock"
    assert outcome == {"return": "F4 family_fear_pending"}
    assert statuses([son]) == [S.IN_US_FOR_HEARING]
    assert FearClaim.objects.filter(case=ana).count() == 1


def test_f4_a_return_that_commits_first_stands_and_the_claim_is_recorded_after_it():
    ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    recorder, returner = cbp(), cbp()
    returned, go = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def return_and_wait():
        try:
            with transaction.atomic():
                _return(son, returner)()
                returned.set()
                go.wait(timeout=20)
        finally:
            connection.close()

    def record_claim():
        try:
            record(ana, by=recorder)
            outcome["claim"] = "ok"
        except DomainError as exc:
            outcome["claim"] = exc.code
        finally:
            connection.close()

    b = threading.Thread(target=return_and_wait)
    b.start()
    assert returned.wait(timeout=20)
    a = threading.Thread(target=record_claim)
    a.start()
    waited = _wait_for_a_lock_waiter()
    go.set()
    b.join(timeout=30)
    a.join(timeout=30)

    assert waited, "the claim did not wait for the family lock"
    assert outcome == {"claim": "ok"}
    assert statuses([son]) == [S.IN_MEXICO]
    returned_at = CaseEvent.objects.get(case=son, type="hearing_day.returned").occurred_at
    assert returned_at < CaseEvent.objects.get(case=ana, type="fear.claim_recorded").occurred_at


def test_f5_a_return_racing_the_positive_concurrence_never_commits():
    """While the claim is pending the return is refused (F4); once concurred positive the sibling is
    removed from MPP and cannot be returned (S4/F5). Whichever runs first, nobody is returned."""
    for _ in range(ROUNDS):
        ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
        claim = record(ana)
        assess(claim, "positive")
        sao, returner = uscis(Role.SUPERVISORY_ASYLUM_OFFICER), cbp()

        concurred, return_outcome = at_once(_review(claim, sao, "concur"), _return(son, returner))

        assert concurred == "ok"
        assert return_outcome in ("family_fear_pending", "illegal_transition"), return_outcome
        assert statuses([ana, son]) == [S.REMOVED_FROM_MPP, S.REMOVED_FROM_MPP]


def test_s4_the_amenability_decision_racing_a_positive_concurrence_never_makes_the_claimant_amenable():
    officer = user_with_role(Role.CBP_OFFICER)
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    father = encounter.cases.order_by("id")[1]
    claim = FearClaim.objects.get(case=father)
    assess(claim, "positive")
    sao, supervisor = uscis(Role.SUPERVISORY_ASYLUM_OFFICER), user_with_role(Role.CBP_SUPERVISOR)

    concurred, decided = at_once(
        _review(claim, sao, "concur"),
        lambda: amenability_decide(actor=supervisor, review_id=review.pk, reason="Reviewed"),
    )

    assert concurred == "ok"
    assert decided in ("ok", "fear_claim_pending"), decided
    expected = S.NOT_AMENABLE if decided == "ok" else S.AWAITING_REVIEW
    assert set(encounter.cases.values_list("status", flat=True)) == {expected}


# --- S3: two reviewers at once ------------------------------------------------------------------------


@pytest.mark.parametrize("second", ["concur", "return"])
def test_s3_two_supervisory_asylum_officers_reviewing_at_once_record_exactly_one_decision(second):
    for _ in range(3):
        ana, son = family(S.ENROLLED, S.ENROLLED)
        claim = record(ana)
        assess(claim, "positive")
        first_sao, second_sao = uscis(Role.SUPERVISORY_ASYLUM_OFFICER), uscis(Role.SUPERVISORY_ASYLUM_OFFICER)

        outcomes = at_once(_review(claim, first_sao, "concur"), _review(claim, second_sao, second))

        assert sorted(outcomes) == ["already_reviewed", "ok"], outcomes
        assessment = FearAssessment.objects.get(claim=claim)
        winner = first_sao if outcomes[0] == "ok" else second_sao
        assert assessment.reviewed_by == winner
        assert (
            FearAssessment.history.filter(id=assessment.pk, history_user__in=[first_sao, second_sao]).count()
            == 1
        )
        decided = CaseEvent.objects.filter(case=ana, type__in=["fear.concurred", "fear.assessment_returned"])
        assert decided.count() == 1
        if assessment.status == FearAssessment.Status.CONCURRED:
            assert statuses([ana, son]) == [S.REMOVED_FROM_MPP, S.REMOVED_FROM_MPP]
            assert CaseEvent.objects.filter(case=ana, type="hold.released").count() == 1
        else:
            assert statuses([ana, son]) == [S.ENROLLED, S.ENROLLED]
            assert Hold.objects.get(pk=claim.hold_id).is_open


# --- S1: the same fear recorded twice at once ---------------------------------------------------------


def test_s1_two_officers_recording_the_same_persons_fear_at_once_make_one_claim():
    for _ in range(3):
        ana, _ = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
        officer_a, officer_b = cbp(), cbp(Role.CBP_SUPERVISOR)

        outcomes = at_once(partial(record, ana, by=officer_a), partial(record, ana, by=officer_b))

        assert outcomes == ["ok", "ok"]
        assert FearClaim.objects.filter(case=ana).count() == 1
        assert Hold.objects.filter(case=ana).count() == 1
        assert CaseEvent.objects.filter(case=ana, type="fear.claim_recorded").count() == 1
