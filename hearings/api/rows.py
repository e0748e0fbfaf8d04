"""The API lists' rows built from column values: the JSON that ``TearSheetSerializer``, ``HearingSerializer``
and ``NtaRowSerializer`` render, without a model instance per joined row and a serializer field call per
value.

At 500k cases a page of 50 tear sheets through the serializer made 400 model instances (the sheet and its
seven joined rows) and 1,150 field calls: about 6 ms of the page's 18 ms (officer, p50, 2026-12-04). The
views hand the ids of a page (``mpp.api.ViewOrderedCursorPagination``, ``json_rows``) to the functions here,
which read those rows in one query with ``.values()``. tests/hearings/test_api_rows.py checks that both ways
give the same JSON, row for row, for every shape of row (superseded, printed, each language, a moved
hearing).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.utils import timezone

from hearings.models import Hearing, NoticeToAppear, TearSheet
from mpp.api import actor_json, actor_values, day_json, moment, place_json
from mpp.db import in_order_of
from mpp.html import url_of


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_moment(value: Any, zone: str) -> str | None:
    """A moment in the zone named (``LocalTimeField``)."""
    return timezone.localtime(value, _zone(zone)).isoformat() if value is not None else None


def _person(v: dict[str, Any]) -> dict[str, Any]:
    """``AlienSummarySerializer`` of the row's case's person."""
    return {
        "id": v["case__alien_id"],
        "a_number": v["case__alien__a_number"],
        "family_name": v["case__alien__family_name"],
        "given_names": v["case__alien__given_names"],
    }


PERSON_VALUES = (
    "case__alien_id",
    "case__alien__a_number",
    "case__alien__family_name",
    "case__alien__given_names",
)

TEAR_SHEET_VALUES = (
    "id",
    "case_id",
    *PERSON_VALUES,
    "hearing_id",
    "hearing__hearing_location__code",
    "hearing__hearing_location__court__code",
    "hearing__hearing_location__time_zone",
    "hearing__starts_at",
    "location__code",
    "version",
    "reason",
    "language_code",
    "issued_at",
    "superseded_at",
    "superseded_by_id",
    "superseded_by__version",
    "printed_at",
    "printed_by_id",
    "print_count",
)


def tear_sheet_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """``TearSheetSerializer(many=True).data`` of the sheets ``ids``, in that order."""
    pdf_url = url_of("api-v1:tear-sheets-pdf")
    values = in_order_of(
        ids, TearSheet.objects.filter(pk__in=ids).values(*TEAR_SHEET_VALUES), key=lambda v: v["id"]
    )
    rows = []
    for v in values:
        starts_at, zone = v["hearing__starts_at"], v["hearing__hearing_location__time_zone"]
        rows.append(
            {
                "id": v["id"],
                "case": v["case_id"],
                "person": _person(v),
                "hearing": v["hearing_id"],
                "hearing_location": v["hearing__hearing_location__code"],
                "court": v["hearing__hearing_location__court__code"],
                "time_zone": zone,
                "hearing_starts_at": moment(starts_at),
                "hearing_starts_at_local": local_moment(starts_at, zone),
                "location": v["location__code"],
                "version": v["version"],
                "reason": v["reason"],
                "language_code": v["language_code"],
                "issued_at": moment(v["issued_at"]),
                "is_current": v["superseded_at"] is None,
                "superseded_at": moment(v["superseded_at"]),
                "superseded_by": (
                    {"id": v["superseded_by_id"], "version": v["superseded_by__version"]}
                    if v["superseded_by_id"] is not None
                    else None
                ),
                "printed_at": moment(v["printed_at"]),
                "printed_by": v["printed_by_id"],
                "print_count": v["print_count"],
                "pdf_url": pdf_url(v["id"]),
            }
        )
    return rows


HEARING_VALUES = (
    "id",
    "case_id",
    *PERSON_VALUES,
    "slot_id",
    "kind",
    "status",
    "is_initial",
    "hearing_location__code",
    "hearing_location__name",
    "hearing_location__court__code",
    "hearing_location__time_zone",
    "hearing_location__report_lead",
    "hearing_location__reporting_port__code",
    "hearing_location__reporting_port__time_zone",
    "starts_at",
    "replaces_id",
    "replaced_by__id",
    "reason",
    "created_at",
)


def hearing_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """``HearingSerializer(many=True).data`` of the hearings ``ids``, in that order."""
    values = in_order_of(
        ids, Hearing.objects.filter(pk__in=ids).values(*HEARING_VALUES), key=lambda v: v["id"]
    )
    rows = []
    for v in values:
        starts_at = v["starts_at"]
        port_zone = v["hearing_location__reporting_port__time_zone"]
        rows.append(
            {
                "id": v["id"],
                "case": v["case_id"],
                "person": _person(v),
                "slot": v["slot_id"],
                "kind": v["kind"],
                "status": v["status"],
                "is_initial": v["is_initial"],
                "hearing_location": v["hearing_location__code"],
                "hearing_location_name": v["hearing_location__name"],
                "court": v["hearing_location__court__code"],
                "time_zone": v["hearing_location__time_zone"],
                "starts_at": moment(starts_at),
                "starts_at_local": local_moment(starts_at, v["hearing_location__time_zone"]),
                "reporting_port": v["hearing_location__reporting_port__code"],
                # H1: the report time, in the reporting port's zone (HearingSerializer.get_report_at_local).
                "report_at_local": local_moment(starts_at - v["hearing_location__report_lead"], port_zone),
                "report_time_zone": port_zone,
                "replaces": v["replaces_id"],
                "replaced_by": v["replaced_by__id"],
                "reason": v["reason"],
                "created_at": moment(v["created_at"]),
            }
        )
    return rows


NTA_VALUES = (
    "id",
    "case_id",
    *PERSON_VALUES,
    "court__code",
    "court__name",
    "initial_hearing_id",
    "initial_hearing__hearing_location__code",
    "initial_hearing__hearing_location__time_zone",
    "initial_hearing__starts_at",
    "served_at",
    "served_location__code",
    "served_location__name",
    *actor_values("served_by"),
    "filed_on",
    *actor_values("filed_by"),
)


def nta_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """``NtaRowSerializer(many=True).data`` of the NTAs ``ids``, in that order."""
    values = in_order_of(
        ids, NoticeToAppear.objects.filter(pk__in=ids).values(*NTA_VALUES), key=lambda v: v["id"]
    )
    rows = []
    for v in values:
        starts_at, zone = v["initial_hearing__starts_at"], v["initial_hearing__hearing_location__time_zone"]
        filed_on = v["filed_on"]
        rows.append(
            {
                "id": v["id"],
                "case": v["case_id"],
                "person": _person(v),
                "court": place_json(v, "court"),
                "initial_hearing": {  # HearingBriefSerializer (an NTA always names its initial hearing)
                    "id": v["initial_hearing_id"],
                    "hearing_location": v["initial_hearing__hearing_location__code"],
                    "time_zone": zone,
                    "starts_at": moment(starts_at),
                    "starts_at_local": local_moment(starts_at, zone),
                },
                "served_at": moment(v["served_at"]),
                "served_location": place_json(v, "served_location"),
                "served_by": actor_json(v, "served_by"),
                "is_filed": filed_on is not None,
                "filed_on": day_json(filed_on),
                "filed_by": actor_json(v, "filed_by"),
            }
        )
    return rows
