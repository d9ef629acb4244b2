"""The public figures over 1,000,000 cases on PostgreSQL: each query must answer in < 1 s.

1. Creates a fresh database on ``--postgres SERVER_URL`` (dropped afterwards), migrates it
   with the project's migrations and bulk-loads (COPY; loading is not what is measured)
   N cases over two years in every state, 20 departments and 500 items, the finished ones
   with their ``case_finish`` row, ratings for half of the rateable ones (some default,
   some voided), 200,000 citizens (60 % real-name verified) and 50,000 complaints; then
   computes the running totals the figures read from them (``core.totals.tally.rebuild``,
   as the migration does for an existing database).
2. Baseline: a bare ``SELECT COUNT(*)`` of the cases filed in the same range (the least
   any answer over those cases costs).
3. ``core.feedback.figures.figures`` as the API runs it, for a whole year, one month, one
   department over the year and one item over the year: median of 5 runs each, and its
   ratio to the baseline of the same range.

    .venv/bin/python bench/figures.py --postgres postgres://postgres@127.0.0.1:25432/postgres
        [--cases 1000000] [--keep NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import CST  # noqa: E402

BATCH = 50_000
DAYS = 730
FIRST_DAY = date(2025, 1, 1)
TODAY = FIRST_DAY + timedelta(days=DAYS + 5)
STATES = [  # (state, weight): most cases end finished
    ("submitted", 2),
    ("accepted", 2),
    ("under_review", 3),
    ("supplement_requested", 1),
    ("suspended", 1),
    ("withdrawn", 1),
    ("refused", 5),
    ("approved", 10),
    ("denied", 3),
    ("result_mailed", 15),
    ("delivered", 40),
    ("collected", 17),
]
FINISHED = {"approved", "denied", "refused", "result_mailed", "delivered", "collected"}
RATEABLE = FINISHED - {"approved"}
ACCEPTED = FINISHED - {"refused"} | {"accepted", "under_review", "supplement_requested"}
CASE_COLUMNS = [
    "number", "citizen_id", "item_code", "item_version_id", "department_code", "status",
    "form", "materials", "delivery_method", "promised_days", "legal_days", "accepted_on",
    "paused_workdays", "extended_days", "due_date", "due_provisional", "version",
    "created_at", "updated_at",
]  # fmt: skip
FINISH_COLUMNS = [
    "application_id", "status", "item_code", "item_name", "department_code",
    "department_name", "finished_at", "finished_on", "working_days", "filed_at",
    "delivery_method", "due_date",
]  # fmt: skip
RATING_COLUMNS = [
    "application_id", "department_code", "item_code", "level", "comment", "is_default",
    "voided", "created_at", "filed_at",
]  # fmt: skip
FEEDBACK_COLUMNS = [
    "citizen_id", "kind", "content", "item_code", "department_code", "status", "due_date",
    "due_provisional", "created_at",
]  # fmt: skip


def _item(rng: random.Random) -> tuple[str, str]:
    n = min(499, int(rng.paretovariate(1.2)) - 1)  # a few items take most cases
    return f"ITEM-{n:03d}", f"D{n % 20:02d}"


def _rows(
    start: int, count: int, citizens: list[uuid.UUID], rng: random.Random
) -> dict[str, list[tuple[Any, ...]]]:  # noqa: E501
    states, weights = zip(*STATES, strict=True)
    cases, finishes, ratings = [], [], []
    for i in range(start, start + count):
        case_id = i + 1  # a fresh table: ids are handed out in insert order
        status = rng.choices(states, weights)[0]
        filed = datetime.combine(
            FIRST_DAY + timedelta(days=i * DAYS // 1_000_000 % DAYS), datetime.min.time(), CST
        ) + timedelta(minutes=rng.randrange(8 * 60, 18 * 60))
        item, department = _item(rng)
        accepted = filed.date() + timedelta(days=1) if status in ACCEPTED else None
        due = accepted + timedelta(days=rng.randrange(5, 21)) if accepted else None
        method = "ems" if rng.random() < 0.6 else "pickup"
        cases.append(
            (f"N{i:09d}", rng.choice(citizens), item, 1, department, status, "{}", "[]",
             method, 10, 20, accepted, 0, 0, due, False, 1, filed, filed)
        )  # fmt: skip
        if status in FINISHED:
            on = (accepted or filed.date()) + timedelta(days=rng.randrange(0, 25))
            first = "approved" if status in ("result_mailed", "delivered", "collected") else status
            at = datetime.combine(on, datetime.min.time(), CST) + timedelta(hours=15)
            days = rng.randrange(1, 18) if accepted else None
            finishes.append(
                (
                    case_id,
                    first,
                    item,
                    item,
                    department,
                    department,
                    at,
                    on,
                    days,
                    filed,
                    method,
                    due,
                )
            )
            if status in RATEABLE and rng.random() < 0.5:
                level = rng.choices([1, 2, 3, 4, 5], [3, 4, 10, 30, 53])[0]
                ratings.append(
                    (case_id, department, item, level, "", rng.random() < 0.2,
                     level <= 2 and rng.random() < 0.1, at, filed)
                )  # fmt: skip
    return {"application": cases, "case_finish": finishes, "rating": ratings}


async def seed(url: str, n: int) -> None:
    conn = await asyncpg.connect(url)
    rng = random.Random(17)
    try:
        citizens = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(200_000)]
        await conn.copy_records_to_table(
            "citizen",
            records=[(c, rng.random() < 0.6, datetime.now(CST)) for c in citizens],
            columns=["id", "realname_verified", "created_at"],
        )
        columns = {
            "application": CASE_COLUMNS,
            "case_finish": FINISH_COLUMNS,
            "rating": RATING_COLUMNS,
        }
        for start in range(0, n, BATCH):
            for table, rows in _rows(start, min(BATCH, n - start), citizens, rng).items():
                await conn.copy_records_to_table(table, records=rows, columns=columns[table])
            print(f"  loaded {min(start + BATCH, n):,} cases", end="\r", flush=True)
        complaints = []
        for _ in range(50_000):
            item, department = _item(rng)
            at = datetime.combine(
                FIRST_DAY + timedelta(days=rng.randrange(DAYS)), datetime.min.time(), CST
            )
            complaints.append(
                (
                    rng.choice(citizens),
                    "complaint",
                    "x",
                    item,
                    department,
                    "open",
                    at.date(),
                    False,
                    at,
                )
            )
        await conn.copy_records_to_table("feedback", records=complaints, columns=FEEDBACK_COLUMNS)
        await conn.execute("VACUUM ANALYZE")  # as autovacuum leaves a settled database
    finally:
        await conn.close()
    print()


async def analyze(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def _median(run: Callable[[], Awaitable[Any]], times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        await run()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


async def measure() -> list[tuple[str, float, float]]:
    from tortoise import connections

    from core.feedback.figures import figures

    async def count(start: date, end: date) -> Any:
        lo = datetime.combine(start, datetime.min.time(), CST)
        hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), CST)
        return await connections.get("default").execute_query_dict(
            "SELECT COUNT(*) FROM application WHERE created_at >= $1 AND created_at < $2", [lo, hi]
        )

    year = (date(2025, 1, 1), date(2025, 12, 31))
    month = (date(2025, 6, 1), date(2025, 6, 30))
    cases: list[tuple[str, tuple[date, date], dict[str, str]]] = [
        ("one year, all", year, {}),
        ("one month, all", month, {}),
        ("one year, department D01", year, {"department": "D01"}),
        ("one year, item ITEM-003", year, {"item": "ITEM-003"}),
        ("two years, all", (FIRST_DAY, TODAY), {}),
    ]
    results = []
    for label, (start, end), scope in cases:
        await figures(start, end, TODAY, **scope)  # warm the cache once, as a live server has
        took = await _median(lambda s=start, e=end, k=scope: figures(s, e, TODAY, **k))
        base = await _median(lambda s=start, e=end: count(s, e))
        results.append((label, took, base))
    return results


async def main(server: str, n: int, keep: str | None) -> None:
    from core.db import close_db, init_db, migrate
    from core.totals.tally import rebuild

    name = keep or f"citysvc_bench_figures_{os.getpid()}"
    url = f"{server.rsplit('/', 1)[0]}/{name}"
    admin = await asyncpg.connect(server)
    exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    if not exists:
        await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    try:
        if not exists:
            await migrate(url)
            started = time.perf_counter()
            await seed(url, n)
            print(f"seeded {n:,} cases in {time.perf_counter() - started:.0f} s")
        await init_db(url)
        try:
            if not exists:  # bulk-loaded rows: the running totals computed once from them
                started = time.perf_counter()
                await rebuild()
                await analyze(url)
                print(f"running totals rebuilt in {time.perf_counter() - started:.0f} s")
            results = await measure()
        finally:
            await close_db()
    finally:
        if keep is None:
            admin = await asyncpg.connect(server)
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.close()
    print(f"\nfigures over {n:,} cases (median of 5; baseline = COUNT(*) of the same cases)")
    for label, took, base in results:
        verdict = "ok" if took < 1.0 else "OVER 1 s"
        print(
            f"{label:<28} {took * 1000:7.0f} ms   baseline {base * 1000:6.0f} ms   "
            f"ratio {took / base:5.1f}x   {verdict}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="SERVER_URL", required=True)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", metavar="NAME", help="seed database NAME once and keep it for later runs"
    )
    args = parser.parse_args()
    asyncio.run(main(args.postgres, args.cases, args.keep))
