"""``/healthz``: which service is down, and nothing about why (that goes to the server log)."""

import logging

import pytest


@pytest.mark.django_db
def test_healthz_is_200_when_postgres_and_redis_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "services": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
def test_healthz_is_503_naming_redis_when_redis_is_down_and_nothing_more(client, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    with caplog.at_level(logging.ERROR, logger="mpp.health"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "fail", "services": {"database": "ok", "redis": "fail"}}
    body = response.content.decode()
    assert "127.0.0.1" not in body
    assert "Error" not in body
    # The reason is in the server log.
    assert "Redis did not answer" in caplog.text
    assert "127.0.0.1" in caplog.text


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database_when_it_fails(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("connection to server at 10.1.2.3, port 5432 failed")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "fail", "services": {"database": "fail", "redis": "ok"}}
    assert "10.1.2.3" not in response.content.decode()


def test_healthz_is_not_cached(client, db):
    response = client.get("/healthz")

    assert "no-store" in response["Cache-Control"]
