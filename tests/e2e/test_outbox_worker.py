"""End to end: a real Celery worker process, on the local Redis, turns a committed event into a notification."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from cases.models import CaseStatus
from cases.services import case_move
from mpp.accounts.roles import Role
from mpp.outbox.models import Notification
from tests.factories import CaseFactory, user_with_role

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start `celery -A mpp worker` against the test database and the test Redis database; stop it after."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")  # only our own queue in our own Redis database, never the whole server
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
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for(predicate, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.e2e
def test_a_committed_event_becomes_a_notification_through_a_real_worker(celery_worker_process):
    officer = user_with_role(Role.CBP_OFFICER)
    supervisor = user_with_role(Role.CBP_SUPERVISOR)
    case = CaseFactory(created_by=officer)

    case_move(
        case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screening complete"
    )
    # The move committed (no surrounding transaction in a transactional_db test): the on-commit hook has
    # published the relay task to Redis; only the worker process can deliver it.

    delivered = _wait_for(lambda: Notification.objects.filter(user=supervisor).exists(), timeout=60)
    if not delivered:
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=20)[0]
        pytest.fail(f"no notification after 60 s; worker output:\n{output[-4000:]}")
    note = Notification.objects.get(user=supervisor)
    assert f"Case {case.pk}" in note.message
    assert note.event.processed_at is not None
