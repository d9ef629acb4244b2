"""`citysvc catalogue import FILE` run as an operator would, in a separate process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from citysvc.catalogue_cmd import progress_printer
from core.catalogue.importer import DEMO_CATALOGUE
from tests.core.catalogue.test_validation import good_row


def run_import(database_url: str, path: Path | str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url)
    for name in ("SECRET_KEY", "PII_KEY"):
        env.pop(name, None)  # the command needs only the database
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "catalogue", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write(tmp_path: Path, rows: Any, name: str = "items.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def test_demo_catalogue_imports_then_is_unchanged(database_url: str) -> None:
    count = len(json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8")))
    first = run_import(database_url, DEMO_CATALOGUE)
    assert (first.returncode, first.stdout, first.stderr) == (
        0,
        f"created {count}, updated 0, unchanged 0, rejected 0\n",
        "",
    )
    again = run_import(database_url, DEMO_CATALOGUE)
    assert again.stdout == f"created 0, updated 0, unchanged {count}, rejected 0\n"


def test_rejected_rows_are_listed_and_exit_1(database_url: str, tmp_path: Path) -> None:
    rows = [good_row(code="A"), good_row(code="B", audience="everyone"), good_row(code="A", fee=3)]
    result = run_import(database_url, write(tmp_path, rows))
    assert result.returncode == 1
    assert result.stdout == "created 1, updated 0, unchanged 0, rejected 2\n"
    assert result.stderr.splitlines() == [
        "row 1: audience: must be 'personal' or 'legal_person'",
        "row 2: fee: must be a string",
        "row 2: code: duplicate code: already in row 0",
    ]
    changed = run_import(database_url, write(tmp_path, [good_row(code="A", legal_days=9)]))
    assert (changed.returncode, changed.stdout) == (
        0,
        "created 0, updated 1, unchanged 0, rejected 0\n",
    )


def test_unreadable_files_exit_2_and_write_nothing(database_url: str, tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[{", encoding="utf-8")
    cases = [
        (tmp_path / "missing.json", "no such file"),
        (bad_json, "not valid JSON"),
        (write(tmp_path, {"code": "A"}, "object.json"), "must hold a JSON array"),
    ]
    for path, message in cases:
        result = run_import(database_url, path)
        assert (result.returncode, result.stdout) == (2, ""), path
        assert message in result.stderr
    empty = run_import(database_url, write(tmp_path, []))
    assert empty.stdout == "created 0, updated 0, unchanged 0, rejected 0\n"


def test_large_file_reports_progress_in_tenths(database_url: str, tmp_path: Path) -> None:
    rows = [good_row(code=f"P-{i:04d}") for i in range(250)]
    result = run_import(database_url, write(tmp_path, rows))
    assert result.returncode == 0
    assert result.stdout == "created 250, updated 0, unchanged 0, rejected 0\n"
    lines = result.stderr.splitlines()
    assert lines[0] == "imported 25/250 rows (10%)"
    assert lines[-1] == "imported 250/250 rows (100%)" and len(lines) == 10


def test_unmigrated_database_exits_2(tmp_path: Path) -> None:
    result = run_import(f"sqlite://{tmp_path / 'empty.sqlite3'}", write(tmp_path, [good_row()]))
    assert (result.returncode, result.stdout) == (2, "")
    assert "citysvc migrate" in result.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_bar_redraws_every_percent() -> None:
    screen = Terminal()
    show = progress_printer(screen)
    for done in range(1, 1001):
        show(done, 1000)
    frames = screen.getvalue().split("\r")[1:]
    assert len(frames) == 100
    assert frames[0] == "[" + "-" * 30 + "]   1% 10/1000"
    assert frames[-1] == "[" + "#" * 30 + "] 100% 1000/1000\n"
