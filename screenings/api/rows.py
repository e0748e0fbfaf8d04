"""The supervisor's API queue (A3) built from column values: the JSON that ``ReviewQueueItemSerializer``
renders, without a model instance per review, location, submitter, encounter, case and person.

A page of 50 families through the serializer made about 400 model instances and spent most of its time
building them (24 ms p50 at 500k cases, 2026-12-06). The view hands the ids of a page
(``mpp.api.ViewOrderedCursorPagination``, ``json_rows``) to ``review_queue_rows``, which reads the reviews,
their families' cases and the holds that refuse a decision in three queries. tests/screenings/test_api_rows.py
checks that both ways give the same JSON, row for row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cases.models import Case
from mpp.api import actor_json, actor_values, moment
from mpp.db import in_order_of
from screenings.api.serializers import review_members
from screenings.models import AmenabilityReview
from screenings.selectors import encounters_waiting_for_hold

REVIEW_QUEUE_VALUES = (
    "id",
    "encounter_id",
    "location__code",
    "status",
    *actor_values("submitted_by"),
    "submitted_at",
    "proposal",
)


def review_queue_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """``ReviewQueueItemSerializer(many=True).data`` of the reviews ``ids``, in that order, with
    ``waits_for_hold`` read for the page (S1/S4: ``encounters_waiting_for_hold``)."""
    values = in_order_of(
        ids,
        AmenabilityReview.objects.filter(pk__in=ids).values(*REVIEW_QUEUE_VALUES),
        key=lambda v: v["id"],
    )
    encounter_ids = [v["encounter_id"] for v in values]
    cases: dict[int, dict[int, tuple[int, str | None, str]]] = defaultdict(dict)
    for case_id, encounter_id, alien_id, a_number, status in (
        Case.objects.filter(encounter_id__in=encounter_ids)
        .order_by("id")
        .values_list("id", "encounter_id", "alien_id", "alien__a_number", "status")
    ):
        cases[encounter_id][case_id] = (alien_id, a_number, status)
    waiting = encounters_waiting_for_hold(encounter_ids=encounter_ids)
    return [
        {
            "id": v["id"],
            "encounter": v["encounter_id"],
            "location": v["location__code"],
            "status": v["status"],
            "submitted_by": actor_json(v, "submitted_by"),
            "submitted_at": moment(v["submitted_at"]),
            "members": review_members(v["proposal"], cases[v["encounter_id"]]),
            "waits_for_hold": v["encounter_id"] in waiting,
        }
        for v in values
    ]
