"""docker-compose.yml and the Dockerfile, checked offline (no Docker engine needed)."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def load() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_follows_the_compose_specification():
    result = validate(COMPOSE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validation_does_reject_a_broken_compose_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("healthcheck:", "health_check:", 1))

    result = validate(broken)

    assert result.returncode != 0


def test_the_stack_has_database_cache_web_worker_and_beat():
    services = load()["services"]

    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_redis_keeps_its_data_on_disk_in_a_volume():
    redis = load()["services"]["redis"]

    command = redis["command"] if isinstance(redis["command"], str) else " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_web_runs_production_settings_after_healthy_db_and_redis_and_is_health_checked():
    services = load()["services"]
    web = services["web"]

    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "mpp.settings.production"
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= set(web["environment"])
    assert web["environment"]["SECURE_SSL_REDIRECT"] == "false"
    assert web["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert "migrate" in " ".join(web["command"])
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_published_ports_are_bound_to_localhost_only():
    for name, service in load()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


def test_image_runs_as_a_non_root_user_and_installs_the_hash_checked_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "--require-hashes -r requirements/base.txt" in dockerfile
    assert "collectstatic" in dockerfile
    user_lines = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1] not in {"root", "0"}
