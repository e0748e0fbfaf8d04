"""scripts/services.py: what `make run` / `make test` do about PostgreSQL and Redis, decided from facts.

The decisions are pure functions of `Facts`; nothing here installs, starts or stops anything. The last
tests run the real wrapper, but only with --dry-run (it observes the machine and prints; it changes nothing).
"""

import dataclasses
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("mpp_scripts_services", ROOT / "scripts" / "services.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


services = _load()
Facts, Cluster, Plan = services.Facts, services.Cluster, services.Plan
Run, Say, Mark, Wait, CreateDb, Fail = (
    services.Run,
    services.Say,
    services.Mark,
    services.Wait,
    services.CreateDb,
    services.Fail,
)

APT_UPDATE = ("apt-get", "update", "-q")


def apt_install(*packages):
    return ("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", *packages)


REDIS_START = (
    *"redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save".split(),
    "",
    *"--appendonly no --dir /tmp".split(),
)
PG_START = ("pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start")
STOPPED = Cluster("15", "main", 5432, online=False, hba_trusts_localhost=True)

# A Debian/Ubuntu machine with neither server installed, no Docker, as root.
FRESH = Facts(db="down", redis="down", root=True, apt=True)
# What the packages leave behind: PostgreSQL 15 with a cluster `main` that is not running (no systemd) and
# asks for passwords on TCP (Debian's default), and redis-server not running either.
AFTER_INSTALL = dataclasses.replace(
    FRESH,
    pg_versions=("15",),
    pg_contrib=("15",),
    clusters=(Cluster("15", "main", 5432, online=False, hba_trusts_localhost=False),),
    redis_installed=True,
    ours=frozenset({"db", "redis"}),
)
INSTALLED_STOPPED = dataclasses.replace(
    FRESH, pg_versions=("15",), pg_contrib=("15",), clusters=(STOPPED,), redis_installed=True
)


def sudo(argv, user=None):
    return ("sudo", "-n", *(("-u", user) if user else ()), *argv)


def marks(plan):
    return {s.service for s in plan.steps if isinstance(s, Mark)}


def test_both_answer_nothing_to_do_but_create_the_database_if_missing():
    plan = services.plan(Facts(db="up", redis="up", db_name="mpp_s4b"))

    assert plan == Plan((CreateDb("mpp_s4b"),), services.DONE)
    assert plan.commands == []


def test_docker_comes_first_compose_up_the_services_that_do_not_answer():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, docker=True))

    assert plan.commands == [("docker", "compose", "up", "-d", "db", "redis")]
    assert Wait(("db", "redis")) in plan.steps
    assert plan.status == services.AGAIN
    # db and redis do not use SECRET_KEY, but the compose file requires it
    assert (
        'SECRET_KEY="${SECRET_KEY:-not-used-by-db-or-redis}" run docker compose up -d db redis'
        in services.render(plan)
    )


def test_docker_starts_only_the_service_that_is_down():
    plan = services.plan(Facts(db="up", redis="down", docker=True))

    assert plan.commands == [("docker", "compose", "up", "-d", "redis")]


def test_fresh_machine_as_root_installs_both_then_starts_them_then_creates_the_database():
    first = services.plan(FRESH)

    assert first.commands == [APT_UPDATE, apt_install("postgresql", "postgresql-contrib", "redis-server")]
    assert marks(first) == {"db", "redis"}
    assert first.status == services.AGAIN

    second = services.plan(AFTER_INSTALL)
    hba = "/etc/postgresql/15/main/pg_hba.conf"

    assert second.commands == [
        ("sed", "-i", "1i " + "\\n".join(services.HBA_TRUST_LINES), hba),
        PG_START,
        REDIS_START,
    ]
    assert any(isinstance(s, Say) and "set up by this script" in s.text for s in second.steps)
    assert second.steps[-1] == Wait(("db", "redis"))

    third = services.plan(dataclasses.replace(AFTER_INSTALL, db="up", redis="up"))

    assert third == Plan((CreateDb("mpp"),), services.DONE)


