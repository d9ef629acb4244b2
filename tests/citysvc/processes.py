"""Running `citysvc serve` and `citysvc worker` as an operator would: real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests import harness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Poll ``condition`` until it holds; fail after ``seconds`` (a bound, not a guess)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def citysvc_env(database_url: str, **extra: str) -> dict[str, str]:
    return dict(os.environ, **harness.env_for(database_url, **extra))


@contextmanager
def citysvc_process(
    env: dict[str, str], *args: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``citysvc ARGS`` in the background, its output in ``log``; SIGTERM and wait at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "citysvc", *args], env=env, stdout=out, stderr=out
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
