"""Authenticated case-status reads with 100,000 cases in the database.

`GET /api/v1/applications/{number}` by the case's owner, as a ratio to a bare Sanic JSON route
measured in the same run with the same client and concurrency; p99 latency printed.
One API worker, on SQLite (the embedded default) or, with ``--postgres SERVER_URL``, on a fresh
database on that PostgreSQL server (dropped afterwards). Targets: ratio at least 0.6 on SQLite,
0.4 on PostgreSQL; p99 under 10 ms.

    .venv/bin/python bench/status_query.py [--cases 100000] [--requests 5000] [--concurrency 16]
        [--postgres postgres://postgres@127.0.0.1:25432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

from bench_api import bench_settings
from common import analyze, fresh_database, interleaved, load, own_cores, record, server_process

TARGET = {"sqlite": 0.6, "postgres": 0.4}
P99_MS = 10.0


async def seed(database_url: str, cases: int, owners: int) -> list[tuple[str, str]]:
    """Write ``cases`` cases of ``owners`` citizens with three audit entries each."""
    from seed_cases import seed_cases

    return await seed_cases(bench_settings("http://127.0.0.1:9", database_url), cases, owners)


async def run(cases: int, requests: int, concurrency: int, postgres: str | None) -> None:
    async with fresh_database(postgres, "status") as url:
        await measure(url, cases, requests, concurrency)


async def measure(url: str, cases: int, requests: int, concurrency: int) -> None:
    began = time.perf_counter()
    pairs = await seed(url, cases, owners=2000)
    await analyze(url)
    database = url.split(":", 1)[0]
    print(f"seeded {cases} cases into {database} in {time.perf_counter() - began:.1f} s")
    rng = random.Random(7)
    picks = [rng.choice(pairs) for _ in range(requests)]
    pinned = own_cores()
    with (
        server_process("bare", pinned=pinned) as bare,
        server_process("api", "http://127.0.0.1:9", url, pinned=pinned) as api,
    ):

        def make(i: int) -> tuple[str, str, dict[str, object]]:
            token, number = picks[i % len(picks)]
            return (
                "GET",
                f"{api}/api/v1/applications/{number}",
                {"headers": {"Authorization": f"Bearer {token}"}},
            )

        def plain(i: int) -> tuple[str, str, dict[str, object]]:
            return "GET", f"{bare}/json", {}

        await load(plain, 500, concurrency)
        await load(make, min(500, requests), concurrency)
        base, ours = await interleaved(plain, make, requests, concurrency)
    print(f"client and servers on separate cores: {pinned}")
    print(f"concurrency {concurrency}, {requests} requests each, {cases} cases")
    print(base.line("bare Sanic JSON route (baseline)"))
    print(ours.line("GET /api/v1/applications/{number}"))
    ratio, p99, target = ours.rate / base.rate, ours.pct(0.99), TARGET[database]
    print(f"ratio status query / bare route on {database}: {ratio:.2f} (target >= {target})")
    print(json.dumps({"database": database, "ratio": round(ratio, 3), "p99_ms": round(p99, 2)}))
    record(
        f"status query / bare route, {database}", ratio, "ratio", f">= {target}", ratio >= target
    )
    record(f"status query p99, {database}", p99, "ms", f"< {P99_MS:g}", p99 < P99_MS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="a fresh database on this server")
    args = parser.parse_args()
    asyncio.run(run(args.cases, args.requests, args.concurrency, args.postgres))
