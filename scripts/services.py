"""PostgreSQL and Redis for `make run` / `make test`: what to do about them, decided from observed facts.

Run with the project's venv Python (psycopg, redis, django-environ):

    python scripts/services.py plan [--dry-run] [--assume JSON]
        Looks at the machine and prints, as a bash script, the next round of set-up steps. Exit status:
        0  the plan is final (everything answers; the script creates the database if missing),
        1  the plan is to stop (the script prints why and what to run, and exits 1),
        3  the script changes something (installs, starts); look again afterwards and plan the next round.
        --dry-run prints the observed facts first; --assume overrides facts (a JSON object, for dry runs).
    python scripts/services.py wait db redis   # up to 30 s for those to answer (or at least refuse us)
    python scripts/services.py check           # prints the services that do not answer; exit 1 if any,
                                               # exit 2 if one answers but refuses us (wrong password, say)
    python scripts/services.py createdb        # creates the DATABASE_URL database when it is missing

scripts/ensure-services runs `plan` and executes what it prints, round after round (install → configure
and start → create the database). The decisions are pure functions of `Facts` (`plan()`), so
tests/mpp/test_services_setup.py checks them without touching the machine.

Reads DATABASE_URL and REDIS_URL like the settings do: the environment first, then .env, then the
development defaults of mpp/settings/base.py.
"""

from __future__ import annotations

import dataclasses
import glob
import ipaddress
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mpp"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PG_PACKAGES = ("postgresql", "postgresql-contrib")  # contrib: pg_trgm and unaccent
PG_EXTENSIONS = ("pg_trgm", "unaccent")
REDIS_PACKAGES = ("redis-server",)
HBA_TRUST_LINES = (
    "# Added by scripts/ensure-services, which set up this server: a development machine trusts local TCP.",
    "host all all 127.0.0.1/32 trust",
    "host all all ::1/128 trust",
)
# Set by the plans that install or create a server, so later rounds of the same run know it is ours.
OURS_VARIABLE = "SERVICES_OURS"

DONE, FAIL, AGAIN = 0, 1, 3


# ── Facts ─────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Cluster:
    """One PostgreSQL cluster as pg_lsclusters lists it."""

    version: str
    name: str
    port: int
    online: bool
    # Does its pg_hba.conf trust TCP connections from 127.0.0.1? None: could not read it (not root).
    hba_trusts_localhost: bool | None = None

    @property
    def label(self) -> str:
        return f"{self.version}/{self.name}"

    @property
    def hba_file(self) -> str:
        return f"/etc/postgresql/{self.version}/{self.name}/pg_hba.conf"


@dataclass(frozen=True)
class Facts:
    """What ensure-services observed. `db` and `redis` are "up", "down" or "refused" (answers, says no)."""

    db: str
    redis: str
    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_user: str = "postgres"
    db_name: str = "mpp"
    db_refusal: str = ""  # the server's words when db == "refused"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_refusal: str = ""
    docker: bool = False  # `docker compose` and a Docker engine that answers
    root: bool = False
    sudo: bool = False  # passwordless: `sudo -n true` works
    apt: bool = False  # apt-get is there (Debian, Ubuntu)
    pg_versions: tuple[str, ...] = ()  # PostgreSQL server versions installed (/usr/lib/postgresql/<v>)
    pg_contrib: tuple[str, ...] = ()  # versions whose pg_trgm and unaccent extensions are installed
    clusters: tuple[Cluster, ...] = ()
    redis_installed: bool = False  # a redis-server binary
    ours: frozenset[str] = frozenset()  # services this run installed or created ("db", "redis")

    @property
    def db_local(self) -> bool:
        return self.db_host in LOCAL_HOSTS or self.db_host.startswith("/")

    @property
    def redis_local(self) -> bool:
        return self.redis_host in LOCAL_HOSTS

    @property
    def privileged(self) -> bool:
        return self.root or self.sudo


# ── Steps ─────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Run:
    """A command. `as_user`: "root" or "postgres" when it needs privileges, "" when it does not."""

    argv: tuple[str, ...]
    as_user: str = ""
    env_defaults: tuple[tuple[str, str], ...] = ()  # NAME=${NAME:-value} in front of the command


@dataclass(frozen=True)
class Mark:
    """This run installed or created the service: later rounds may configure it for development."""

    service: str


@dataclass(frozen=True)
class Wait:
    services: tuple[str, ...]


