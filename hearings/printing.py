"""Building a print batch's PDF: each sheet laid out on its own (so one that fails is named, with its
error, and the others still print), progress committed after each, then all pages written as one PDF
(fonts embedded once)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F

from hearings.documents import resolve_paper, tear_sheet_document
from hearings.models import PrintBatch, PrintBatchItem
from hearings.selectors import tear_sheet_data_many

logger = logging.getLogger(__name__)


def build_batch_pdf(batch: PrintBatch) -> bytes | None:
    """The PDF of the batch's sheets that could be built, in order, or None when none could."""
    items = list(PrintBatchItem.objects.filter(batch=batch).order_by("position"))
    data = tear_sheet_data_many([i.sheet_id for i in items])
    paper = resolve_paper(None)
    documents = []
    for item in items:
        try:
            sheet = data.get(item.sheet_id)
            if sheet is None:
                raise LookupError("the sheet no longer exists")
            if not sheet.a_number:
                raise ValueError("the person has no A-number; assign one before printing (N2)")
            # The same layout, stylesheet and fonts as a single sheet (hearings.documents), one page each.
            document = tear_sheet_document(sheet, paper=paper)
        except Exception as exc:
            logger.warning("print batch %s: sheet %s failed: %s", batch.pk, item.sheet_id, exc)
            _record(batch, item, ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
            continue
        documents.append(document)
        _record(batch, item, ok=True)
    if not documents:
        return None
    pages = [page for document in documents for page in document.pages]
    return bytes(documents[0].copy(pages).write_pdf())


def _record(batch: PrintBatch, item: PrintBatchItem, *, ok: bool, error: str = "") -> None:
    with transaction.atomic():
        PrintBatchItem.objects.filter(pk=item.pk).update(
            status=PrintBatchItem.Status.OK if ok else PrintBatchItem.Status.FAILED, error=error
        )
        PrintBatch.objects.filter(pk=batch.pk).update(
            done=F("done") + 1, failed=F("failed") + (0 if ok else 1)
        )
