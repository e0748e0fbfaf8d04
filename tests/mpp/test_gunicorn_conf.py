"""The web server's access log never records query strings or referrers (they carry personal data)."""

import runpy
from pathlib import Path

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