@dataclass(frozen=True)
class CreateDb:
    name: str


@dataclass(frozen=True)
class Fail:
    message: str


Step = Say | Run | Mark | Wait | CreateDb | Fail


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    status: int  # DONE, FAIL or AGAIN

    @property
    def commands(self) -> list[tuple[str, ...]]:
        return [s.argv for s in self.steps if isinstance(s, Run)]

    @property
    def message(self) -> str:
        return "\n".join(s.message for s in self.steps if isinstance(s, Fail))


# ── Decisions (pure) ──────────────────────────────────────────────────────────────────────────────────

NAMES = {"db": "PostgreSQL", "redis": "Redis"}


def _where(facts: Facts, service: str) -> str:
    if service == "db":
        return f"{facts.db_host}:{facts.db_port}"
    return f"{facts.redis_host}:{facts.redis_port}"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _newest(versions: tuple[str, ...]) -> str:
    return max(versions, key=_version_key)


def _apt(*packages: str) -> list[Step]:
    return [
        Run(("apt-get", "update", "-q"), as_user="root"),
        Run(
            ("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", *packages),
            as_user="root",
        ),
    ]


def _pg_ctl(cluster: Cluster, action: str) -> Run:
    return Run(
        ("pg_ctlcluster", "--skip-systemctl-redirect", cluster.version, cluster.name, action), as_user="root"
    )


def _trust_localhost(cluster: Cluster) -> list[Step]:
    sed = "1i " + "\\n".join(line.replace("\\", "\\\\") for line in HBA_TRUST_LINES)
    return [
        Say(
            f"PostgreSQL {cluster.label} was set up by this script, and its {cluster.hba_file} does not trust "
            "local TCP connections: adding host all all 127.0.0.1/32 trust (and the same for ::1) as its first "
            "rules, for a development machine (the project connects as postgres without a password)"
        ),
        Run(("sed", "-i", sed, cluster.hba_file), as_user="root"),
    ]


def _cluster_on_port(facts: Facts) -> Cluster | None:
    matching = [c for c in facts.clusters if c.port == facts.db_port]
    return max(matching, key=lambda c: (c.online, _version_key(c.version))) if matching else None


def _db_steps(facts: Facts) -> tuple[list[str], list[Step]] | Fail:
    """PostgreSQL does not answer here: the packages to install, or the steps that start it."""
    if not facts.pg_versions:
        return list(PG_PACKAGES), []
    packages: list[str] = []
    cluster = _cluster_on_port(facts)
    if cluster is None:
        if facts.clusters:
            others = ", ".join(f"{c.label} on port {c.port}" for c in facts.clusters)
            return Fail(
                f"services: PostgreSQL does not answer at {_where(facts, 'db')}; the clusters here listen "
                f"elsewhere ({others}).\n"
                f"  Set DATABASE_URL to one of them (for example "
                f"postgres://postgres@127.0.0.1:{facts.clusters[0].port}/{facts.db_name}), or start one on "
                f"port {facts.db_port}."
            )
        version = _newest(facts.pg_versions)
        if version not in facts.pg_contrib:
            packages.append("postgresql-contrib")
        new = Cluster(version, "main", facts.db_port, online=False, hba_trusts_localhost=True)
        return packages, [
            Say(
                f"no PostgreSQL cluster here: creating {new.label} on port {new.port}, trusting local TCP "
                "connections (a development machine; the project connects as postgres without a password)"
            ),
            Run(
                (
                    "pg_createcluster", "--port", str(new.port), version, new.name,
                    "--", "--auth-local=peer", "--auth-host=trust",
                ),
                as_user="root",
            ),
            Mark("db"),
            Say(f"starting PostgreSQL {new.label}"),
            _pg_ctl(new, "start"),
        ]  # fmt: skip
    if cluster.online:
        return Fail(
            f"services: PostgreSQL {cluster.label} is running on port {cluster.port} but does not answer at "
            f"{_where(facts, 'db')}.\n"
            f"  Check listen_addresses in /etc/postgresql/{cluster.version}/{cluster.name}/postgresql.conf, "
            "or the host in DATABASE_URL."
        )
    if cluster.version not in facts.pg_contrib:
        packages.append("postgresql-contrib")
    steps: list[Step] = []
    if "db" in facts.ours and cluster.hba_trusts_localhost is False:
        steps += _trust_localhost(cluster)
    steps += [Say(f"starting PostgreSQL {cluster.label} (installed, not running)"), _pg_ctl(cluster, "start")]
    return packages, steps


