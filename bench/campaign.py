"""A campaign to N citizens against the WeChat sandbox, with milestones measured meanwhile.

1. Seeds N citizens, each with a WeChat account, a gaokao subscription and one one-time
   consent credit for the topic template, as the shipped templates are one-time (so each
   message reserves and spends a credit, as real campaigns do); raw bulk inserts: seeding
   is not what is measured. Into a fresh SQLite file or, with ``--postgres SERVER_URL``, a
   fresh PostgreSQL database on that server (dropped afterwards).
2. Baseline: a raw aiohttp loop sends the same subscribe-message requests to the same
   sandbox process (``--baseline`` of them) on the worker's terms: the same event loop
   (uvloop: this whole script runs on it), the same client session
   (``integrations.http.new_session``) and the campaign lane's concurrency (32). It runs
   once before the campaign and once after it; the ratio is against the mean of the two
   (the campaign is one long run, so rounds cannot alternate within it).
3. Idle milestones: a real `citysvc worker` with nothing else to do delivers 50 milestone
   messages queued every 0.2 s (time from queueing to the sandbox's receipt: p50/p99).
4. A real `citysvc worker` process runs the approved campaign: fixing the audience,
   queueing in batches, dispatching on the campaign lane. Meanwhile this process queues a
   milestone message every 0.2 s; the sandbox stamps its arrival (time from queueing to
   receipt: p50/p99). Printed: campaign throughput and its ratio to the raw loop, both
   from the first message the sandbox received to the last (``from first send``, what the
   README shows) and from the worker's start (``end to end``: start, fixing the audience
   of N and queueing included), the worker's peak RSS (VmHWM, i.e. ru_maxrss) and its
   CPU-seconds per 1,000 messages beside the raw loop's (this process's CPU while it ran).

In 3 and 4 milestones are queued from the moment the worker logs that its jobs run (the
time from its launch to then, Python's start-up and imports, is printed apart), so the
first ones measure the worker's first minute; each line lists the first milestones and how
long queueing the row took (this process writes as the API does: on SQLite it waits for
the worker's write lock). Targets: ratio >= 0.5, peak < 150 MB, milestone p99 < 100 ms.

    .venv/bin/python bench/campaign.py [--citizens 1000000] [--baseline 50000] [--rate 20000]
        [--postgres postgres://postgres@127.0.0.1:25432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import uvloop
from common import Stats, load, migrate, record, subscribe_send_url, worker_client

APPID, SECRET = "wxbench000000001", "bench-secret"
TOPIC_TEMPLATE = "wx-demo-topic"
TOPIC_KEYS = ["thing1", "thing2", "time3"]
CASE_TEMPLATE = "wx-demo-case-progress"
CASE_KEYS = ["character_string1", "thing2", "phrase3", "time4", "thing5"]
CONCURRENCY = 32  # NOTIFY_CONCURRENCY 64: the campaign lane gets half
RATIO_TARGET, PEAK_MB_TARGET, MILESTONE_P99_MS = 0.5, 150, 100
NOW = "2026-11-26 10:00:00+08:00"


def serve_sandbox() -> None:
    """`campaign.py --sandbox`: a WeChat sandbox that knows every bench openid and keeps
    counts instead of every message (a million records would measure the sandbox)."""
    import signal

    from aiohttp import web

    from integrations.wechat.sandbox import WeChatSandbox

    class Everyone:
        def __contains__(self, openid: object) -> bool:
            return str(openid).startswith("bench-")

    class Always:
        def spend(self, openid: str, template_id: str) -> bool:
            return True

    class Tally(list[Any]):
        def __init__(self) -> None:
            super().__init__()
            self.total = 0
            self.milestones: dict[str, float] = {}

        def append(self, record: Any) -> None:
            self.total += 1
            value = record["data"].get("character_string1", {}).get("value", "")
            if value.startswith("M"):
                self.milestones[value] = time.time()

    class BenchSandbox(WeChatSandbox):
        def _users_of(self, appid: str) -> Any:
            return Everyone()

        def routes(self, app: web.Application) -> None:
            super().routes(app)
            app.router.add_get("/bench/stats", self._stats)

        async def _stats(self, request: web.Request) -> web.Response:
            tally: Tally = self.sent  # type: ignore[assignment]
            return web.json_response({"sent": tally.total, "milestones": tally.milestones})

    async def main() -> None:
        sandbox = BenchSandbox(login_limit=10**9)
        sandbox.sent = Tally()
        sandbox.consent = Always()  # type: ignore[assignment]
        async with sandbox:
            sandbox.add_app(APPID, SECRET)
            sandbox.add_template(TOPIC_TEMPLATE, TOPIC_KEYS)
            sandbox.add_template(CASE_TEMPLATE, CASE_KEYS)
            print(f"READY {sandbox.base_url}", flush=True)
            stop = asyncio.Event()
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
            await stop.wait()

    asyncio.run(main())


@contextmanager
def process(
    args: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    out = open(log, "w") if log else subprocess.PIPE  # noqa: SIM115
    proc = subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT if log else None, text=True, env=env
    )
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def seed_rows(n: int, now: Any, chunk: int = 50_000) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """N citizens with an account, a subscription and one one-time credit, chunk by chunk:
    rows per table, in the column order of ``SEED_COLUMNS``."""
    for start in range(0, n, chunk):
        ids = [uuid.UUID(int=i + 1) for i in range(start, min(n, start + chunk))]
        yield {
            "citizen": [(c, now, False) for c in ids],
            "platform_account": [(c, APPID, f"bench-{c.hex[-12:]}", now, now) for c in ids],
            "topic_subscription": [(c, "gaokao", now) for c in ids],
            "notify_consent": [(c, TOPIC_TEMPLATE, 1, 0, False, 1, 0, now) for c in ids],
        }


SEED_COLUMNS = {
    "citizen": ["id", "created_at", "realname_verified"],
    "platform_account": ["citizen_id", "app_id", "open_id", "created_at", "last_login_at"],
    "topic_subscription": ["citizen_id", "topic_key", "created_at"],
    "notify_consent": [
        "citizen_id", "template_id", "credits", "reserved", "long_term", "accepts",
        "rejections", "updated_at",
    ],
}  # fmt: skip
CONSTANTS = {"platform_account": {"platform": "wechat"}, "notify_consent": {"platform": "wechat"}}
MILESTONE_COLUMNS = [
    "key", "lane", "citizen_id", "event", "channel", "recipient", "template_id", "page",
    "data", "context", "consent", "status", "attempts", "next_attempt_at", "last_error",
    "created_at",
]  # fmt: skip


def milestone_row(k: int, now: Any) -> tuple[Any, ...]:
    data = {
        "character_string1": f"M{k}",
        "thing2": "居民身份证换领",
        "phrase3": "已受理",
        "time4": "2026年11月26日 10:00",
        "thing5": "请留意",
    }
    return (
        f"bench-milestone:{k}", "milestone", uuid.uuid4(), "application.accepted", "wechat",
        "bench-000000000001", CASE_TEMPLATE, "pages/case/detail",
        json.dumps(data, ensure_ascii=False), "{}", "long_term", "queued", 0,
        int(time.time() * 1000), "", now,
    )  # fmt: skip


def insert_sql(table: str, columns: list[str], marks: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)})"


class SqliteStore:
    """The bench's own writes to a SQLite file: bulk seeding and milestone rows."""

    def __init__(self, path: Path) -> None:
        self.url = f"sqlite://{path}"
        self.path = path
        self.db: sqlite3.Connection | None = None

    async def seed(self, n: int) -> None:
        await asyncio.to_thread(self._seed, n)

    def _seed(self, n: int) -> None:
        db = sqlite3.connect(self.path)
        db.execute("PRAGMA journal_mode=WAL")
        for rows in seed_rows(n, NOW):
            for table, values in rows.items():
                fixed = CONSTANTS.get(table, {})
                columns = [*SEED_COLUMNS[table], *fixed]
                db.executemany(
                    insert_sql(table, columns, ["?"] * len(columns)),
                    [(*map(_sqlite, row), *fixed.values()) for row in values],
                )
            db.commit()
        db.close()

    async def queue_milestone(self, k: int) -> None:
        await asyncio.to_thread(self._queue_milestone, k)

    def _queue_milestone(self, k: int) -> None:
        if self.db is None:
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        marks = ["?"] * len(MILESTONE_COLUMNS)
        row = tuple(map(_sqlite, milestone_row(k, NOW)))
        self.db.execute(insert_sql("notify_outbox", MILESTONE_COLUMNS, marks), row)
        self.db.commit()

    async def close(self) -> None:
        if self.db is not None:
            self.db.close()


