"""Under `citysvc serve --workers 2` a scrape of /metrics sums every worker process."""

from __future__ import annotations

import re
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests import harness
from tests.citysvc.processes import answers, citysvc_env, citysvc_process, free_port, wait_for

HEALTHZ = r'citysvc_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)'


def test_a_scrape_counts_the_requests_of_every_worker(tmp_path: Path, redis_url: str) -> None:
    url = f"sqlite://{tmp_path / 'db.sqlite3'}"
    harness.migrate_with_cli(url)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # several workers need Redis (they share rate limits and bot state through it)
    env = citysvc_env(url, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), REDIS_URL=redis_url)
    base = f"http://127.0.0.1:{free_port()}"
    served = 0
    lock = threading.Lock()

    def healthz() -> bool:
        nonlocal served
        ok = answers(base + "/healthz")  # a new connection each time: any worker may take it
        with lock:
            served += ok
        return ok

    args = ("serve", "--port", base.rsplit(":", 1)[1], "--workers", "2")
    with citysvc_process(env, *args, log=tmp_path / "serve.log"):
        wait_for(healthz)

        def burst() -> bool:
            """Eight at once: while one worker is busy the other accepts."""
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: healthz(), range(8)))
            return len(list(metrics_dir.glob("counter_*.db"))) >= 2

        # until both workers have answered something (each then has its own sample file)
        wait_for(burst, seconds=60)
        for _ in range(3):  # every scrape, whichever worker answers it, sees the whole sum
            with urllib.request.urlopen(base + "/metrics", timeout=5) as resp:
                text = resp.read().decode()
            match = re.search(HEALTHZ, text)
            assert match and float(match.group(1)) == served, (served, match and match.group(1))
