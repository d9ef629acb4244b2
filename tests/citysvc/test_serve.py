"""`citysvc serve` as an operator runs it, in a subprocess (issue 13, findings 4 and 8).

* Several workers keep rate limits, bot claims and binding-code counters in shared state:
  without REDIS_URL each worker would count alone, so `--workers 2` refuses to start.
* Every log line of every process (Sanic's workers included) is masked, and INFO lines of
  ``citysvc.*`` are written, not dropped by Python's last-resort handler.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests import harness

ID_NUMBER = "11010519491231002X"


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return env | harness.env_for(database_url, **extra)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_several_workers_without_redis_refuse_to_start(
    tmp_path: Path, sqlite_template: Path
) -> None:
    url = harness.sqlite_copy(sqlite_template, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "citysvc", "serve", "--port", str(_free_port()), "--workers", "2"],
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # Sanic's manager kills its whole process group on failure
    )
    assert result.returncode == 2, result.stderr
    assert "REDIS_URL" in result.stderr and "--workers" in result.stderr
    assert "Traceback" not in result.stderr


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    """Until /healthz answers and every worker has said it is ready (a SIGTERM that reaches
    Sanic's manager while a worker still starts leaves it hanging)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        if log.read_text().count("Worker ready") >= workers:
            try:
                if _get(base + "/healthz") == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    raise AssertionError("the server did not come up:\n" + log.read_text())


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session, started above
        server.wait(timeout=30)


def test_logs_of_every_worker_are_masked_and_info_is_kept(
    tmp_path: Path, sqlite_template: Path, redis_url: str
) -> None:
    url = harness.sqlite_copy(sqlite_template, tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "citysvc", "serve", "--port", str(port), "--workers", "2"],
            env=_env(url, REDIS_URL=redis_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Sanic's manager kills its whole process group on failure
        )
    try:
        _wait_ready(base, server, log, workers=2)
        # the catalogue's table goes away under the running server: an unexpected error,
        # whose log line names the request's path, which holds an ID number
        with sqlite3.connect(url.removeprefix("sqlite://").split("?")[0]) as db:
            db.execute("DROP TABLE service_item")
        for _ in range(6):  # enough to reach both workers
            assert _get(f"{base}/api/v1/items/{ID_NUMBER}") == 500
    finally:
        _stop(server)
    output = log.read_text()
    assert "unexpected error on GET /api/v1/items/" in output, output
    assert ID_NUMBER not in output, output
    # citysvc's own INFO lines are written, by each worker
    assert output.count("INFO citysvc.api [-]: serving") == 2, output  # [request id]
