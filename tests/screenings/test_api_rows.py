"""screenings.api.rows: the supervisor's API queue (A3) renders its page from column values instead of through
``ReviewQueueItemSerializer``. The JSON must be the serializer's own, key for key, for families that wait for a
fear claim's hold (S1/S4) and families that do not, members with proposed reasons and without, at two duty
locations; the list endpoint answers the same, in queue order, and names its rows in the access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from screenings import selectors
from screenings.api.rows import review_queue_rows
from screenings.api.serializers import ReviewQueueItemSerializer
from screenings.models import AmenabilityReview
from screenings.services import family_submit_for_review, intake_create
from tests.factories import location, user_with_role
from tests.screenings.factories import member, screen_all

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def queue(db) -> dict[str, Any]:
    """Four families waiting for review: at San Ysidro one with a pending fear claim (its decision waits,
    S1) and two without; one at Calexico."""
    reviews = []
    families = [
        ("sys-poe", True, "Reyes"),
        ("sys-poe", False, "Cruz"),
        ("cxl-poe", False, "Lara"),
        ("sys-poe", False, "Vega"),
    ]
    for i, (code, fear, name) in enumerate(families):
        officer = user_with_role(Role.CBP_OFFICER, locations=[code])
        encounter = intake_create(  # a Honduran mother, a Guatemalan father, a Mexican daughter (F2)
            actor=officer,
            location=location(code),
            occurred_at=timezone.now() - dt.timedelta(hours=5 - i),
            members=[
                member("head", "Ana Lucía", f"{name} Mejía", dt.date(1990, 3, 14 + i)),
                member(
                    "spouse", "José Manuel", f"Ortiz {name}", dt.date(1987, 11, 2 + i), country="GT", sex="M"
                ),
                member("child", "Valeria", f"Ortiz {name}", dt.date(2019, 6, 5 + i), country="MX"),
            ],
        )
        overrides = {"José Manuel": {"fear_of_return_expressed": True}} if fear else {}
        screen_all(officer, encounter, **overrides)
        reviews.append(family_submit_for_review(actor=officer, encounter_id=encounter.pk))
    supervisor = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe", "cxl-poe"])
    return {"reviews": reviews, "supervisor": supervisor}


def _serialized(reviews: list[AmenabilityReview]) -> list[dict[str, Any]]:
    # waits_for_hold not annotated: the serializer works it out itself (review_decision_blocks), an answer
    # reached another way than the rows' one query for the page.
    return [dict(row) for row in ReviewQueueItemSerializer(reviews, many=True).data]


def test_a3_every_queue_row_is_the_serializers_json(queue):
    pending = list(selectors.reviews_pending_for(user=queue["supervisor"]))
    assert len(pending) == 4

    rows = review_queue_rows([r.pk for r in pending])

    assert rows == _serialized(pending)
    assert [row["waits_for_hold"] for row in rows] == [True, False, False, False]  # S1: the fear claim
    assert {row["location"] for row in rows} == {"sys-poe", "cxl-poe"}
    assert any(m["proposed_reasons"] for row in rows for m in row["members"])
    assert all(m["a_number"] is not None or m["alien"] for row in rows for m in row["members"])


def test_rows_come_in_the_order_of_the_ids_and_unknown_ids_are_left_out(queue):
    ids = [r.pk for r in queue["reviews"]]

    rows = review_queue_rows([*reversed(ids), 0])

    assert [row["id"] for row in rows] == list(reversed(ids))
    assert review_queue_rows([]) == []


def test_a3_the_api_queue_answers_the_serializers_json_in_queue_order_and_logs_its_rows(queue):
    client = APIClient()
    client.force_login(queue["supervisor"])

    first = client.get(f"{API}/amenability-reviews/", {"page_size": 3})
    second = client.get(first.json()["next"])

    assert first.status_code == 200, first.content
    rows = first.json()["results"] + second.json()["results"]
    pending = {r.pk: r for r in selectors.reviews_pending_for(user=queue["supervisor"])}
    assert [row["id"] for row in rows] == [r.pk for r in queue["reviews"]]  # oldest submitted first
    assert rows == _serialized([pending[row["id"]] for row in rows])
    logged = AccessLog.objects.filter(object_type="amenability_review", channel="api").order_by("id")
    assert [ids for ids in logged.values_list("object_ids", flat=True)] == [
        [str(row["id"]) for row in first.json()["results"]],
        [str(row["id"]) for row in second.json()["results"]],
    ]


def test_a3_the_queue_shows_only_the_supervisors_duty_locations(queue):
    elsewhere = user_with_role(Role.CBP_SUPERVISOR, locations=["cxl-poe"])
    client = APIClient()
    client.force_login(elsewhere)

    rows = client.get(f"{API}/amenability-reviews/").json()["results"]

    assert [row["location"] for row in rows] == ["cxl-poe"]