def test_the_trust_rules_go_first_in_pg_hba_conf_and_then_it_trusts_localhost(tmp_path):
    debian_default = (
        "local   all   postgres   peer\n"
        "local   all   all        peer\n"
        "host    all   all        127.0.0.1/32   scram-sha-256\n"
        "host    all   all        ::1/128        scram-sha-256\n"
    )
    hba = tmp_path / "pg_hba.conf"
    hba.write_text(debian_default)
    (sed,) = [argv for argv in services.plan(AFTER_INSTALL).commands if argv[0] == "sed"]

    subprocess.run([*sed[:-1], str(hba)], check=True)

    assert not services.hba_trusts_localhost(debian_default)
    assert hba.read_text().splitlines()[1:3] == [
        "host all all 127.0.0.1/32 trust",
        "host all all ::1/128 trust",
    ]
    assert hba.read_text().endswith(debian_default)
    assert services.hba_trusts_localhost(hba.read_text())


def test_with_passwordless_sudo_the_same_commands_run_through_sudo():
    as_root = [services.plan(FRESH), services.plan(AFTER_INSTALL)]
    with_sudo = [services.plan(dataclasses.replace(f, root=False, sudo=True)) for f in (FRESH, AFTER_INSTALL)]

    assert with_sudo[0].commands == [
        sudo(APT_UPDATE),
        sudo(apt_install(*services.PG_PACKAGES, "redis-server")),
    ]
    # redis-server needs no privileges; everything else goes through sudo -n
    assert with_sudo[1].commands == [sudo(c) if c != REDIS_START else c for c in as_root[1].commands]


def test_without_root_or_sudo_it_prints_the_exact_commands_and_exits_non_zero():
    plan = services.plan(dataclasses.replace(FRESH, root=False))

    assert plan.status == services.FAIL
    assert plan.commands == []
    assert plan.message == (
        "services: PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) do not answer and Docker is not "
        "usable; setting that up needs root, and this user is neither root nor allowed passwordless sudo.\n"
        "services: run this, which does the whole set-up as root:\n"
        "    sudo scripts/ensure-services\n"
        "  or run these commands yourself (its next step), then run the command again:\n"
        "    sudo apt-get update -q\n"
        "    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-contrib "
        "redis-server"
    )
    script = subprocess.run(
        ["bash", "-c", services.render(plan)], capture_output=True, text=True, check=False
    )
    assert script.returncode == 1
    assert script.stderr == plan.message + "\n"
    assert script.stdout == ""


def test_without_root_a_stopped_cluster_is_a_message_too_with_the_exact_start_command():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, root=False, redis="up"))

    assert plan.status == services.FAIL
    assert plan.message.splitlines()[0].startswith("services: PostgreSQL (127.0.0.1:5432) does not answer")
    assert plan.message.splitlines()[-1] == "    sudo pg_ctlcluster --skip-systemctl-redirect 15 main start"


def test_postgresql_installed_but_stopped_is_started_not_installed():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, redis="up"))

    assert plan.commands == [PG_START]
    assert plan.steps[-1] == Wait(("db",))
    assert marks(plan) == set()


def test_a_cluster_we_did_not_install_keeps_its_pg_hba_conf():
    not_trusting = dataclasses.replace(STOPPED, hba_trusts_localhost=False)
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, redis="up", clusters=(not_trusting,)))

    assert plan.commands == [PG_START]


def test_only_redis_missing_installs_only_redis():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, db="up", redis_installed=False))

    assert plan.commands == [APT_UPDATE, apt_install("redis-server")]
    assert marks(plan) == {"redis"}


def test_redis_installed_but_stopped_is_started_even_without_root():
    plan = services.plan(Facts(db="up", redis="down", redis_installed=True, redis_port=6390))

    assert plan.commands == [tuple("6390" if a == "6379" else a for a in REDIS_START)]
    assert plan.status == services.AGAIN
    assert (
        "run redis-server --daemonize yes --bind 127.0.0.1 --port 6390 --save '' --appendonly no"
        in services.render(plan)
    )


