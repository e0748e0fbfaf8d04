"""hearings.api.rows: the tear sheet and hearing lists render their pages from column values instead of through
``TearSheetSerializer`` and ``HearingSerializer``. The JSON must be the serializers' own, key for key and value
for value, for every shape of row: a superseded sheet and its reissue (N5), a printed sheet, each tear sheet
language (N1a, "" for English and Spanish), hearings at places in other time zones with fractional report
leads (H1), a rescheduled and a continued hearing and their replacements (H2); the NTA list
(``NtaRowSerializer``), filed and not filed (M3/M4)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from cases.models import Case
from hearings import selectors
from hearings.api.rows import hearing_rows, local_moment, moment, nta_rows, tear_sheet_rows
from hearings.api.serializers import HearingSerializer, NtaRowSerializer, TearSheetSerializer
from hearings.models import Hearing, NoticeToAppear, TearSheet
from hearings.services import (
    hearings_move,
    nta_file,
    print_batch_build,
    print_batch_create,
    print_batch_mark_printed,
)
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.outbox.services import outbox_relay
from tests.factories import language, user_with_role
from tests.hearings.factories import amenable_family, serve, slot

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _speaking(case: Case, code: str) -> None:
    alien = case.alien
    alien.preferred_language = language(code)
    alien.save(update_fields=["preferred_language"])


def _family(port: str, place: str, languages: list[str], *, days_ahead: int = 10) -> list[Case]:
    """A family served at ``port`` into a slot at ``place``, each member speaking the language given."""
    cases = amenable_family(len(languages), port)
    for case, code in zip(cases, languages, strict=True):
        _speaking(case, code)
    role = Role.BORDER_PATROL_AGENT if port.endswith("-bps") else Role.CBP_OFFICER
    serve(cases, officer=user_with_role(role, locations=[port]), at=slot(place=place, days_ahead=days_ahead))
    return cases


@pytest.fixture
def every_shape(db) -> dict[str, Any]:
    """Rows of every shape, at three places in three zones (San Diego, Laredo for Eagle Pass, Brownsville)."""
    court = user_with_role(Role.COURT_STAFF)
    san_diego = _family("sys-poe", "sdg-ic-mpp", ["es", "pt", "quc"])  # es, pt and "" (English and Spanish)
    eagle_pass = _family("egp-poe", "egp-lrd-ihf", ["en"], days_ahead=12)  # report lead 5 h, Chicago
    brownsville = _family("bro-poe", "bro-ihf", ["ht"], days_ahead=14)  # report lead 3.5 h
    rescheduled = Hearing.objects.get(case=san_diego[0], is_initial=True)
    continued = Hearing.objects.get(case=eagle_pass[0], is_initial=True)
    hearings_move(
        hearing_ids=[rescheduled.pk],
        slot_id=slot(days_ahead=20).pk,
        mode="rescheduled",
        actor=court,
        reason="Judge unavailable",
    )
    hearings_move(
        hearing_ids=[continued.pk],
        slot_id=slot(place="egp-lrd-ihf", days_ahead=30, hour=13, minute=15).pk,
        mode="continued",
        actor=court,
        reason="Needs time to find counsel",
    )
    while outbox_relay():  # the subscribers reissue the moved hearings' sheets (N5)
        pass
    printer = user_with_role(Role.PRINT_STAFF, locations=["bro-poe"])
    printed = TearSheet.objects.filter(case=brownsville[0]).get()
    batch = print_batch_create(sheet_ids=[printed.pk], actor=printer)
    print_batch_build(batch_id=batch.pk)
    print_batch_mark_printed(batch_id=batch.pk, actor=printer)
    filed = NoticeToAppear.objects.filter(case__in=san_diego[:2]).order_by("id")
    nta_file(nta_ids=[n.pk for n in filed], filed_on=timezone.localdate(), actor=court)  # M3: filed, with who
    return {"court": court, "printed": printed, "rescheduled": rescheduled, "continued": continued}


def _serialized(serializer: type, objects: list[Any]) -> list[dict[str, Any]]:
    request = Request(RequestFactory().get("/"))  # the views render pdf_url relative, as here
    return [dict(row) for row in serializer(objects, many=True, context={"request": request}).data]


def test_every_tear_sheet_row_is_the_serializers_json(every_shape):
    sheets = list(
        TearSheet.objects.select_related(
            "case__alien", "hearing__hearing_location__court", "location", "superseded_by"
        ).order_by("-id")
    )
    shapes = {
        (s.language_code, s.reason, s.superseded_at is not None, s.printed_at is not None) for s in sheets
    }
    assert {"es", "pt", "", "en", "ht"} <= {s.language_code for s in sheets}
    assert ("es", TearSheet.Reason.NEW, True, False) in shapes  # superseded when its hearing moved
    assert ("es", TearSheet.Reason.REISSUED, False, False) in shapes
    assert ("ht", TearSheet.Reason.NEW, False, True) in shapes  # printed

    rows = tear_sheet_rows([s.pk for s in sheets])

    assert rows == _serialized(TearSheetSerializer, sheets)
    assert [row["id"] for row in rows] == [s.pk for s in sheets]  # in the order of the ids given


def test_every_hearing_row_is_the_serializers_json(every_shape):
    hearings = list(
        Hearing.objects.select_related(
            "case__alien",
            "hearing_location__court",
            "hearing_location__reporting_port",
            "replaced_by",
        ).order_by("starts_at", "id")
    )
    assert {h.status for h in hearings} == {
        Hearing.Status.SCHEDULED,
        Hearing.Status.RESCHEDULED,
        Hearing.Status.CONTINUED,
    }
    assert {h.hearing_location.code for h in hearings} == {"sdg-ic-mpp", "egp-lrd-ihf", "bro-ihf"}

    rows = hearing_rows([h.pk for h in hearings])

    assert rows == _serialized(HearingSerializer, hearings)
    moved = {row["id"]: row for row in rows}[every_shape["rescheduled"].pk]
    assert moved["replaced_by"] is not None and moved["status"] == "rescheduled"


def test_every_nta_row_is_the_serializers_json(every_shape):
    ntas = list(selectors.ntas_visible_to(user=every_shape["court"]))  # national: every NTA, newest first
    assert {n.filed_on is not None for n in ntas} == {True, False}
    assert len({n.court_id for n in ntas}) == 3

    rows = nta_rows([n.pk for n in ntas])

    assert rows == _serialized(NtaRowSerializer, ntas)
    filed = [row for row in rows if row["is_filed"]]
    assert filed and all(row["filed_by"]["id"] == every_shape["court"].pk for row in filed)


def test_ids_not_found_are_left_out_and_the_order_is_the_ids(every_shape):
    ids = list(Hearing.objects.order_by("id").values_list("pk", flat=True))

    rows = hearing_rows([*reversed(ids), 0])

    assert [row["id"] for row in rows] == list(reversed(ids))
    assert tear_sheet_rows([]) == []


def test_h1_the_report_time_is_the_lead_before_the_hearing_in_the_ports_zone(every_shape):
    hearing = Hearing.objects.get(case__location__code="bro-poe")
    (row,) = hearing_rows([hearing.pk])

    report_at = dt.datetime.fromisoformat(row["report_at_local"])
    assert hearing.starts_at - report_at == dt.timedelta(hours=3, minutes=30)
    assert row["report_time_zone"] == "America/Chicago"
    assert report_at.utcoffset() == report_at.astimezone(zoneinfo.ZoneInfo("America/Chicago")).utcoffset()


def test_moments_render_as_drf_does_and_none_stays_none():
    at = dt.datetime(2026, 3, 8, 10, 30, tzinfo=dt.UTC)  # the day Pacific time moves to summer time

    assert moment(None) is None and local_moment(None, "America/Los_Angeles") is None
    assert local_moment(at, "America/Los_Angeles") == "2026-03-08T03:30:00-07:00"
    assert moment(at) == "2026-03-08T10:30:00Z"


@pytest.mark.parametrize(
    ("endpoint", "model", "serializer"),
    [
        ("ntas", NoticeToAppear, NtaRowSerializer),
        ("ntas?filed=false", NoticeToAppear, NtaRowSerializer),
        ("tear-sheets", TearSheet, TearSheetSerializer),
        ("print-queue", TearSheet, TearSheetSerializer),
        ("hearings", Hearing, HearingSerializer),
    ],
)
def test_the_list_endpoints_answer_the_serializers_json(every_shape, endpoint, model, serializer):
    reader: User = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe", "egp-poe", "bro-poe"])
    if endpoint == "print-queue":
        reader = user_with_role(Role.PRINT_STAFF, locations=["sys-poe", "egp-poe", "bro-poe"])
    client = APIClient()
    client.force_login(reader)

    path, _, query = endpoint.partition("?")
    response = client.get(f"{API}/{path}/?{query}", {"page_size": 100})

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert rows
    related = {
        TearSheet: ("case__alien", "hearing__hearing_location__court", "location", "superseded_by"),
        Hearing: (
            "case__alien",
            "hearing_location__court",
            "hearing_location__reporting_port",
            "replaced_by",
        ),
        NoticeToAppear: ("case__alien", "initial_hearing__hearing_location", "served_by", "filed_by"),
    }[model]
    objects = {o.pk: o for o in model.objects.select_related(*related).filter(pk__in=[r["id"] for r in rows])}
    assert rows == _serialized(serializer, [objects[row["id"]] for row in rows])
