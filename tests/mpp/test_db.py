"""mpp.db.Literal: a status code written into the SQL text, so that a prepared statement's generic plan can
still use the partial index defined on it; and never a way to put anything else into the SQL."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Case, CaseStatus
from mpp.db import Literal, in_order_of, sql_list
from screenings.models import AmenabilityReview
from screenings.selectors import review_queue_for
from tests.factories import user_with_role


@pytest.mark.parametrize(
    "value",
    ["pending'; DROP TABLE cases_case; --", "Pending", "50%", "", "a b", "x" * 65, "'", "é", None, 3],
)
def test_literal_refuses_anything_but_a_lower_case_code(value):
    with pytest.raises(ValueError, match="Literal takes a code"):
        Literal(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["held'); DROP TABLE cases_case; --", "Held", "50%", "", None])
def test_sql_list_refuses_what_literal_refuses(value):
    with pytest.raises(ValueError, match="Literal takes a code"):
        sql_list(["scheduled", value])  # type: ignore[list-item]


def test_sql_list_writes_codes_as_an_sql_list():
    assert sql_list(["scheduled", "continued", "held"]) == "('scheduled', 'continued', 'held')"


@pytest.mark.django_db
def test_literal_filters_like_the_bound_value_it_replaces():
    assert list(Case.objects.filter(status=Literal(CaseStatus.AWAITING_REVIEW)).values_list("pk")) == list(
        Case.objects.filter(status=CaseStatus.AWAITING_REVIEW).values_list("pk")
    )


@pytest.mark.django_db
def test_the_review_queue_names_the_pending_status_in_its_sql_text_so_the_partial_index_serves_any_plan():
    # A3's queue and the supervisors' badge read review_queue_pending_idx (WHERE status = 'pending'). With the
    # status as a bound parameter, the prepared statement's generic plan could not use that index.
    supervisor = user_with_role("cbp_supervisor", locations=["sys-poe"])
    queryset = review_queue_for(user=supervisor)
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    assert '"screenings_amenabilityreview"."status" = \'pending\'' in sql
    assert AmenabilityReview.Status.PENDING not in params


def test_in_order_of_puts_rows_back_in_the_order_of_their_keys_and_leaves_out_a_missing_one():
    rows = [{"id": 3, "v": "c"}, {"id": 1, "v": "a"}, {"id": 2, "v": "b"}]

    assert in_order_of([2, 9, 3, 1], rows, key=lambda row: row["id"]) == [
        {"id": 2, "v": "b"},
        {"id": 3, "v": "c"},
        {"id": 1, "v": "a"},
    ]
    assert in_order_of([], rows, key=lambda row: row["id"]) == []
