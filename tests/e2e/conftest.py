"""End-to-end tests: a real browser (Debian's chromium, driven by Playwright) against the live server.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread with a
running loop unless told otherwise; the tests here are synchronous code, so it is safe to allow it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection, transaction
from django.db.models import Model

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch the system chromium (``playwright install`` downloads, which this environment cannot do)."""
    executable = shutil.which("chromium")
    if executable is None:
        message = "chromium is not installed (apt-get install -y chromium); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


# Recreated by the post_migrate signal after every flush, with new primary keys: not restored from the snapshot.
RECREATED_AFTER_FLUSH = frozenset({"contenttypes.ContentType", "auth.Permission"})


def _reference_rows() -> Iterator[Model]:
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.label in RECREATED_AFTER_FLUSH or model._meta.db_table not in existing:
            continue
        yield from model._base_manager.order_by("pk").iterator()


# The snapshot and pytest-django's database blocker, kept for the teardown hook below (hooks get no fixtures).
_reference: dict[str, object] = {}


def _uses_transactional_db(item: pytest.Item) -> bool:
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _restore(snapshot: str) -> None:
    with transaction.atomic():
        for row in serializers.deserialize("json", snapshot):
            row.save()  # a row that is still there is just rewritten


@pytest.fixture(scope="session")
def reference_data_snapshot(django_db_setup: None, django_db_blocker) -> str:
    """The rows the migrations loaded (roles, locations, languages …), taken before the first test of this
    directory writes anything."""
    with django_db_blocker.unblock():
        snapshot = serializers.serialize("json", _reference_rows())
    _reference.update(snapshot=snapshot, blocker=django_db_blocker)
    return snapshot


@pytest.fixture(autouse=True)
def _reference_data_restored(
    request: pytest.FixtureRequest, reference_data_snapshot: str, django_db_blocker
) -> None:
    """Transactional tests end with a flush that also empties the tables the migrations filled. Put the
    reference data back before each transactional test here (an earlier one may have flushed), and after
    it (``pytest_runtest_teardown``), so the tests that run later in the session find it too.

    Not Django's ``serialized_rollback``: once Playwright's sync API has started, an event loop counts as
    running in this thread, so Django hands out a different (context-local) connection object that lacks
    the contents serialized at set-up, and the rollback silently restores nothing.
    """
    if _uses_transactional_db(request.node):
        with django_db_blocker.unblock():
            _restore(reference_data_snapshot)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    # After the last test the test database is being dropped: nothing to restore.
    if nextitem is not None and _uses_transactional_db(item) and "snapshot" in _reference:
        with _reference["blocker"].unblock():  # type: ignore[attr-defined]
            _restore(_reference["snapshot"])  # type: ignore[arg-type]
    return result
