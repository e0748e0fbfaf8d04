"""End-to-end tests: a real browser (Debian's chromium, driven by Playwright) against the live server.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread with a
running loop unless told otherwise; the tests here are synchronous code, so it is safe to allow it.
Reference data emptied by transactional tests is reloaded by the autouse fixture in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil

import pytest

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
