"""Building a print batch (``hearings.services.print_batch_build``, ``hearings.printing``, the Celery task):
progress counted sheet by sheet, one page per sheet that could be built, a sheet that cannot be built
recorded with its error while the others still print (N2: no A-number, no sheet), and safe to run twice
(STYLE rule 7: acks_late redelivers)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from hearings.models import PrintBatch, PrintBatchItem
from hearings.services import print_batch_build, print_batch_create
from hearings.tasks import PRINT_HARD_LIMIT, print_batch_build_task
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.factories import slot
from tests.hearings.test_print_views import waiting_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def print_staff(db):
    return user_with_role(Role.PRINT_STAFF)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def withdraw_a_number(sheet) -> None:
    """Real bad data: the person's A-number was withdrawn (a typo) after the sheet was issued (N2)."""
    alien = sheet.case.alien
    alien.a_number = None
    alien.save(update_fields=["a_number"])


def test_a_batch_builds_one_page_per_sheet_in_order_and_counts_its_progress_n1(officer, print_staff):
    at = slot(capacity=10)
    sheets = waiting_sheets(officer, 2, at=at) + waiting_sheets(officer, 1, at=at, language_code="quc")
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)

    built = print_batch_build(batch_id=batch.pk)

    assert built.status == PrintBatch.Status.READY
    assert (built.total, built.done, built.failed) == (3, 3, 0)
    assert built.started_at is not None and built.finished_at >= built.started_at
    assert list(built.items.values_list("status", flat=True)) == ["ok", "ok", "ok"]
    pages = pages_of(bytes(built.pdf))
    assert len(pages) == 3  # the bilingual sheet (N1a) too fits its page
    for page, sheet in zip(pages, sheets, strict=True):
        assert sheet.case.alien.a_number in page


def test_a_sheet_that_cannot_be_built_is_named_with_its_error_and_the_others_still_print_n2(
    officer, print_staff
):
    first, bad, last = waiting_sheets(officer, 3)
    withdraw_a_number(bad)
    batch = print_batch_create(sheet_ids=[first.pk, bad.pk, last.pk], actor=print_staff)

    built = print_batch_build(batch_id=batch.pk)

    assert built.status == PrintBatch.Status.READY
    assert (built.done, built.failed) == (3, 1)
    failed = PrintBatchItem.objects.get(batch=built, status=PrintBatchItem.Status.FAILED)
    assert failed.sheet_id == bad.pk
    assert "no A-number" in failed.error and "N2" in failed.error
    pages = pages_of(bytes(built.pdf))
    assert len(pages) == 2
    assert first.case.alien.a_number in pages[0] and last.case.alien.a_number in pages[1]


def test_a_batch_where_no_sheet_can_be_built_fails_and_says_why(officer, print_staff):
    (bad,) = waiting_sheets(officer, 1)
    withdraw_a_number(bad)
    batch = print_batch_create(sheet_ids=[bad.pk], actor=print_staff)

    built = print_batch_build(batch_id=batch.pk)

    assert built.status == PrintBatch.Status.FAILED
    assert built.pdf is None
    assert (built.done, built.failed) == (1, 1)
    assert "No sheet could be built" in built.error


def test_building_a_batch_twice_is_a_no_op(officer, print_staff):
    sheets = waiting_sheets(officer, 2)
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)
    first = print_batch_build(batch_id=batch.pk)

    again = print_batch_build(batch_id=batch.pk)

    assert again.status == PrintBatch.Status.READY
    assert (again.done, again.failed) == (2, 0)  # not counted twice
    assert bytes(again.pdf) == bytes(first.pdf)
    assert again.finished_at == first.finished_at


def test_a_batch_another_run_is_building_is_left_to_it(officer, print_staff):
    sheets = waiting_sheets(officer, 2)
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)
    PrintBatch.objects.filter(pk=batch.pk).update(
        status=PrintBatch.Status.BUILDING, started_at=timezone.now()
    )

    result = print_batch_build(batch_id=batch.pk)

    assert result.status == PrintBatch.Status.BUILDING
    assert result.done == 0 and result.pdf is None


def test_a_batch_whose_builder_died_long_ago_is_built_again(officer, print_staff):
    """acks_late: the task is redelivered after its worker died mid-batch; the stale claim is taken over."""
    sheets = waiting_sheets(officer, 2)
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)
    long_ago = timezone.now() - dt.timedelta(seconds=PRINT_HARD_LIMIT + 60)
    PrintBatch.objects.filter(pk=batch.pk).update(
        status=PrintBatch.Status.BUILDING, started_at=long_ago, done=1
    )
    PrintBatchItem.objects.filter(batch=batch, position=0).update(status=PrintBatchItem.Status.OK)

    built = print_batch_build(batch_id=batch.pk)

    assert built.status == PrintBatch.Status.READY
    assert (built.done, built.failed) == (2, 0)
    assert len(pages_of(bytes(built.pdf))) == 2


def test_the_celery_task_builds_the_batch_when_called_directly(officer, print_staff):
    sheets = waiting_sheets(officer, 4)
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)

    status = print_batch_build_task(batch.pk)

    batch.refresh_from_db()
    assert status == "ready" == batch.status
    assert batch.done == 4
    assert len(pages_of(bytes(batch.pdf))) == 4


def test_the_batch_is_printed_on_the_paper_of_the_setting(officer, print_staff, settings):
    settings.TEAR_SHEET_PAPER = "a4"
    (sheet,) = waiting_sheets(officer, 1)
    batch = print_batch_create(sheet_ids=[sheet.pk], actor=print_staff)

    built = print_batch_build(batch_id=batch.pk)

    box = PdfReader(io.BytesIO(bytes(built.pdf))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