def test_installed_without_a_cluster_creates_one_trusting_local_tcp_and_starts_it():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, clusters=(), redis="up"))

    assert plan.commands == [
        ("pg_createcluster", "--port", "5432", "15", "main", "--", "--auth-local=peer", "--auth-host=trust"),
        PG_START,
    ]
    assert marks(plan) == {"db"}


def test_the_newest_installed_version_gets_the_new_cluster_on_the_port_of_database_url():
    facts = Facts(db="down", redis="up", root=True, apt=True, db_port=5440, pg_versions=("9.6", "13", "16"))

    plan = services.plan(dataclasses.replace(facts, pg_contrib=("9.6", "13", "16")))

    assert plan.commands[0][:5] == ("pg_createcluster", "--port", "5440", "16", "main")
    assert plan.commands[1] == ("pg_ctlcluster", "--skip-systemctl-redirect", "16", "main", "start")


def test_an_existing_cluster_is_started_rather_than_a_new_one_created():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, redis="up"))

    assert not any(argv[0] == "pg_createcluster" for argv in plan.commands)


def test_clusters_only_on_other_ports_are_reported_not_touched():
    elsewhere = dataclasses.replace(STOPPED, port=5433)
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, redis="up", clusters=(elsewhere,)))

    assert plan.status == services.FAIL
    assert "15/main on port 5433" in plan.message
    assert "postgres://postgres@127.0.0.1:5433/mpp" in plan.message


def test_missing_contrib_is_installed_before_starting():
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, redis="up", pg_contrib=()))

    assert plan.commands == [APT_UPDATE, apt_install("postgresql-contrib")]
    assert marks(plan) == set()  # the server was there already: not ours to configure


def test_a_running_cluster_that_does_not_answer_is_reported():
    running = dataclasses.replace(STOPPED, online=True)
    plan = services.plan(dataclasses.replace(INSTALLED_STOPPED, redis="up", clusters=(running,)))

    assert plan.status == services.FAIL
    assert "listen_addresses" in plan.message


def test_a_service_elsewhere_that_does_not_answer_is_not_started_here():
    plan = services.plan(dataclasses.replace(FRESH, db_host="db.example.gov", redis="up"))

    assert plan.status == services.FAIL
    assert plan.commands == []
    assert "db.example.gov:5432 does not answer, and it is not on this machine" in plan.message


def test_not_debian_and_nothing_installed_says_what_to_install():
    plan = services.plan(dataclasses.replace(FRESH, apt=False))

    assert plan.status == services.FAIL
    assert "no apt-get" in plan.message


def test_refused_by_a_server_we_did_not_install_stops_with_the_hint_and_changes_nothing():
    trusting_not = Cluster("15", "main", 5432, online=True, hba_trusts_localhost=False)
    facts = dataclasses.replace(
        INSTALLED_STOPPED,
        db="refused",
        redis="up",
        clusters=(trusting_not,),
        db_refusal='FATAL: password authentication failed for user "postgres"',
    )

    plan = services.plan(facts)

    assert plan.status == services.FAIL
    assert plan.commands == []
    assert (
        "    sudo sed -i '1i host all all 127.0.0.1/32 trust' /etc/postgresql/15/main/pg_hba.conf"
        in plan.message
    )


def test_refused_by_a_server_this_run_installed_trusts_localhost_and_reloads():
    running = Cluster("15", "main", 5432, online=True, hba_trusts_localhost=False)
    facts = dataclasses.replace(
        AFTER_INSTALL,
        db="refused",
        redis="up",
        clusters=(running,),
        db_refusal="FATAL: password authentication",
    )

    plan = services.plan(facts)

    assert [argv[0] for argv in plan.commands] == ["sed", "pg_ctlcluster"]
    assert plan.commands[1][-1] == "reload"


