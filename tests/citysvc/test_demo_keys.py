"""CLI commands on the demo's database find the demo's keys themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from citysvc.demo import SECRETS_FILE, demo_secrets
from citysvc.demo_data import DEMO_ID_NUMBER

CSV = f"candidate_number,id_number,name,total\n2026000001,{DEMO_ID_NUMBER},张三,600\n"


def citysvc(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PII_KEY", "SECRET_KEY")
    }
    return subprocess.run(
        [sys.executable, "-m", "citysvc", *args],
        cwd=cwd,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exams_import_on_the_demo_database_needs_no_keys(tmp_path: Path) -> None:
    demo_secrets(tmp_path / SECRETS_FILE)
    assert citysvc(tmp_path, "migrate").returncode == 0
    (tmp_path / "results.csv").write_text(CSV, encoding="utf-8")
    args = (
        "exams",
        "import",
        "gaokao-2027",
        "results.csv",
        "--release-at",
        "2027-06-25T12:00+08:00",
    )
    done = citysvc(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert "imported 1, rejected 0" in done.stdout
    assert "demo's keys" in done.stderr
    # an operator who set any key gets no help: their own settings decide
    refused = citysvc(tmp_path, *args, SECRET_KEY="x" * 40)
    assert refused.returncode == 2 and "PII_KEY" in refused.stderr
