"""Shared pieces of the benchmarks: server processes, a bounded HTTP load loop, figures."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent


@dataclass
class Stats:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    def line(self, label: str) -> str:
        return (
            f"{label:<34} {self.rate:8.0f} req/s   p50 {self.pct(0.5):6.2f} ms   "
            f"p99 {self.pct(0.99):6.2f} ms   errors {self.errors}"
        )


SERVER_CPU, CLIENT_CPU = 1, 0


def own_cores() -> bool:
    """Pin this process (the load client) to one core and return True when there are two.

    Servers started with ``pinned=True`` then share the other core, one at a time under
    load. On a shared two-core machine the scheduler otherwise moved client and server
    onto one core now and then, and the baseline swung between 8,000 and 17,000 req/s
    from run to run; pinned, both sides are measured under the same conditions.
    """
    if len(os.sched_getaffinity(0)) < 2:
        return False
    os.sched_setaffinity(0, {CLIENT_CPU})
    return True


@contextmanager
def server_process(
    *args: str, env: dict[str, str] | None = None, pinned: bool = False
) -> Iterator[str]:
    """Start `python bench/servers.py ARGS` and yield the URL it prints after READY."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "servers.py"), *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=(lambda: os.sched_setaffinity(0, {SERVER_CPU})) if pinned else None,
    )
    try:
        assert proc.stdout is not None
        for _ in range(500):  # Sanic may print its banner first
            line = proc.stdout.readline()
            if not line or line.startswith("READY "):
                break
        if not line.startswith("READY "):
            raise RuntimeError(f"server did not start (exit {proc.poll()})")
        yield line.strip().split(" ", 1)[1]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


Request = Callable[[int], tuple[str, str, dict[str, Any]]]
Client = Callable[[int], aiohttp.ClientSession]


def plain_client(concurrency: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))


def worker_client(concurrency: int) -> aiohttp.ClientSession:
    """The session `citysvc worker` sends with (``integrations.http.new_session``: its pool,
    timeout and orjson bodies), so a raw loop measures the same client."""
    from integrations.http import DEFAULT_TIMEOUT, new_session

    return new_session(timeout=DEFAULT_TIMEOUT, limit=max(concurrency, 100))


async def load(
    make: Request, total: int, concurrency: int, expect: int = 200, client: Client = plain_client
) -> Stats:
    """Send ``total`` requests (``make(i)`` -> method, url, kwargs) with ``concurrency`` workers
    through a session made by ``client``."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    async with client(concurrency) as http:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                method, url, kw = make(i)
                start = time.perf_counter()
                async with http.request(method, url, **kw) as resp:
                    await resp.read()
                    if resp.status != expect:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Stats(total, elapsed, latencies, errors)


def median_rate(runs: list[Stats]) -> float:
    return statistics.median(s.rate for s in runs)


async def interleaved(
    base: Request,
    ours: Request,
    requests: int,
    concurrency: int,
    rounds: int = 5,
    expect: int = 200,
) -> tuple[Stats, Stats]:
    """Alternate rounds of baseline and measured requests, both servers up at once.

    On a shared 2-core machine the load drifts; measuring one server after the other turned
    that drift into the ratio. Each side's figures are the median round; latencies pooled.
    """
    base_stats, our_stats = await alternating(
        [(base, 200), (ours, expect)], requests, concurrency, rounds
    )
    return base_stats, our_stats


async def alternating(
    sides: list[tuple[Request, int]], requests: int, concurrency: int, rounds: int = 5
) -> list[Stats]:
    """``interleaved`` for any number of sides (``(make, expected status)``), in turn each round."""
    per_round = max(1, requests // rounds)
    runs: list[list[Stats]] = [[] for _ in sides]
    for r in range(rounds):
        for (make, expect), side in zip(sides, runs, strict=True):
            side.append(await load(_shifted(make, r * per_round), per_round, concurrency, expect))
    return [_median(side) for side in runs]


def _shifted(make: Request, offset: int) -> Request:
    return lambda i: make(offset + i)


def _median(runs: list[Stats]) -> Stats:
    middle = sorted(runs, key=lambda s: s.rate)[len(runs) // 2]
    pooled = [lat for s in runs for lat in s.latencies]
    return Stats(middle.requests, middle.seconds, pooled, sum(s.errors for s in runs))


def migrate(url: str) -> None:
    """Bring the database at ``url`` up to date with the real CLI."""
    subprocess.run(
        [sys.executable, "-m", "citysvc", "migrate"],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
    )


def migrated_sqlite(name: str = "bench") -> str:
    """A fresh SQLite database in a temporary folder, migrated; its URL."""
    url = f"sqlite://{Path(tempfile.mkdtemp()) / f'{name}.sqlite3'}"
    migrate(url)
    return url


@asynccontextmanager
async def fresh_database(postgres: str | None, name: str = "bench") -> AsyncIterator[str]:
    """A migrated database's URL: a fresh SQLite file, or with ``postgres`` (a server URL such
    as ``postgres://postgres@127.0.0.1:25432/postgres``) a fresh database created on that
    server and dropped afterwards."""
    if postgres is None:
        yield migrated_sqlite(name)
        return
    import asyncpg

    db = f"citysvc_{name}_{os.getpid()}"
    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {db}")
        await admin.execute(f"CREATE DATABASE {db}")
    finally:
        await admin.close()
    url = f"{postgres.rsplit('/', 1)[0]}/{db}"
    try:
        migrate(url)
        yield url
    finally:
        admin = await asyncpg.connect(postgres)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        finally:
            await admin.close()


async def analyze(url: str) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk seed (SQLite: nothing to do)."""
    if url.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()


async def subscribe_send_url(base: str, appid: str, secret: str) -> str:
    """The sandbox's subscribe-message URL with a fresh stable access token (raw loops)."""
    body = {"grant_type": "client_credential", "appid": appid, "secret": secret}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base}/cgi-bin/stable_token", json=body) as resp,
    ):
        token = (await resp.json(content_type=None))["access_token"]
    return f"{base}/cgi-bin/message/subscribe/send?access_token={token}"


FIGURES_ENV = "BENCH_FIGURES"


def record(figure: str, value: float, unit: str, target: str = "", met: bool | None = None) -> None:
    """Append one figure as a JSON line to the file named by ``$BENCH_FIGURES`` (if set);
    ``bench/table.py`` prints them as one table with their targets (``make bench``)."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    line = {
        "bench": Path(sys.argv[0]).stem,
        "figure": figure,
        "value": round(value, 3),
        "unit": unit,
        "target": target,
        "met": met,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
