"""Production settings: `check --deploy` is clean with real values, and there is no default secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SECRET_KEY", "DEBUG"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mpp.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),  # 67 characters, as random as a real key
        ALLOWED_HOSTS="mpp.example.gov",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mpp"),
        REDIS_URL="redis://127.0.0.1:6379/0",
        # Explicit, so a developer's .env cannot loosen them for this test.
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_passes_with_real_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    dotenv = ROOT / ".env"
    if dotenv.exists() and any(line.startswith("SECRET_KEY") for line in dotenv.read_text().splitlines()):
        pytest.skip(".env sets SECRET_KEY, so it cannot be missing here")
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("weak", ["", "short-and-guessable"])
def test_production_refuses_an_empty_or_short_secret_key_at_start(weak):
    result = manage("check", env=production_env(SECRET_KEY=weak))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "at least 50 characters" in result.stderr


def _database_settings(env: dict[str, str]) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-2] + " " + result.stdout.split()[-1]


def test_production_keeps_database_connections_for_the_workers_life_and_checks_them_before_reuse():
    env = production_env()
    env.pop("CONN_MAX_AGE", None)
    assert _database_settings(env) == "None True"
    assert _database_settings(production_env(CONN_MAX_AGE="30")) == "30 True"