def _redis_steps(facts: Facts) -> tuple[list[str], list[Step]]:
    if not facts.redis_installed:
        return list(REDIS_PACKAGES), []
    return [], [
        Say(f"starting redis-server on 127.0.0.1:{facts.redis_port} (keeps nothing on disk)"),
        Run(
            (
                "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(facts.redis_port),
                "--save", "", "--appendonly", "no", "--dir", "/tmp",  # noqa: S108 (it writes nothing)
            )
        ),
    ]  # fmt: skip


def _refused(facts: Facts) -> Plan | None:
    """A service answers but will not let us in."""
    if facts.redis == "refused":
        return _fail(
            f"services: Redis answers but refuses the connection: {facts.redis_refusal}\n"
            "services: check the password in REDIS_URL (see .env.example)."
        )
    if facts.db != "refused":
        return None
    cluster = _cluster_on_port(facts) if facts.db_local else None
    missing_role = re.search(r'role "[^"]*" does not exist', facts.db_refusal)
    if cluster is not None and cluster.online and missing_role:
        role = facts.db_user.replace('"', '""')
        return _finish(
            facts,
            [
                Say(f"PostgreSQL {cluster.label} has no role {facts.db_user}: creating it (LOGIN CREATEDB)"),
                Run(
                    ("psql", "--port", str(cluster.port), "-X", "-v", "ON_ERROR_STOP=1",
                     "-c", f'CREATE ROLE "{role}" LOGIN CREATEDB'),
                    as_user="postgres",
                ),
            ],
            AGAIN,
            why=f"PostgreSQL {cluster.label} has no role {facts.db_user}",
        )  # fmt: skip
    if (
        cluster is not None
        and cluster.online
        and "db" in facts.ours
        and cluster.hba_trusts_localhost is False
    ):
        return _finish(facts, [*_trust_localhost(cluster), _pg_ctl(cluster, "reload"), Wait(("db",))], AGAIN)
    message = (
        f"services: PostgreSQL answers but refuses the connection: {facts.db_refusal}\n"
        "services: check the user and password in DATABASE_URL (see .env.example)."
    )
    if cluster is not None:
        message += (
            f"\nservices: or, on a development machine, let PostgreSQL {cluster.label} trust local TCP "
            "connections:\n"
            f"    sudo sed -i '1i host all all 127.0.0.1/32 trust' {cluster.hba_file}\n"
            f"    sudo pg_ctlcluster {cluster.version} {cluster.name} reload"
        )
    return _fail(message)


def _fail(message: str) -> Plan:
    return Plan((Fail(message),), FAIL)


def _shell(argv: tuple[str, ...]) -> str:
    return shlex.join(argv)


def _as(facts: Facts, step: Run, *, sudo: tuple[str, ...]) -> tuple[str, ...]:
    if not step.as_user:
        return step.argv
    if facts.root:
        return ("runuser", "-u", step.as_user, "--", *step.argv) if step.as_user != "root" else step.argv
    user = ("-u", step.as_user) if step.as_user != "root" else ()
    return (*sudo, *user, *step.argv)


def _down(facts: Facts) -> str:
    down = [f"{NAMES[n]} ({_where(facts, n)})" for n in ("db", "redis") if getattr(facts, n) == "down"]
    return f"{' and '.join(down)} {'do' if len(down) > 1 else 'does'} not answer and Docker is not usable"


def _finish(facts: Facts, steps: list[Step], status: int, why: str = "") -> Plan:
    """Give each privileged command its root or sudo; without either, say exactly what to run instead."""
    if any(isinstance(s, Run) and s.as_user for s in steps) and not facts.privileged:
        commands = "\n".join(
            "    " + _shell(_as(facts, s, sudo=("sudo",))) for s in steps if isinstance(s, Run)
        )
        return _fail(
            f"services: {why or _down(facts)}; setting that up needs root, and this user is neither root nor "
            "allowed passwordless sudo.\n"
            "services: run this, which does the whole set-up as root:\n"
            "    sudo scripts/ensure-services\n"
            "  or run these commands yourself (its next step), then run the command again:\n"
            f"{commands}"
        )
    concrete: list[Step] = []
    for s in steps:
        if isinstance(s, Run):
            s = Run(_as(facts, s, sudo=("sudo", "-n")), env_defaults=s.env_defaults)
        concrete.append(s)
    return Plan(tuple(concrete), status)


