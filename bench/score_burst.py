"""Release-day burst: score queries per second by 100,000 candidates with real tokens.

Each candidate is a real-name verified citizen with a live session; each request is
`GET /api/v1/exams/{exam}/score` with that citizen's token. Printed as a ratio to a bare Sanic
JSON route measured in the same run, with p99 latency. One API worker, on SQLite (the embedded
default) or, with ``--postgres SERVER_URL``, on a fresh database on that PostgreSQL server
(dropped afterwards). Targets: ratio at least 0.7 on SQLite, 0.4 on PostgreSQL; p99 < 10 ms.

    .venv/bin/python bench/score_burst.py [--candidates N] [--requests N] [--concurrency C]
        [--postgres postgres://postgres@127.0.0.1:25432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import time
import uuid
from datetime import datetime, timedelta

from bench_api import bench_settings
from common import analyze, fresh_database, interleaved, load, own_cores, record, server_process

EXAM = "gaokao-2026"
TARGET = {"sqlite": 0.7, "postgres": 0.4}
P99_MS = 10.0


async def seed(database_url: str, candidates: int) -> list[str]:
    """Citizens, sessions and results in bulk; returns one token per candidate."""
    from core.auth.models import Session
    from core.auth.sessions import SessionService
    from core.clock import CST, SystemClock
    from core.db import close_db, init_db
    from core.exams.models import Exam, ExamResult
    from core.identity.models import Citizen
    from core.pii import PiiCipher

    settings = bench_settings("http://127.0.0.1:9", database_url)
    cipher = PiiCipher.from_env_value(settings.pii_key)
    sessions = SessionService(settings.secret_key, 86400, SystemClock())
    now = datetime.now(CST)
    await init_db(database_url)
    try:
        await Exam.create(key=EXAM, topic="gaokao", release_at=now - timedelta(minutes=1))
        name = cipher.encrypt("张三", context="exam_result.name")
        tokens: list[str] = []
        for start in range(0, candidates, 5000):
            n = min(5000, candidates - start)
            people = [
                Citizen(
                    id=uuid.uuid4(), realname_verified=True, id_number_index=secrets.token_hex(32)
                )
                for _ in range(n)
            ]
            await Citizen.bulk_create(people, batch_size=1000)
            rows = [
                Session(
                    id=secrets.token_hex(16),
                    kind="citizen",
                    subject_id=str(p.id),
                    platform="wechat",
                    created_at=now,
                    expires_at=now + timedelta(days=1),
                )
                for p in people
            ]
            await Session.bulk_create(rows, batch_size=1000)
            await ExamResult.bulk_create(
                [
                    ExamResult(
                        exam_id=EXAM,
                        candidate_number=f"26{start + i:09d}",
                        id_number_index=p.id_number_index,
                        name_enc=name,
                        name_masked="张*",
                        release_at=now - timedelta(minutes=1),
                        total="600",
                        subjects={"语文": "120", "数学": "130"},
                    )
                    for i, p in enumerate(people)
                ],
                batch_size=1000,
            )
            tokens += [sessions.sign(s) for s in rows]
        return tokens
    finally:
        await close_db()


async def run(candidates: int, requests: int, concurrency: int, postgres: str | None) -> None:
    async with fresh_database(postgres, "score") as url:
        await measure(url, candidates, requests, concurrency)


async def measure(url: str, candidates: int, requests: int, concurrency: int) -> None:
    began = time.perf_counter()
    tokens = await seed(url, candidates)
    await analyze(url)
    database = url.split(":", 1)[0]
    print(
        f"seeded {candidates} verified candidates with sessions into {database} in "
        f"{time.perf_counter() - began:.1f} s"
    )
    rng = random.Random(11)
    picks = [rng.choice(tokens) for _ in range(requests)]
    pinned = own_cores()
    with (
        server_process("bare", pinned=pinned) as bare,
        server_process("api", "http://127.0.0.1:9", url, pinned=pinned) as api,
    ):

        def make(i: int) -> tuple[str, str, dict[str, object]]:
            return (
                "GET",
                f"{api}/api/v1/exams/{EXAM}/score",
                {"headers": {"Authorization": f"Bearer {picks[i % len(picks)]}"}},
            )

        def plain(i: int) -> tuple[str, str, dict[str, object]]:
            return "GET", f"{bare}/json", {}

        await load(plain, 1000, concurrency)
        await load(make, 1000, concurrency)
        base, ours = await interleaved(plain, make, requests, concurrency)
    print(f"client and servers on separate cores: {pinned}")
    print(f"concurrency {concurrency}, {requests} requests each, {candidates} candidates")
    print(base.line("bare Sanic JSON route (baseline)"))
    print(ours.line(f"GET /api/v1/exams/{EXAM}/score"))
    ratio, p99, target = ours.rate / base.rate, ours.pct(0.99), TARGET[database]
    print(f"ratio score query / bare route on {database}: {ratio:.2f} (target >= {target})")
    print(json.dumps({"database": database, "ratio": round(ratio, 3), "p99_ms": round(p99, 2)}))
    record(f"score query / bare route, {database}", ratio, "ratio", f">= {target}", ratio >= target)
    record(f"score query p99, {database}", p99, "ms", f"< {P99_MS:g}", p99 < P99_MS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="a fresh database on this server")
    args = parser.parse_args()
    asyncio.run(run(args.candidates, args.requests, args.concurrency, args.postgres))
