"""The load run of ``make bench``: gunicorn on 127.0.0.1 with production settings, driven by wrk.

``run()`` starts gunicorn (reading gunicorn.conf.py from the project directory, like every other way the
app is served), waits for /healthz, checks that every request of the mix answers 200 with its session, warms
the workers up, then runs wrk with scripts/bench.lua for the given time and stops gunicorn by its process id.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

WRK_THREADS = 2
WARMUP_SECONDS = 5
START_TIMEOUT_SECONDS = 30


class Budget(Protocol):
    min_rps: float
    p95_ms: float
    max_errors: int


@dataclass
class LoadResult:
    seconds: int
    connections: int
    threads: int
    workers: int
    users: int
    distinct_requests: int
    mix: dict[str, list[str]]
    wrk_version: str
    gunicorn_version: str
    figures: dict[str, Any] | None  # None: not run, because a request of the mix did not answer 200
    failures: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        f = self.figures or {}
        return f["requests"] / (f["duration_us"] / 1e6)

    @property
    def errors(self) -> int:
        """Socket errors, non-2xx/3xx answers, and any answer but 200 (every request of the mix answers 200
        when all is well: a 302 is a lost session)."""
        f = self.figures or {}
        return f["connect"] + f["read"] + f["write"] + f["timeout"] + max(f["status"], f["not_200"])

    def ms(self, key: str) -> float:
        return (self.figures or {})[key] / 1000

    def markdown(self, budget: Budget) -> list[str]:
        verdict = "pass" if not self.failures else "**FAIL**: " + "; ".join(self.failures)
        setup = [
            f"- Tool: {self.wrk_version}, `-t{self.threads} -c{self.connections} -d{self.seconds}s` "
            f"(after a {WARMUP_SECONDS} s warm-up run), scripts/bench.lua",
            f"- Server: {self.gunicorn_version}, gunicorn.conf.py, {self.workers} sync workers, "
            "`mpp.settings.production` (DEBUG off), on 127.0.0.1, the same machine as wrk and PostgreSQL; "
            "requests carry `X-Forwarded-Proto: https` as from the TLS proxy",
            f"- Mix: {self.users} users (2 CBP officers and 1 CBP supervisor at each of the 3 busiest ports), "
            f"{self.distinct_requests} distinct requests, rotated user by user:",
            *(f"  - {role}: " + ", ".join(f"`{p}`" for p in paths) for role, paths in self.mix.items()),
            "",
        ]
        f = self.figures
        if f is None:
            return [*setup, f"Result: {verdict}", ""]
        return [
            *setup,
            "| requests | requests/s | p50 ms | p90 ms | p95 ms | p99 ms | max ms | errors | budget | pass/fail |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
            f"| {f['requests']:,} | {self.rps:.0f} | {self.ms('p50_us'):.1f} | {self.ms('p90_us'):.1f} "
            f"| {self.ms('p95_us'):.1f} | {self.ms('p99_us'):.1f} | {self.ms('max_us'):.1f} | {self.errors} "
            f"| ≥ {budget.min_rps:g}/s at p95 ≤ {budget.p95_ms:g} ms, {budget.max_errors} errors | {verdict} |",
            "",
            f"Errors: connect {f['connect']}, read {f['read']}, write {f['write']}, timeout {f['timeout']}, "
            f"status ≥ 400 {f['status']}, not 200 {f['not_200']}.",
            "",
        ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, session: str | None = None) -> int:
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            if get(port, "/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT_SECONDS} s")


def wrk(wrk_path: str, port: int, requests_file: Path, *, seconds: int, connections: int) -> dict[str, Any]:
    script = Path(__file__).with_name("bench.lua")
    command = [wrk_path, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(script), f"http://127.0.0.1:{port}", "--", str(requests_file)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 — fixed arguments
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return dict(json.loads(line.removeprefix("BENCH-RESULT ")))
    raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")


def wrk_runs(
    wrk_path: str, port: int, mix: list[tuple[str, str]], *, seconds: int, connections: int
) -> dict[str, Any]:
    """A warm-up run (workers import lazily and open their database connections), then the measured one."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write("".join(f"{path}\t{session}\n" for path, session in mix))
        requests_file = Path(f.name)
    try:
        print(f"bench: load run — warm-up {WARMUP_SECONDS} s, then {seconds} s with {connections} connections",
              flush=True)  # fmt: skip
        wrk(wrk_path, port, requests_file, seconds=WARMUP_SECONDS, connections=connections)
        return wrk(wrk_path, port, requests_file, seconds=seconds, connections=connections)
    finally:
        requests_file.unlink()


def run(
    *,
    env: dict[str, str],
    mix: list[tuple[str, str]],
    mix_description: dict[str, list[str]],
    seconds: int,
    connections: int,
    workers: int,
    budget: Budget,
    base_dir: Path,
) -> LoadResult:
    wrk_path = shutil.which("wrk")
    gunicorn = base_dir / os.environ.get("VENV", ".venv") / "bin" / "gunicorn"
    if wrk_path is None:
        raise SystemExit("bench: wrk is not installed (scripts/ensure-bench-deps installs it)")
    port = free_port()
    log_path = base_dir / "var" / "bench-gunicorn.log"
    log_path.parent.mkdir(exist_ok=True)
    server_env = {**os.environ, **env, "WEB_CONCURRENCY": str(workers)}
    print(f"bench: load run — gunicorn ({workers} workers) on 127.0.0.1:{port}, log {log_path}", flush=True)
    with open(log_path, "wb") as log:
        # Started directly (no shell), so server.pid is gunicorn's master and stopping it stops only it. No
        # control socket: its default path is one per user, and another gunicorn on the machine may own it.
        server = subprocess.Popen(  # noqa: S603 — fixed arguments
            [str(gunicorn), "mpp.wsgi:application", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
            cwd=base_dir,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    figures: dict[str, Any] | None = None
    refused: dict[str, int] = {}
    try:
        wait_until_up(port, server)
        # Every request of the mix, once, outside wrk: a page that errors would otherwise count as fast.
        for path, session in sorted(set(mix)):
            status = get(port, path, session)
            if status != 200:
                refused[path] = status
        if not refused:
            figures = wrk_runs(wrk_path, port, mix, seconds=seconds, connections=connections)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    version = subprocess.run([wrk_path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    gunicorn_version = subprocess.run(  # noqa: S603 — fixed arguments
        [str(gunicorn), "--version"], capture_output=True, text=True, check=False
    )
    result = LoadResult(
        seconds=seconds,
        connections=connections,
        threads=WRK_THREADS,
        workers=workers,
        users=len({session for _, session in mix}),
        distinct_requests=len(set(mix)),
        mix=mix_description,
        wrk_version=" ".join((version.stdout or version.stderr).split()[:2]),
        gunicorn_version=gunicorn_version.stdout.strip() or "gunicorn",
        figures=figures,
    )
    if figures is None:
        answers = ", ".join(f"{path} → {status}" for path, status in refused.items())
        result.failures.append(f"not run: through gunicorn, requests of the mix did not answer 200: {answers} "
                               f"(see {log_path.relative_to(base_dir)})")  # fmt: skip
        return result
    if result.rps < budget.min_rps:
        result.failures.append(f"{result.rps:.0f} requests/s < {budget.min_rps:g}")
    if result.ms("p95_us") > budget.p95_ms:
        result.failures.append(f"p95 {result.ms('p95_us'):.1f} ms > {budget.p95_ms:g} ms")
    if result.errors > budget.max_errors:
        result.failures.append(f"{result.errors} errors > {budget.max_errors}")
    return result