def _sqlite(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


class PostgresStore:
    """The same on a fresh PostgreSQL database, created on ``server`` and dropped at close."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.name = f"citysvc_bench_{os.getpid()}"
        self.url = f"{server.rsplit('/', 1)[0]}/{self.name}"
        self.conn: Any = None

    async def create(self) -> None:
        admin = await asyncpg.connect(self.server)
        await admin.execute(f"DROP DATABASE IF EXISTS {self.name}")
        await admin.execute(f"CREATE DATABASE {self.name}")
        await admin.close()

    async def seed(self, n: int) -> None:
        from core.clock import CST

        now = datetime(2026, 11, 26, 10, tzinfo=CST)
        self.conn = await asyncpg.connect(self.url)
        for rows in seed_rows(n, now):
            for table, values in rows.items():
                fixed = CONSTANTS.get(table, {})
                await self.conn.copy_records_to_table(
                    table,
                    records=[(*row, *fixed.values()) for row in values],
                    columns=[*SEED_COLUMNS[table], *fixed],
                )
        await self.conn.execute("ANALYZE")

    async def queue_milestone(self, k: int) -> None:
        from core.clock import CST

        marks = [f"${i + 1}" for i in range(len(MILESTONE_COLUMNS))]
        await self.conn.execute(
            insert_sql("notify_outbox", MILESTONE_COLUMNS, marks),
            *milestone_row(k, datetime.now(CST)),
        )

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
        admin = await asyncpg.connect(self.server)
        await admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        await admin.close()


Store = SqliteStore | PostgresStore


def campaign_payload(i: int) -> dict[str, object]:
    data = {
        "thing1": "高考成绩查询已开通",
        "thing2": "点击进入查询",
        "time3": "2026年11月26日 10:00",
    }
    return {
        "touser": f"bench-{uuid.UUID(int=i + 1).hex[-12:]}",
        "template_id": TOPIC_TEMPLATE,
        "page": "pages/topics/index?topic=gaokao",
        "data": {k: {"value": v} for k, v in data.items()},
        "miniprogram_state": "formal",
        "lang": "zh_CN",
    }


async def raw_loop(base: str, n: int) -> tuple[Stats, float]:
    """The raw loop's figures and this process's CPU-seconds while it ran."""
    url = await subscribe_send_url(base, APPID, SECRET)
    cpu = time.process_time()
    got = await load(
        lambda i: ("POST", url, {"json": campaign_payload(i)}), n, CONCURRENCY, client=worker_client
    )
    return got, time.process_time() - cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU-seconds the process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def add_campaign(url: str, rate: int) -> None:
    """An approved campaign, due now, without quiet hours (the bench runs at any hour)."""
    from datetime import datetime, timedelta

    from core.campaigns.models import SCHEDULED, Campaign
    from core.clock import CST
    from core.db import close_db, init_db

    await init_db(url)
    now = datetime.now(CST)
    await Campaign.create(
        name="bench",
        topic="gaokao",
        title="高考成绩查询已开通",
        summary="点击进入查询",
        send_at=now - timedelta(minutes=1),
        quiet_start="00:00",
        quiet_end="00:00",
        rate_per_second=rate,
        status=SCHEDULED,
        author_id=1,
        approver_id=2,
        created_at=now,
        updated_at=now,
    )
    await close_db()


async def stats(http: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    async with http.get(f"{base}/bench/stats") as resp:
        found: dict[str, Any] = await resp.json()
        return found


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set, what ru_maxrss reports for it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


READY_LINE = "worker started with"
MILESTONE_NUMBERS = itertools.count(1)  # unique across runs: the outbox key and the tag


def worker_env(base: str, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + "k" * 40,
        "PII_KEY": base64.b64encode(b"b" * 32).decode(),
        "WECHAT_MINIAPP_APPID": APPID,
        "WECHAT_MINIAPP_SECRET": SECRET,
        "WECHAT_API_BASE": base,
        "NOTIFY_WECHAT_RATE": "1000000",
        "NOTIFY_CONCURRENCY": str(2 * CONCURRENCY),
    }


async def run_worker(
    base: str, store: Store, log: Path, done: Callable[[int, int], bool], split: bool = False
) -> dict[str, Any]:
    """Run a `citysvc worker`, queueing a milestone every 0.2 s, until
    ``done(campaign messages sent, milestones queued)``; the figures of the run."""
    sent_at: dict[str, float] = {}
    inserts: list[float] = []  # how long queueing each milestone row took (a writer's wait)
    began = time.time()
    first = None
    async with aiohttp.ClientSession() as http:
        before = await stats(http, base)  # the raw loop's requests, earlier milestones
        argv = [sys.executable, "-m", "citysvc", "worker"]
        if os.environ.get("BENCH_PROFILE"):  # the worker's cProfile statistics, to that file
            argv[1:1] = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
        # --split-lanes: a second worker sends the milestone lane, the first the campaign's
        logs = {log: "milestone,campaign"}
        if split:
            logs = {log: "campaign", log.with_suffix(".milestone.log"): "milestone"}
        with ExitStack() as running:
            workers = [
                running.enter_context(
                    process(argv, {**worker_env(base, store.url), "NOTIFY_LANES": lanes}, path)
                )
                for path, lanes in logs.items()
            ]
            worker = workers[0]
            # each worker logs READY_LINE once its jobs run: milestones are queued from then
            # on, so the first ones measure the worker's first minute, not Python's start-up
            for path, proc in zip(logs, workers, strict=True):
                while READY_LINE not in path.read_text() and proc.poll() is None:
                    await asyncio.sleep(0.01)
            ready = time.time()
            while True:
                await asyncio.sleep(0.2)
                k = next(MILESTONE_NUMBERS)
                sent_at[f"M{k}"] = time.time()
                await store.queue_milestone(k)
                inserts.append(time.time() - sent_at[f"M{k}"])
                got = await stats(http, base)
                campaign_sent = got["sent"] - before["sent"] - len(got["milestones"])
                campaign_sent += len(before["milestones"])
                if first is None and campaign_sent:
                    first = time.time()
                if done(campaign_sent, len(sent_at)) or worker.poll() is not None:
                    break
            ended = time.time()
            peak = max(peak_rss_mb(w.pid) for w in workers)
            cpu = sum(cpu_seconds(w.pid) for w in workers)
            await asyncio.sleep(2)  # the last milestones arrive
            got = await stats(http, base)
    arrived = {m: t for m, t in got["milestones"].items() if m not in before["milestones"]}
    in_order = [(t - ready, arrived[m] - t) for m, t in sent_at.items() if m in arrived]
    lat = sorted(late for _, late in in_order)
    return {
        "sent": campaign_sent,
        "seconds": ended - began,
        "sending_seconds": ended - (first or began),
        "peak_mb": peak,
        "boot_seconds": ready - began,
        "cpu_seconds": cpu,
        "latencies": lat,
        "first": in_order[:8],
        "inserts": sorted(inserts),
        "milestones": len(sent_at),
    }


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


async def main(n: int, baseline: int, rate: int, postgres: str | None, split: bool) -> None:
    work = Path(tempfile.mkdtemp())
    store: Store = PostgresStore(postgres) if postgres else SqliteStore(work / "campaign.sqlite3")
    if isinstance(store, PostgresStore):
        await store.create()
    try:
        await measure(store, work, n, baseline, rate, split)
    finally:
        await store.close()


async def measure(store: Store, work: Path, n: int, baseline: int, rate: int, split: bool) -> None:
    migrate(store.url)
    started = time.time()
    await store.seed(n)
    print(f"seeded {n} citizens into {store.url.split(':')[0]} in {time.time() - started:.0f} s")
    with process([sys.executable, str(Path(__file__)), "--sandbox"]) as sandbox:
        assert sandbox.stdout is not None
        base = sandbox.stdout.readline().split(" ", 1)[1].strip()
        await raw_loop(base, 500)  # warm-up
        before, before_cpu = await raw_loop(base, baseline)
        print(before.line(f"raw loop before ({baseline} requests, c={CONCURRENCY}, uvloop)"))
        idle = await run_worker(base, store, work / "idle.log", lambda _, k: k >= 50, split)
        print(latency_line("milestone latency, worker idle", idle))
        print(first_line(idle))
        await add_campaign(store.url, rate)
        got = await run_worker(base, store, work / "worker.log", lambda s, _: s >= n, split)
        after, after_cpu = await raw_loop(base, baseline)
        print(after.line(f"raw loop after ({baseline} requests, c={CONCURRENCY}, uvloop)"))
    raw = (before.rate + after.rate) / 2
    ours = got["sent"] / got["sending_seconds"]
    whole = got["sent"] / got["seconds"]
    print(
        f"campaign: {got['sent']} of {n} sent in {got['seconds']:.1f} s from worker start "
        f"({whole:.0f} msg/s incl. start and audience fixing), {ours:.0f} msg/s from the first "
        f"send; rate cap {rate}/s"
    )
    print(
        f"ratio campaign / raw loop (mean of before and after, {raw:.0f} msg/s): "
        f"{ours / raw:.2f} from first send, {whole / raw:.2f} end to end"
    )
    raw_cpu = (before_cpu + after_cpu) / (2 * baseline) * 1000
    our_cpu = got["cpu_seconds"] / max(got["sent"], 1) * 1000
    print(
        f"CPU-seconds per 1,000 messages: worker {our_cpu:.2f} (its whole run), "
        f"raw loop {raw_cpu:.2f}"
    )
    print(
        f"worker peak RSS (VmHWM = ru_maxrss): {got['peak_mb']:.0f} MB "
        f"(target < {PEAK_MB_TARGET} MB)"
    )
    print(latency_line("milestone latency while running", got))
    print(first_line(got))
    print(f"worker log: {work / 'worker.log'}")
    db = store.url.split(":")[0] + (", lanes split" if split else "")
    ratio = ours / raw
    record(
        f"campaign / raw loop, {db}", ratio, "ratio", f">= {RATIO_TARGET}", ratio >= RATIO_TARGET
    )
    record(f"campaign CPU-s per 1,000 msgs, {db}", our_cpu, "s", f"raw loop {raw_cpu:.2f}")
    peak_mb = got["peak_mb"]
    record(
        f"campaign peak RSS, {db}", peak_mb, "MB", f"< {PEAK_MB_TARGET}", peak_mb < PEAK_MB_TARGET
    )
    worst = max(pct(idle["latencies"], 0.99), pct(got["latencies"], 0.99))
    record(
        f"milestone p99 (worker start, campaign), {db}",
        worst,
        "ms",
        f"< {MILESTONE_P99_MS}",
        worst < MILESTONE_P99_MS,
    )


def first_line(got: dict[str, Any]) -> str:
    """The first milestones after the worker is up: queued at +s, received after ms."""
    firsts = ", ".join(f"+{at:.1f} s: {late * 1000:.0f} ms" for at, late in got["first"])
    ins = got["inserts"]
    return (
        f"  worker up {got['boot_seconds']:.2f} s after its launch (Python, imports, database); "
        f"first milestones after that: {firsts}; queueing a milestone row (another process, "
        f"as the API) took p50 {pct(ins, 0.5):.0f} ms, p99 {pct(ins, 0.99):.0f} ms of that"
    )


def latency_line(label: str, got: dict[str, Any]) -> str:
    lat = got["latencies"]
    return (
        f"{label}: {len(lat)} of {got['milestones']} received, "
        f"p50 {pct(lat, 0.5):.0f} ms, p99 {pct(lat, 0.99):.0f} ms, "
        f"max {max(lat, default=0) * 1000:.0f} ms; mean {statistics.fmean(lat or [0]) * 1000:.0f}"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--sandbox"]:
        serve_sandbox()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=20_000, help="the campaign's rate_per_second")
    parser.add_argument(
        "--postgres", metavar="SERVER_URL", help="run on a fresh database on this PostgreSQL server"
    )
    parser.add_argument(
        "--split-lanes",
        action="store_true",
        help="two workers: NOTIFY_LANES=campaign and NOTIFY_LANES=milestone (CPU summed)",
    )
    args = parser.parse_args()
    n, baseline = args.citizens, min(args.baseline, args.citizens)
    # the loop `citysvc worker` runs on, so the raw loop is measured on the same one
    uvloop.run(main(n, baseline, args.rate, args.postgres, args.split_lanes))
