"""In a real browser, with a real Celery worker: print staff at San Ysidro open their print queue, select
three waiting packets, print them, watch the batch's progress page update itself (htmx, under the strict
CSP) until the worker has built the PDF, open the file (three pages, one per packet), and mark the batch
printed (N1, N5).

Three sheets are more than ``hearings.services.INLINE_BATCH_MAX``: the batch is built by the
``hearings.print_batch_build`` task. The worker starts only once the page shows the batch queued, so the
page is seen going from "Queued" to "Ready to print" without a reload.

``SCREENSHOTS=1`` also writes docs/screenshots/print-queue.png (the queue with three packets checked) and
print-batch.png (the built batch, before it is marked printed), full page.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from hearings.models import PrintBatch, TearSheet, TearSheetPrint
from hearings.services import INLINE_BATCH_MAX
from mpp.accounts.roles import Role
from tests.e2e.test_csp import COLLECT_VIOLATIONS, violations_on
from tests.e2e.test_intake_and_review import PASSWORD, screenshot, sign_in
from tests.factories import user_with_role
from tests.hearings.factories import amenable_family, serve, slot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(transactional_db) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """``start_worker()`` starts `celery -A mpp worker` against the test database and the test Redis
    database (only our own queue there is emptied first); it is stopped after the test."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    started: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mpp.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mpp",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def people(transactional_db):
    officer = user_with_role(Role.CBP_OFFICER, username="d.ramirez", password=PASSWORD)
    printer = user_with_role(
        Role.PRINT_STAFF, username="r.quintero", first_name="Rosa", last_name="Quintero", password=PASSWORD
    )
    return officer, printer


def test_print_staff_batch_print_three_packets_watch_the_progress_and_open_the_file(
    page: Page, live_server, people, start_worker
):
    officer, printer = people
    # Four packets waiting at San Ysidro: a mother and her son, and two people on their own.
    at = slot(capacity=20)
    for size in (2, 1, 1):
        serve(amenable_family(size), officer=officer, at=at)
    waiting = list(TearSheet.objects.select_related("case__alien").order_by("issued_at", "id"))
    assert len(waiting) == 4
    chosen = waiting[:3]
    assert len(chosen) > INLINE_BATCH_MAX  # built by the worker, not while the page waits
    page.add_init_script(COLLECT_VIOLATIONS)

    # --- The print queue: the waiting packets of San Ysidro, oldest first.
    sign_in(page, live_server.url, printer.username)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Print queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Print queue — San Ysidro Port of Entry")
    rows = page.get_by_test_id("sheet-row")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text(chosen[0].case.alien.full_name)
    expect(rows.first).to_contain_text("America/Los_Angeles")

    # "Select all on this page" checks every row in place (static/js/print-queue.js); the last is unchecked.
    page.get_by_test_id("select-all").click()
    for sheet in waiting:
        expect(page.locator(f"#sheet-{sheet.pk}")).to_be_checked()
    expect(page.get_by_test_id("select-all")).to_have_text("Clear the selection on this page")
    page.locator(f"label[for='sheet-{waiting[3].pk}']").click()  # USWDS draws the box on the label
    expect(page.locator(f"#sheet-{waiting[3].pk}")).not_to_be_checked()
    expect(page.get_by_test_id("select-all")).to_have_text("Select all on this page")
    screenshot(page, "print-queue.png")
    page.get_by_role("button", name="Print selected").click()

    # --- The batch page: queued, waiting for the builder; nothing is built until a worker runs.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Print batch \d+$"))
    batch = PrintBatch.objects.get()
    assert list(batch.items.order_by("position").values_list("sheet_id", flat=True)) == [s.pk for s in chosen]
    expect(page.get_by_test_id("batch-status")).to_have_text("Queued")
    expect(page.get_by_test_id("batch-count")).to_have_text("Built 0 of 3")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    expect(page.get_by_role("link", name="Open the PDF")).to_have_count(0)

    # The worker starts and builds the batch; the page, left alone, follows the progress until it is ready.
    worker = start_worker()
    expect(page.get_by_test_id("batch-status")).to_have_text("Ready to print", timeout=90_000)
    expect(page.get_by_test_id("batch-count")).to_have_text("Built 3 of 3")
    expect(page.locator("progress#batch-progress-bar")).to_have_attribute("value", "3")
    expect(page.get_by_role("link", name="Refresh")).to_have_count(0)
    screenshot(page, "print-batch.png")

    # --- Open the file: the link's PDF, fetched with the browser's session.
    href = page.get_by_role("link", name="Open the PDF").get_attribute("href")
    assert href is not None
    response = page.context.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    body = response.body()
    assert body.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(body)).pages
    assert len(pages) == 3
    for pdf_page, sheet in zip(pages, chosen, strict=True):
        assert sheet.case.alien.a_number in pdf_page.extract_text()

    # --- Mark printed: who and when, per sheet.
    page.get_by_role("button", name="Mark printed").click()
    expect(page.get_by_text("3 sheets marked printed (0 reprints).")).to_be_visible()
    expect(page.get_by_test_id("marked-printed")).to_contain_text("Marked printed by Rosa Quintero")
    assert TearSheetPrint.objects.filter(batch=batch, printed_by=printer, is_reprint=False).count() == 3
    assert violations_on(page) == []

    # Back in the queue: only the packet left out is still waiting.
    page.get_by_role("link", name="Back to the print queue").click()
    expect(page.get_by_test_id("sheet-row")).to_have_count(1)
    expect(page.get_by_test_id("sheet-row")).to_contain_text(waiting[3].case.alien.full_name)

    # The batch went through the worker's task, not the web process.
    worker.terminate()
    output = worker.communicate(timeout=30)[0]
    assert "hearings.print_batch_build" in output and "succeeded" in output, output[-4000:]
