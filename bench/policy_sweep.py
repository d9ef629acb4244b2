"""The benefits sweep (免申即享) over N citizens: rate and peak memory, vs a bare scan.

1. Seeds N verified citizens (raw bulk inserts: seeding is not what is measured) into a
   fresh SQLite file or, with ``--postgres SERVER_URL``, a fresh PostgreSQL database on
   that server (dropped afterwards). Each has a WeChat account, a long-term consent for the
   ``policy.eligible`` template, an encrypted ID number (``--eligible`` of them born in
   1940, the rest in 1980) and half of them the township 仙女镇. One policy: age 80 or
   more, living in 仙女镇 or 邵伯镇.
2. Baseline, in a child process: a bare keyset scan of the citizen table in the sweep's
   batch size, reading the same columns, judging nothing.
3. The sweep, in another child process (so its peak RSS is its own): the real
   ``PolicySweep`` (SQL batches narrowed by consent and earlier notices, decryption of each
   candidate's ID number, rules, one message and notice for each citizen who qualifies).
   Printed: citizens judged per second, the ratio to the bare scan, messages queued, and
   the child's peak RSS (ru_maxrss) against the worker's 300 MB bound.

    .venv/bin/python bench/policy_sweep.py [--citizens 1000000] [--eligible 0.02]
        [--postgres postgres://postgres@127.0.0.1:25432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import migrate, migrated_sqlite, record  # noqa: E402

APPID = "wxbench000000001"
PII_KEY = "cHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHA="  # base64 of 32 'p': bench only
BATCH = 2000
BOUND_MB = 300
POOL = 1000  # distinct ciphertexts, reused: decrypting is measured, encrypting 1M is not


def id_numbers(eligible: float) -> list[tuple[str, bool]]:
    from core.identity.idnumber import check_character

    found = []
    for k in range(POOL):
        old = k < POOL * eligible
        first17 = f"110105{'1940' if old else '1980'}0101{k:03d}"
        found.append((first17 + check_character(first17), old))
    return found


def seed_rows(
    n: int, eligible: float, now: Any, chunk: int = 50_000
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    from core.pii import PiiCipher

    cipher = PiiCipher.from_env_value(PII_KEY)
    pool = [
        cipher.encrypt(number, context="citizen.id_number") for number, _ in id_numbers(eligible)
    ]
    for start in range(0, n, chunk):
        ids = [uuid.UUID(int=i + 1) for i in range(start, min(n, start + chunk))]
        yield {
            "citizen": [(c, now, True, pool[c.int % POOL]) for c in ids],
            "platform_account": [("wechat", c, APPID, f"b-{c.hex[-12:]}", now, now) for c in ids],
            "notify_consent": [(c, "wechat", "wx-demo-policy", 0, 0, True, 1, 0, now) for c in ids],
            "citizen_town": [(c, "仙女镇", now) for c in ids if c.int % 2 == 0],
        }


COLUMNS = {
    "citizen": ["id", "created_at", "realname_verified", "id_number_enc"],
    "platform_account": [
        "platform", "citizen_id", "app_id", "open_id", "created_at", "last_login_at",
    ],
    "notify_consent": [
        "citizen_id", "platform", "template_id", "credits", "reserved", "long_term", "accepts",
        "rejections", "updated_at",
    ],
    "citizen_town": ["citizen_id", "town", "updated_at"],
}  # fmt: skip
POLICY = [
    {
        "code": "gaoling",
        "name": "高龄津贴",
        "item_code": "320112-000-XK-00001",
        "rules": [
            {"subject": "age", "op": "ge", "value": 80},
            {"subject": "township", "op": "in", "value": ["仙女镇", "邵伯镇"]},
        ],
    }
]


def seed_sqlite(url: str, n: int, eligible: float) -> None:
    db = sqlite3.connect(url[len("sqlite://") :])
    for rows in seed_rows(n, eligible, "2026-11-26 10:00:00+08:00"):
        for table, values in rows.items():
            cols = COLUMNS[table]
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            db.executemany(
                sql, [tuple(str(v) if isinstance(v, uuid.UUID) else v for v in r) for r in values]
            )
        db.commit()
    db.execute("ANALYZE")
    db.close()


async def seed_postgres(url: str, n: int, eligible: float) -> None:
    import asyncpg  # type: ignore[import-untyped]

    from core.clock import CST

    conn = await asyncpg.connect(url)
    for rows in seed_rows(n, eligible, datetime(2026, 11, 26, 10, tzinfo=CST)):
        for table, values in rows.items():
            await conn.copy_records_to_table(table, records=values, columns=COLUMNS[table])
    await conn.execute("ANALYZE")
    await conn.close()


async def seed_catalogue(url: str) -> None:
    from core.catalogue.importer import import_items
    from core.db import close_db, init_db
    from core.policies.importer import import_policies
    from tests.builders import item_row

    await init_db(url)
    try:
        await import_items([item_row()])
        assert (await import_policies(POLICY)).created == 1
    finally:
        await close_db()


async def child(url: str, mode: str) -> dict[str, Any]:
    """Runs in a child process: the bare scan or the sweep; figures as a dict."""
    from tortoise import connections

    from core.clock import CST, FrozenClock
    from core.db import close_db, init_db
    from core.pii import PiiCipher
    from notifications.channels import ChannelChooser
    from notifications.policy_sweep import PolicySweep
    from notifications.sql import numbered
    from notifications.templates import load_registry

    await init_db(url)
    try:
        started = time.perf_counter()
        if mode == "scan":
            conn = connections.get("default")
            postgres = conn.capabilities.dialect == "postgres"
            sql = "SELECT id, id_number_enc FROM citizen WHERE id > ? ORDER BY id LIMIT ?"
            after: Any = uuid.UUID(int=0)
            rows_seen = 0
            while True:
                params = [after if postgres else str(after), BATCH]
                rows = await conn.execute_query_dict(numbered(sql) if postgres else sql, params)
                if not rows:
                    break
                rows_seen += len(rows)
                after = uuid.UUID(str(rows[-1]["id"]))
            figures: dict[str, Any] = {"examined": rows_seen}
        else:
            chooser = ChannelChooser(load_registry(), {"wechat": APPID})
            clock = FrozenClock(datetime(2026, 11, 26, 10, tzinfo=CST))
            sweep = PolicySweep(chooser, PiiCipher.from_env_value(PII_KEY), clock, batch=BATCH)
            report = await sweep.run()
            figures = {"examined": report.examined, "messaged": report.messaged}
        figures["seconds"] = time.perf_counter() - started
        figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return figures
    finally:
        await close_db()


def run_child(url: str, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--eligible", type=float, default=0.02)
    parser.add_argument("--postgres")
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.url, args.child))))
        return
    store = "sqlite"
    if args.postgres:
        import asyncpg

        store = "postgresql"
        name = f"citysvc_bench_sweep_{os.getpid()}"
        url = f"{args.postgres.rsplit('/', 1)[0]}/{name}"

        async def create() -> None:
            admin = await asyncpg.connect(args.postgres)
            await admin.execute(f"DROP DATABASE IF EXISTS {name}")
            await admin.execute(f"CREATE DATABASE {name}")
            await admin.close()

        asyncio.run(create())
        migrate(url)
    else:
        url = migrated_sqlite("sweep")
    try:
        started = time.perf_counter()
        asyncio.run(seed_catalogue(url))
        if args.postgres:
            asyncio.run(seed_postgres(url, args.citizens, args.eligible))
        else:
            seed_sqlite(url, args.citizens, args.eligible)
        print(
            f"seeded {args.citizens:,} citizens ({store}) in {time.perf_counter() - started:.0f} s"
        )
        scan = run_child(url, "scan")
        sweep = run_child(url, "sweep")
    finally:
        if args.postgres:

            async def drop() -> None:
                admin = await asyncpg.connect(args.postgres)
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                await admin.close()

            asyncio.run(drop())
    scan_rate = scan["examined"] / scan["seconds"]
    rate = args.citizens / sweep["seconds"]  # the population covered, not only the judged
    print(f"bare scan         {scan_rate:10,.0f} citizens/s   ({scan['seconds']:.1f} s)")
    print(
        f"sweep             {rate:10,.0f} citizens/s   ({sweep['seconds']:.1f} s, "
        f"{sweep['examined']:,} judged after SQL, {sweep['messaged']:,} messages queued)"
    )
    print(f"ratio sweep/scan  {rate / scan_rate:10.2f}")
    print(f"sweep peak RSS    {sweep['peak_mb']:10.0f} MB   (bound {BOUND_MB} MB)")
    record(f"policy sweep / bare scan, {store}", rate / scan_rate, "ratio", "")
    peak = sweep["peak_mb"]
    record(f"policy sweep peak RSS, {store}", peak, "MB", f"< {BOUND_MB}", peak < BOUND_MB)


if __name__ == "__main__":
    main()
