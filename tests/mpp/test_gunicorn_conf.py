"""The web server's access log never records query strings or referrers (they carry personal data), and its
responses carry no Server banner."""

import http.client
import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_the_access_log_format_has_no_query_string_or_referrer():
    conf = runpy.run_path(str(CONF))

    assert conf["accesslog"] == "-"
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert leaky not in conf["access_log_format"], leaky
    assert "%(U)s" in conf["access_log_format"]  # the path alone


def test_gunicorn_accepts_the_configuration():
    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)

    assert config.access_log_format.startswith("%(h)s")
    assert config.accesslog == "-"


def test_each_worker_tunes_the_garbage_collector_once_the_app_is_loaded():
    import gc

    from gunicorn.config import Config

    from mpp.runtime import GC_THRESHOLDS

    conf = runpy.run_path(str(CONF))
    config = Config()
    config.set("post_worker_init", conf["post_worker_init"])  # gunicorn checks the hook's signature
    before = gc.get_threshold()
    try:
        config.post_worker_init(object())
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0  # the loaded app's objects are out of the collector's walks
        assert gc.isenabled()  # collected less often, never switched off
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


# --- the Server banner, read off a real gunicorn -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_url(django_db_setup, tmp_path):
    """gunicorn serving the app with gunicorn.conf.py (read from the repository root, as in production), on
    a free port of 127.0.0.1, against the test database. Stopped by its process id."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mpp.settings.test"}
    database = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mpp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=CONF.parent,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _get(address: str, path: str) -> http.client.HTTPResponse:
    connection_ = http.client.HTTPConnection(address, timeout=10)
    connection_.request("GET", path)
    response = connection_.getresponse()
    response.read()
    connection_.close()
    return response


def test_gunicorn_sends_no_server_banner(gunicorn_url):
    page = _get(gunicorn_url, "/accounts/login/")
    static = _get(gunicorn_url, "/static/css/app.css")
    missing = _get(gunicorn_url, "/no-such-page/")

    assert (page.status, static.status, missing.status) == (200, 200, 404)
    for response in (page, static, missing):
        assert response.getheader("Server") is None, response.getheaders()
        assert "Content-Security-Policy" in dict(response.getheaders())