def test_a_missing_role_is_created_as_postgres():
    running = dataclasses.replace(STOPPED, online=True)
    facts = dataclasses.replace(
        INSTALLED_STOPPED,
        db="refused",
        redis="up",
        clusters=(running,),
        db_user="mpp",
        db_refusal='connection failed: FATAL: role "mpp" does not exist',
    )
    psql = ("psql", "--port", "5432", "-X", "-v", "ON_ERROR_STOP=1", "-c", 'CREATE ROLE "mpp" LOGIN CREATEDB')

    assert services.plan(facts).commands == [("runuser", "-u", "postgres", "--", *psql)]
    assert services.plan(dataclasses.replace(facts, root=False, sudo=True)).commands == [
        sudo(psql, "postgres")
    ]


def test_redis_that_refuses_us_is_reported():
    plan = services.plan(Facts(db="up", redis="refused", redis_refusal="NOAUTH Authentication required."))

    assert plan.status == services.FAIL
    assert "REDIS_URL" in plan.message


@pytest.mark.parametrize(
    ("error", "state"),
    [
        ('connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused', "down"),
        ('connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  the database '
         "system is starting up", "down"),
        ('connection failed: FATAL:  password authentication failed for user "postgres"', "refused"),
        # what a fresh Debian cluster (scram-sha-256 on TCP) answers to a URL without a password
        ('connection failed: connection to server at "127.0.0.1", port 5499 failed: fe_sendauth: no password '
         "supplied", "refused"),
        ('connection failed: FATAL:  role "mpp" does not exist', "refused"),
    ],
)  # fmt: skip
def test_a_server_that_is_still_starting_is_waited_for_not_reported_as_refusing(error, state):
    assert services.db_state_from_error(error)[0] == state


@pytest.mark.parametrize(
    ("hba", "trusts"),
    [
        ("local all all trust\nhost all all 127.0.0.1/32 trust\n", True),
        ("host all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n", False),  # first wins
        ("host all all 127.0.0.0/8 trust\n", True),
        ("host all all 127.0.0.1 255.255.255.255 trust\n", True),
        ("host all all 10.0.0.0/8 trust\nhost all all 0.0.0.0/0 md5\n", False),
        ("host mpp mpp 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 md5\n", False),
        ("# host all all 127.0.0.1/32 trust\n", False),
    ],
)
def test_reading_pg_hba_conf(hba, trusts):
    assert services.hba_trusts_localhost(hba) is trusts


@pytest.mark.parametrize(
    "facts", [FRESH, AFTER_INSTALL, dataclasses.replace(FRESH, root=False), Facts(db="up", redis="up")]
)
def test_every_rendered_plan_is_valid_bash(facts):
    check = subprocess.run(
        ["bash", "-n"], input=services.render(services.plan(facts)), text=True, check=False
    )

    assert check.returncode == 0


def test_the_rendered_script_runs_exactly_the_planned_commands():
    # `run` and `say` are the wrapper's; here `run` only records its arguments, one per line.
    plan = services.plan(AFTER_INSTALL)
    stubs = 'say() { :; }; run() { printf "%s\\0" "$@"; printf "\\n"; }; py=true\n'

    result = subprocess.run(
        ["bash", "-c", stubs + services.render(plan)], capture_output=True, text=True, check=True
    )

    ran = [tuple(line.split("\0")[:-1]) for line in result.stdout.splitlines()]
    assert ran == plan.commands


def run_wrapper(*args):
    return subprocess.run(
        [str(ROOT / "scripts" / "ensure-services"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "VENV": str(Path(sys.executable).parent.parent)},
    )


def test_the_wrapper_dry_run_prints_the_plan_for_assumed_facts_and_changes_nothing():
    fresh = (
        '{"db": "down", "redis": "down", "docker": false, "root": true, "apt": true, "pg_versions": [],'
        ' "clusters": [], "redis_installed": false}'
    )

    result = run_wrapper("--dry-run", "--assume", fresh)

    assert result.returncode == 0, result.stderr
    assert "# plan (then ensure-services looks again and plans the next round):" in result.stdout
    assert "apt-get install -y -q postgresql postgresql-contrib redis-server" in result.stdout


def test_the_wrapper_refuses_assumed_facts_outside_a_dry_run():
    result = run_wrapper("--assume", '{"db": "down"}')

    assert result.returncode == 2
    assert "only goes with --dry-run" in result.stderr
