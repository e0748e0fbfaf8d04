"""End to end: a real Celery worker process, on the local Redis, runs a committed event's delivery.

The worker is another process with its own subscriber registry: it imports this module (``--include``),
and the ``worker_init`` signal, sent only in a worker, subscribes the test's handler there too.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery.signals import worker_init
from django.conf import settings
from django.db import connection

from mpp.accounts.roles import Role
from mpp.outbox import services
from mpp.outbox.models import Delivery, DeliveryStatus, Notification, OutboxEvent
from mpp.outbox.services import notify, outbox_emit, subscribe
from tests.factories import user_with_role

ROOT = Path(__file__).resolve().parents[2]
EVENT = "test.e2e.ping"
SUBSCRIBER = "tests.e2e.tell_the_named_user"


def tell_the_named_user(event: OutboxEvent) -> None:
    notify(event=event, message=f"Ping {event.pk} from the worker", user_ids=[event.payload["user_id"]])


@worker_init.connect
def subscribe_in_the_worker(**kwargs: object) -> None:
    subscribe(EVENT, tell_the_named_user, name=SUBSCRIBER)


@pytest.fixture
def subscribed(monkeypatch):
    """The same subscriber in this process (so the event gets its delivery); the registry is restored after."""
    copy = {event: dict(by_name) for event, by_name in services._SUBSCRIBERS.items()}
    monkeypatch.setattr(services, "_SUBSCRIBERS", copy)
    subscribe(EVENT, tell_the_named_user, name=SUBSCRIBER)


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
            f"--include={__name__}",
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
def test_a_committed_event_is_delivered_through_a_real_worker(subscribed, celery_worker_process):
    supervisor = user_with_role(Role.CBP_SUPERVISOR)

    event = outbox_emit(event=EVENT, data={"user_id": supervisor.pk})
    # Committed (no surrounding transaction in a transactional_db test): the on-commit hook has published
    # the relay task to Redis; only the worker process can run the delivery.

    delivered = _wait_for(lambda: Notification.objects.filter(user=supervisor).exists(), timeout=60)
    if not delivered:
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=20)[0]
        pytest.fail(f"no notification after 60 s; worker output:\n{output[-4000:]}")
    note = Notification.objects.get(user=supervisor)
    assert note.message == f"Ping {event.pk} from the worker"
    assert _wait_for(lambda: Delivery.objects.get(event=event).status == DeliveryStatus.DELIVERED, timeout=10)
