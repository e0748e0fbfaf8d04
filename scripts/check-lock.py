"""Check that requirements/base.txt and requirements/test.txt are up to date with pyproject.toml.

Every pin of pyproject.toml (runtime dependencies in both locks, the ``test`` extra in test.txt) must be in
the lock with the same version, and the two locks must agree on every package they share. If not, run
``make lock``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def read_lock(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if match := _PIN.match(line):
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    test = [Requirement(r) for r in project.get("optional-dependencies", {}).get("test", [])]
    locks = {name: read_lock(ROOT / "requirements" / f"{name}.txt") for name in ("base", "test")}
    problems = []
    for lock_name, requirements in (("base", runtime), ("test", runtime + test)):
        lock = locks[lock_name]
        for req in requirements:
            name = canonicalize_name(req.name)
            if name not in lock:
                problems.append(f"{req.name} is in pyproject.toml but not in requirements/{lock_name}.txt")
            elif not req.specifier.contains(lock[name], prereleases=True):
                problems.append(
                    f"requirements/{lock_name}.txt has {req.name}=={lock[name]}, pyproject.toml wants {req}"
                )
    for name, version in locks["base"].items():
        if locks["test"].get(name, version) != version:
            problems.append(f"{name}: base.txt has {version}, test.txt has {locks['test'][name]}")
    for problem in problems:
        print(f"check-lock: {problem}", file=sys.stderr)
    if problems:
        print(
            "check-lock: the lock files are stale; run `make lock` and commit requirements/*.txt",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