def plan(facts: Facts) -> Plan:
    """The next round of set-up for these facts."""
    refused = _refused(facts)
    if refused is not None:
        return refused
    down = tuple(n for n in ("db", "redis") if getattr(facts, n) == "down")
    if not down:
        return Plan((CreateDb(facts.db_name),), DONE)
    for name in down:
        local = facts.db_local if name == "db" else facts.redis_local
        if not local:
            env_var = "DATABASE_URL" if name == "db" else "REDIS_URL"
            return _fail(
                f"services: {NAMES[name]} at {_where(facts, name)} does not answer, and it is not on this "
                f"machine.\n  Check {env_var}, or start that server."
            )
    if facts.docker:
        return _finish(
            facts,
            [
                Say(f"docker compose up -d {' '.join(down)} (the services of docker-compose.yml)"),
                # The file requires SECRET_KEY for the app services; db and redis do not use it.
                Run(
                    ("docker", "compose", "up", "-d", *down),
                    env_defaults=(("SECRET_KEY", "not-used-by-db-or-redis"),),
                ),
                Wait(down),
            ],
            AGAIN,
        )
    packages: list[str] = []
    steps: list[Step] = []
    installs: list[str] = []
    for name in down:
        found = _db_steps(facts) if name == "db" else _redis_steps(facts)
        if isinstance(found, Fail):
            return Plan((found,), FAIL)
        more, start = found
        packages += more
        steps += start
        if set(more) & {"postgresql", "redis-server"}:  # the server itself, not only contrib
            installs.append(name)
    if packages:
        if not facts.apt:
            return _fail(
                f"services: not answering: {', '.join(NAMES[n] for n in down)}, no Docker, and this is not a "
                f"Debian/Ubuntu machine (no apt-get).\n"
                f"  Install and start them yourself (packages like {' '.join(packages)}), or point "
                "DATABASE_URL / REDIS_URL at servers that run (see .env.example)."
            )
        # Install first; the next round starts what is then installed (the packages may create and
        # start a cluster themselves, and which version they bring is only known afterwards).
        what = " ".join(dict.fromkeys(packages))
        return _finish(
            facts,
            [Say(f"installing {what} (Debian packages)"), *_apt(*dict.fromkeys(packages))]
            + [Mark(n) for n in installs],
            AGAIN,
        )
    return _finish(facts, [*steps, Wait(down)], AGAIN)


# ── The plan as a bash script (what ensure-services evaluates) ──────────────────────────────────────


def render(p: Plan, python: str = '"$py"') -> str:
    """The plan as bash, for ensure-services, which defines `say` (prints) and `run` (prints, then runs)."""
    lines: list[str] = []
    for s in p.steps:
        if isinstance(s, Say):
            lines.append(f"say {shlex.quote(s.text)}")
        elif isinstance(s, Run):
            prefix = "".join(f'{k}="${{{k}:-{v}}}" ' for k, v in s.env_defaults)
            lines.append(f"{prefix}run {_shell(s.argv)}")
        elif isinstance(s, Mark):
            lines.append(f'export {OURS_VARIABLE}="${{{OURS_VARIABLE}:-}} {s.service}"')
        elif isinstance(s, Wait):
            lines.append(f"{python} scripts/services.py wait {' '.join(s.services)}")
        elif isinstance(s, CreateDb):
            lines.append(f"{python} scripts/services.py createdb")
        else:
            lines.append(f"cat >&2 <<'MSG'\n{s.message}\nMSG")
            lines.append("exit 1")
    return "\n".join(lines) + "\n"


# ── Observing the machine ─────────────────────────────────────────────────────────────────────────────


def _settings() -> tuple[str, str]:
    import environ

    env = environ.Env()
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    return env("DATABASE_URL", default=DEFAULT_DATABASE_URL), env("REDIS_URL", default=DEFAULT_REDIS_URL)


def _db_params(dbname: str | None = None) -> dict[str, object]:
    import environ

    cfg = environ.Env.db_url_config(_settings()[0])
    params: dict[str, object] = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": int(cfg.get("PORT") or 5432),
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": dbname or cfg["NAME"],
        "connect_timeout": 3,
    }
    return {k: v for k, v in params.items() if v is not None}


