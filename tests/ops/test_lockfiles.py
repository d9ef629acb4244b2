"""`make run` and `make test` install from the lock files: they pin what pyproject.toml asks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pinned(lock: Path) -> dict[str, str]:
    """``name -> version`` of every ``name==version`` line, each with at least one hash."""
    text = lock.read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.M))
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)
    assert all("--hash=sha256:" in block for block in blocks if "==" in block.split("\n")[0])
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins.items()}


def wanted(requirements: list[str]) -> list[str]:
    return [
        re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", req)[0]).lower() for req in requirements
    ]


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", []), ("requirements-dev.lock", ["dev"])]
)
def test_each_lock_pins_every_dependency_with_hashes(lock: str, extras: list[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = pinned(ROOT / lock)
    missing = [name for name in wanted(requirements) if name not in pins]
    assert missing == [], f"run `make lock`: {lock} lacks {missing}"
    assert "--index-url" not in (ROOT / lock).read_text()  # no machine's mirror in the lock


def test_the_makefile_installs_from_the_locks_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --require-hashes -r requirements.lock" in makefile
    assert "pip install -q --require-hashes -r requirements-dev.lock" in makefile
