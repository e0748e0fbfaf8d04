"""``generate_scale_data --add-court`` (``scale_court``): the completions, reopenings, counsel of record and ERO
hand-offs of step 8, written in set-based SQL on a scale database generated without them, obey the rules
(H3, H4, H5) and the database's constraints, and the metrics M1 and M3 read them as plain SQL counts them."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from cases.models import Case, CaseEvent, EroHandoff
from demo.management.commands import generate_scale_data as command
from demo.management.commands import scale_court as qc
from hearings.models import Completion, Hearing, Reopening, Representation
from metrics.selectors import M1_DECISIONS, m1_relief_granted, m3_cases_completed
from tests.demo.test_scale_fear import generate  # the same command call, with --allow-any-database

pytestmark = pytest.mark.django_db

CASES = 1200
SEED = 5


@pytest.fixture
def before_court(monkeypatch):
    """A scale database from before step 8: stories, hearings and fear claims, no court records."""
    monkeypatch.setattr(command, "_generate_court", lambda *args, **kwargs: [])
    generate("--cases", str(CASES), "--seed", str(SEED))
    monkeypatch.undo()
    assert not Completion.objects.exists() and not EroHandoff.objects.exists()
    assert Case.objects.filter(status__in=qc.COMPLETED_STATUSES).exists()


@pytest.fixture
def court(before_court):
    return generate("--cases", str(CASES), "--seed", str(SEED), "--add-court")


def fingerprint() -> dict[str, object]:
    """What the court layer wrote, without the times it caps at now."""
    return {
        "completions": sorted(
            Completion.objects.values_list("case_id", "hearing_id", "decision", "decided_on", "appeal")
        ),
        "reopenings": sorted(Reopening.objects.values_list("case_id", "completion_id", "granted_on")),
        "counsel": sorted(Representation.objects.values_list("case_id", "kind", "name", "eoir28_filed_on")),
        "handoffs": sorted(
            EroHandoff.objects.values_list("case_id", "final_on", "location_id", "received_by_name")
        ),
        "held": sorted(Hearing.objects.filter(status="held").values_list("id", "counsel_id")),
    }


def test_h5_every_completed_case_has_one_initial_completion_consistent_with_its_status(court):
    completed = dict(Case.objects.filter(status__in=qc.COMPLETED_STATUSES).values_list("id", "status"))
    per_case = Counter(Completion.objects.values_list("case_id", flat=True))

    assert completed and set(per_case) == set(completed)
    assert set(per_case.values()) == {1}
    assert not Completion.objects.filter(is_initial=False).exists()
    assert not Completion.objects.filter(reopening__isnull=False).exists()
    seen = Counter()
    for case_id, decision in Completion.objects.values_list("case_id", "decision"):
        status = completed[case_id]
        seen[status] += 1
        if status == "completed_relief":
            assert decision in Completion.RELIEF, case_id
        elif status in ("completed_removal_order", "handed_to_ice"):
            assert decision in Completion.REMOVAL, case_id
        elif status == "completed_other":
            assert decision not in Completion.RELIEF | Completion.REMOVAL, case_id
    assert {"completed_relief", "completed_removal_order", "completed_other"} <= set(seen)
    assert f"{Completion.objects.count()} completions" in court


def test_h5_every_reopened_case_has_a_reopening_of_its_completion(court):
    reopened = set(Case.objects.filter(status="reopened").values_list("id", flat=True))
    reopenings = Reopening.objects.select_related("completion")

    assert set(reopenings.values_list("case_id", flat=True)) == reopened
    for reopening in reopenings:
        assert reopening.completion.case_id == reopening.case_id
        assert reopening.granted_on >= reopening.completion.decided_on, reopening.pk
    # A hand-off due for a reopened order was cancelled when it was reopened (H4, H5).
    assert not EroHandoff.objects.filter(case_id__in=reopened, cancelled_at__isnull=True).exists()


def test_h4_every_case_handed_to_ice_has_its_hand_off_recorded(court):
    handed = set(Case.objects.filter(status="handed_to_ice").values_list("id", flat=True))
    recorded = EroHandoff.objects.filter(handed_at__isnull=False)

    assert handed
    assert set(recorded.values_list("case_id", flat=True)) == handed
    for handoff in recorded:
        assert handoff.handed_by_id and handoff.handed_location_id and handoff.received_by_name, handoff.pk
        assert handoff.cancelled_at is None
    # Hand-offs are due only for removal orders (H4), one due at most per case.
    orders = set(Completion.objects.filter(decision__in=Completion.REMOVAL).values_list("case_id", flat=True))
    assert set(EroHandoff.objects.values_list("case_id", flat=True)) <= orders
    due = EroHandoff.objects.filter(handed_at__isnull=True, cancelled_at__isnull=True)
    assert due.exists()
    assert set(Case.objects.filter(pk__in=due.values("case_id")).values_list("status", flat=True)) == {
        "completed_removal_order"
    }


def test_h4_no_in_absentia_order_is_appealed(court):
    in_absentia = Completion.objects.filter(decision="removal_in_absentia")

    assert in_absentia.exists()
    assert not in_absentia.exclude(appeal="none").exists()
    assert Completion.objects.exclude(appeal="none").exists()  # some decisions made at a hearing were


def test_h3_at_most_one_counsel_of_record_per_case(court):
    per_case = Representation.objects.filter(ended_on__isnull=True).values("case_id").annotate(n=Count("id"))

    assert per_case.exists()
    assert max(row["n"] for row in per_case) == 1
    # Every held hearing's counsel is the case's own counsel of record.
    for hearing in Hearing.objects.filter(status="held", counsel__isnull=False).select_related("counsel"):
        assert hearing.counsel.case_id == hearing.case_id, hearing.pk


def test_the_events_and_history_rows_of_what_the_court_layer_wrote(court):
    events = Counter(CaseEvent.objects.filter(type__in=_EVENT_TYPES).values_list("type", flat=True))

    assert events["representation.recorded"] == Representation.objects.count() > 0
    assert events["ero.handoff_due"] == EroHandoff.objects.count() > 0
    assert events["ero.handoff_cancelled"] == EroHandoff.objects.filter(cancelled_at__isnull=False).count()
    appealed = Completion.objects.exclude(appeal="none").count()
    ended = Completion.objects.filter(appeal__in=["not_filed", "decided"]).count()
    assert events["completion.appeal"] == appealed + ended
    for model in (Completion, Reopening, Representation):
        assert model.history.filter(history_type="+").count() == model.objects.count(), model
    assert EroHandoff.history.filter(history_type="+").count() == EroHandoff.objects.count()
    changed = EroHandoff.objects.exclude(handed_at__isnull=True, cancelled_at__isnull=True).count()
    assert EroHandoff.history.filter(history_type="~").count() == changed
    held = Hearing.objects.filter(status="held").count()
    assert held and Hearing.history.filter(status="held", history_type="~").count() == held


_EVENT_TYPES = ["representation.recorded", "ero.handoff_due", "ero.handoff_cancelled", "completion.appeal"]


def test_add_court_refuses_to_run_twice(court):
    with pytest.raises(CommandError, match="already has"):
        generate("--cases", str(CASES), "--seed", str(SEED), "--add-court")


def test_add_court_refuses_a_database_without_ntas():
    with pytest.raises(CommandError, match="no NTAs"):
        generate("--cases", "10", "--add-court")


def _m1_plain(as_of: dt.date) -> Counter:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.decision, count(*) FROM hearings_completion c WHERE c.decided_on <= %s "
            "AND c.decision IN ('asylum', 'withholding', 'cat_withholding') AND c.id NOT IN "
            "(SELECT r.completion_id FROM hearings_reopening r WHERE r.granted_on <= %s) GROUP BY c.decision",
            [as_of, as_of],
        )
        return Counter(dict(cursor.fetchall()))


def _m3_plain(as_of: dt.date) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM hearings_noticetoappear WHERE filed_on <= %s", [as_of])
        enrolled = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*), "
            "count(*) FILTER (WHERE decision IN ('asylum', 'withholding', 'cat_withholding', 'cat_deferral')), "
            "count(*) FILTER (WHERE decision IN ('removal_order', 'removal_in_absentia')), "
            "count(*) FILTER (WHERE decision = 'removal_in_absentia') "
            "FROM hearings_completion WHERE is_initial AND decided_on <= %s",
            [as_of],
        )
        completed, relief, removal, in_absentia = cursor.fetchone()
    return {
        "enrolled": enrolled,
        "completed": completed,
        "relief": relief,
        "removal": removal,
        "in_absentia": in_absentia,
        "other": completed - relief - removal,
    }


def test_m1_and_m3_equal_plain_sql_counts_on_the_generated_data(court):
    assert {d.value for d in M1_DECISIONS} == {"asylum", "withholding", "cat_withholding"}
    days = sorted(Completion.objects.values_list("decided_on", flat=True))
    today = timezone.localdate()
    for as_of in (days[len(days) // 2], today):
        m1 = m1_relief_granted(as_of=as_of)
        plain = _m1_plain(as_of)
        assert (m1.total.asylum, m1.total.withholding, m1.total.cat_withholding) == (
            plain["asylum"],
            plain["withholding"],
            plain["cat_withholding"],
        ), as_of
        assert (
            sum(c.counts.total for c in m1.courts) == sum(m.counts.total for m in m1.months) == m1.total.total
        )

        m3 = m3_cases_completed(as_of=as_of)
        assert m3.total.__dict__ == _m3_plain(as_of), as_of
    assert m1.total.total > 0 and m3.total.completed > 0 and m3.total.removal > 0


def test_add_court_is_repeatable_with_the_seed(court):
    first = fingerprint()
    assert all(first.values())
    # Undo the court layer (the base data stays), then add it again with the same seed.
    EroHandoff.objects.all().delete()
    Hearing.objects.filter(status="held").update(status="scheduled", counsel=None)
    Reopening.objects.all().delete()
    Completion.objects.all().delete()
    Representation.objects.all().delete()

    generate("--cases", str(CASES), "--seed", str(SEED), "--add-court")

    assert fingerprint() == first