def _db_status() -> tuple[str, str]:
    import psycopg

    # The maintenance database, so a server whose application database does not exist yet still counts.
    try:
        with psycopg.connect(**_db_params("postgres")):
            return "up", ""
    except psycopg.OperationalError as exc:
        return db_state_from_error(str(exc))


def db_state_from_error(error: str) -> tuple[str, str]:
    """("down", "") or ("refused", the server's words) for a failed connection's message."""
    words = " ".join(error.split())
    if re.search(r"starting up|shutting down|not yet accepting connections|in recovery mode", words):
        return "down", ""  # there, but not ready: wait for it
    # The server itself said no (authentication, unknown role, ...), or asked for a password we do not have.
    if "FATAL" in words or "no password supplied" in words:
        return "refused", words
    return "down", ""


def _redis_status() -> tuple[str, str]:
    import redis

    try:
        client = redis.Redis.from_url(_settings()[1], socket_connect_timeout=3, socket_timeout=3)
        return ("up" if client.ping() else "down"), ""
    except (redis.AuthenticationError, redis.ResponseError) as exc:
        return "refused", str(exc)
    except redis.RedisError:
        return "down", ""


def _succeeds(*argv: str) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=15, check=False).returncode == 0  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return False


def hba_trusts_localhost(text: str, user: str = "postgres") -> bool:
    """Whether the first pg_hba.conf rule for a TCP connection from 127.0.0.1 (as `user`) is `trust`."""
    localhost = ipaddress.ip_address("127.0.0.1")
    for raw in text.splitlines():
        fields = raw.split("#", 1)[0].split()
        if len(fields) < 4 or not fields[0].startswith("host"):
            continue
        databases, users, address = fields[1].split(","), fields[2].split(","), fields[3]
        if not ({"all", "postgres"} & set(databases)) or not ({"all", user} & set(users)):
            continue
        if address in {"all", "samehost", "samenet"}:
            covers, method_at = True, 4
        else:
            try:
                if "/" not in address and len(fields) > 4 and re.fullmatch(r"[\d.]+", fields[4]):
                    network = ipaddress.ip_network(f"{address}/{fields[4]}", strict=False)
                    method_at = 5
                else:
                    network = ipaddress.ip_network(address, strict=False)
                    method_at = 4
            except ValueError:  # a host name: not what 127.0.0.1 matches
                continue
            covers = localhost in network
        if covers:
            return len(fields) > method_at and fields[method_at] == "trust"
    return False


