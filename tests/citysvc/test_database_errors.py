"""Every command answers a database it cannot use with one line and exit 2, never a trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def citysvc(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="s" * 32)
    return subprocess.run(
        [sys.executable, "-m", "citysvc", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "verify"),
        ("staff", "add", "clerk9", "--role", "clerk", "--department", "GA"),
        ("calendar", "list"),
    ],
)
def test_an_unmigrated_database_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str]) -> None:
    result = citysvc(f"sqlite://{tmp_path / 'empty.sqlite3'}", *args, stdin="long-password-1\n")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "citysvc migrate" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unsupported_database_url_is_refused(tmp_path: Path) -> None:
    for url in ("mysql://user@host/db", "garbage"):
        result = citysvc(url, "migrate")
        assert result.returncode == 2, result.stderr
        assert "DATABASE_URL must be sqlite://PATH or postgres://" in result.stderr
        assert "Traceback" not in result.stderr
