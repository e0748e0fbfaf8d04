"""Helpers for scripts/ensure-services, run with the project's venv Python (psycopg, redis, django-environ).

    python scripts/services.py check     # prints the services that do not answer (db, redis); exit 1 if any,
                                         # exit 2 if one answers but refuses us (wrong password, say)
    python scripts/services.py where     # prints "db <host> <port>" and "redis <host> <port>"
    python scripts/services.py createdb  # creates the DATABASE_URL database when it is missing

Reads DATABASE_URL and REDIS_URL like the settings do: the environment first, then .env, then the
development defaults of mpp/settings/base.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mpp"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

env = environ.Env()
environ.Env.read_env(ROOT / ".env", overwrite=False)
DATABASE_URL = env("DATABASE_URL", default=DEFAULT_DATABASE_URL)
REDIS_URL = env("REDIS_URL", default=DEFAULT_REDIS_URL)


def _db_params(dbname: str | None = None) -> dict[str, object]:
    cfg = environ.Env.db_url_config(DATABASE_URL)
    params: dict[str, object] = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": dbname or cfg["NAME"],
        "connect_timeout": 3,
    }
    return {k: v for k, v in params.items() if v is not None}


class Refused(Exception):
    """The server answered but would not let us in: starting it again would not help."""


def _db_answers() -> bool:
    # The maintenance database, so a server whose application database does not exist yet still counts.
    try:
        with psycopg.connect(**_db_params("postgres")):
            return True
    except psycopg.OperationalError as exc:
        if "FATAL" in str(exc):  # the server itself said no: authentication, unknown role, ...
            raise Refused(f"PostgreSQL answers but refuses the connection: {exc}".strip()) from exc
        return False


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping())
    except (redis.AuthenticationError, redis.ResponseError) as exc:
        raise Refused(f"Redis answers but refuses the connection: {exc}") from exc
    except redis.RedisError:
        return False


def check() -> int:
    try:
        down = [name for name, ok in (("db", _db_answers()), ("redis", _redis_answers())) if not ok]
    except Refused as exc:
        print(f"services: {exc}", file=sys.stderr)
        print(
            "services: check the user and password in DATABASE_URL / REDIS_URL (see .env.example).",
            file=sys.stderr,
        )
        return 2
    print(" ".join(down))
    return 1 if down else 0


def where() -> int:
    params = _db_params()
    print(f"db {params['host']} {params['port']}")
    parts = urlsplit(REDIS_URL)
    print(f"redis {parts.hostname or '127.0.0.1'} {parts.port or 6379}")
    return 0


def createdb() -> int:
    name = str(_db_params()["dbname"])
    with psycopg.connect(**_db_params("postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return 0
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"services: created database {name}")
    return 0


if __name__ == "__main__":
    commands = {"check": check, "where": where, "createdb": createdb}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(commands)}")
    sys.exit(commands[sys.argv[1]]())