def _read_hba(path: Path, sudo: bool) -> str | None:
    """pg_hba.conf is readable by postgres only: as another user, read it through passwordless sudo."""
    try:
        return path.read_text()
    except OSError:
        pass
    if not sudo:
        return None
    try:
        done = subprocess.run(  # noqa: S603
            ["sudo", "-n", "cat", str(path)],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _clusters(user: str, sudo: bool) -> tuple[Cluster, ...]:
    if not shutil.which("pg_lsclusters"):
        return ()
    try:
        out = subprocess.run(
            ["pg_lsclusters", "-h"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    clusters = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 4 or not fields[2].isdigit():
            continue
        version, name, port, status = fields[:4]
        hba = _read_hba(Path(f"/etc/postgresql/{version}/{name}/pg_hba.conf"), sudo)
        trusts = None if hba is None else hba_trusts_localhost(hba, user)
        clusters.append(Cluster(version, name, int(port), status.startswith("online"), trusts))
    return tuple(clusters)


def observe(ours: frozenset[str] = frozenset()) -> Facts:
    redis_url = _settings()[1]
    params = _db_params()
    redis_parts = urlsplit(redis_url)
    db, db_refusal = _db_status()
    redis_state, redis_refusal = _redis_status()
    root = os.geteuid() == 0
    versions = tuple(
        sorted(
            (Path(p).parent.parent.name for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")),
            key=_version_key,
        )
    )
    contrib = tuple(
        v
        for v in versions
        if all(Path(f"/usr/share/postgresql/{v}/extension/{e}.control").exists() for e in PG_EXTENSIONS)
    )
    user = str(params.get("user", "postgres"))
    sudo = not root and bool(shutil.which("sudo")) and _succeeds("sudo", "-n", "true")
    return Facts(
        db=db,
        redis=redis_state,
        db_host=str(params["host"]),
        db_port=int(str(params["port"])),
        db_user=user,
        db_name=str(params["dbname"]),
        db_refusal=db_refusal,
        redis_host=redis_parts.hostname or "127.0.0.1",
        redis_port=redis_parts.port or 6379,
        redis_refusal=redis_refusal,
        docker=_succeeds("docker", "compose", "version") and _succeeds("docker", "info"),
        root=root,
        sudo=sudo,
        apt=bool(shutil.which("apt-get")),
        pg_versions=versions,
        pg_contrib=contrib,
        clusters=_clusters(user, sudo),
        redis_installed=bool(shutil.which("redis-server")),
        ours=ours,
    )


def _with_assumptions(facts: Facts, assume: str) -> Facts:
    changes = json.loads(assume)
    if "clusters" in changes:
        changes["clusters"] = tuple(Cluster(**c) for c in changes["clusters"])
    for key in ("pg_versions", "pg_contrib"):
        if key in changes:
            changes[key] = tuple(changes[key])
    if "ours" in changes:
        changes["ours"] = frozenset(changes["ours"])
    return dataclasses.replace(facts, **changes)


def describe(facts: Facts) -> str:
    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    clusters = " ".join(
        f"{c.label}:{c.port}:{'online' if c.online else 'down'}"
        + {True: ":trusts-127.0.0.1", False: ":no-trust", None: ""}[c.hba_trusts_localhost]
        for c in facts.clusters
    )
    return (
        f"# observed: PostgreSQL {facts.db} at {_where(facts, 'db')}, Redis {facts.redis} at "
        f"{_where(facts, 'redis')}\n"
        f"#   docker={yes(facts.docker)} root={yes(facts.root)} sudo={yes(facts.sudo)} apt-get={yes(facts.apt)} "
        f"postgresql={','.join(facts.pg_versions) or 'none'} contrib={','.join(facts.pg_contrib) or 'none'} "
        f"clusters={clusters or 'none'} redis-server={yes(facts.redis_installed)} "
        f"ours={','.join(sorted(facts.ours)) or 'none'}"
    )


# ── Commands ──────────────────────────────────────────────────────────────────────────────────────────


def cmd_plan(args: list[str]) -> int:
    dry_run = "--dry-run" in args
    assume = args[args.index("--assume") + 1] if "--assume" in args else ""
    ours = frozenset(os.environ.get(OURS_VARIABLE, "").split())
    facts = observe(ours)
    if assume:
        facts = _with_assumptions(facts, assume)
    p = plan(facts)
    if dry_run:
        print(describe(facts))
        then = {
            DONE: "final",
            FAIL: "stops",
            AGAIN: "then ensure-services looks again and plans the next round",
        }
        print(f"# plan ({then[p.status]}):")
    print(render(p), end="")
    return p.status


def cmd_check(_: list[str]) -> int:
    states = {"db": _db_status(), "redis": _redis_status()}
    refused = [(n, why) for n, (state, why) in states.items() if state == "refused"]
    if refused:
        for name, why in refused:
            print(f"services: {NAMES[name]} answers but refuses the connection: {why}", file=sys.stderr)
        print(
            "services: check the user and password in DATABASE_URL / REDIS_URL (see .env.example).",
            file=sys.stderr,
        )
        return 2
    down = [n for n, (state, _) in states.items() if state == "down"]
    print(" ".join(down))
    return 1 if down else 0


def cmd_wait(names: list[str], timeout: float = 30.0) -> int:
    check = {"db": _db_status, "redis": _redis_status}
    deadline = time.monotonic() + timeout
    while True:
        down = [n for n in names if check[n]()[0] == "down"]
        if not down:
            return 0
        if time.monotonic() > deadline:
            print(
                f"services: still not answering after {timeout:.0f} s: {', '.join(NAMES[n] for n in down)}\n"
                "  Start them yourself, then run the command again, or point DATABASE_URL / REDIS_URL at "
                "servers that run (see .env.example).",
                file=sys.stderr,
            )
            return 1
        time.sleep(1)


def cmd_createdb(_: list[str]) -> int:
    import psycopg
    from psycopg import sql

    name = str(_db_params()["dbname"])
    with psycopg.connect(**_db_params("postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return 0
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"services: created database {name}")
    return 0


COMMANDS = {"plan": cmd_plan, "check": cmd_check, "wait": cmd_wait, "createdb": cmd_createdb}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(COMMANDS)}")
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
