"""`citysvc worker --check` reports a running worker by its heartbeat, and a clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests import harness
from tests.citysvc.processes import citysvc_env, citysvc_process, wait_for


def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "worker", "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_follows_the_worker_from_start_to_clean_stop(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'db.sqlite3'}"
    harness.migrate_with_cli(url)
    env = citysvc_env(url)
    before = check(env)
    assert before.returncode == 1 and "no worker is running" in before.stderr
    with citysvc_process(env, "worker", log=tmp_path / "worker.log") as worker:
        wait_for(lambda: check(env).returncode == 0, seconds=60)
        assert f":{worker.pid}\talive" in check(env).stdout
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    after = check(env)
    assert after.returncode == 1 and f":{worker.pid}" not in after.stdout
