"""A campaign to N citizens against the WeChat sandbox, with milestones measured meanwhile.

1. Seeds N citizens, each with a WeChat account, a gaokao subscription and a long-term
   consent for the topic template (raw SQLite inserts: seeding is not what is measured).
2. Baseline: a raw aiohttp loop sends the same subscribe-message requests to the same
   sandbox process (``--baseline`` of them, at the dispatcher's campaign concurrency).
3. A real `citysvc worker` process runs the approved campaign: fixing the audience,
   queueing in batches, dispatching on the campaign lane. Meanwhile this process queues a
   milestone message every 0.2 s; the sandbox stamps its arrival (time from queueing to
   receipt: p50/p99). Printed: campaign throughput (first queued to last recorded as sent),
   its ratio to the raw loop, and the worker's peak RSS (VmHWM, i.e. ru_maxrss).

    .venv/bin/python bench/campaign.py [--citizens 1000000] [--baseline 50000] [--rate 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
from common import Stats, load, migrate, subscribe_send_url

APPID, SECRET = "wxbench000000001", "bench-secret"
TOPIC_TEMPLATE = "wx-demo-topic"
TOPIC_KEYS = ["thing1", "thing2", "time3"]
CASE_TEMPLATE = "wx-demo-case-progress"
CASE_KEYS = ["character_string1", "thing2", "phrase3", "time4", "thing5"]
CONCURRENCY = 32  # NOTIFY_CONCURRENCY 64: the campaign lane gets half
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
            self.count = 0
            self.milestones: dict[str, float] = {}

        def append(self, record: Any) -> None:
            self.count += 1
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
            return web.json_response({"sent": tally.count, "milestones": tally.milestones})

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


def seed(path: Path, n: int) -> None:
    """N citizens with an account, a subscription and a long-term consent, in bulk."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    chunk = 50_000
    for start in range(0, n, chunk):
        ids = [str(uuid.UUID(int=i + 1)) for i in range(start, min(n, start + chunk))]
        db.executemany(
            "INSERT INTO citizen (id, created_at, realname_verified) VALUES (?, ?, 0)",
            [(c, NOW) for c in ids],
        )
        db.executemany(
            "INSERT INTO platform_account (citizen_id, platform, app_id, open_id, created_at, "
            "last_login_at) VALUES (?, 'wechat', ?, ?, ?, ?)",
            [(c, APPID, f"bench-{c[-12:]}", NOW, NOW) for c in ids],
        )
        db.executemany(
            "INSERT INTO topic_subscription (citizen_id, topic_key, created_at) "
            "VALUES (?, 'gaokao', ?)",
            [(c, NOW) for c in ids],
        )
        db.executemany(
            "INSERT INTO notify_consent (citizen_id, platform, template_id, credits, reserved, "
            "long_term, accepts, rejections, updated_at) VALUES (?, 'wechat', ?, 0, 0, 1, 1, 0, ?)",
            [(c, TOPIC_TEMPLATE, NOW) for c in ids],
        )
        db.commit()
    db.close()


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


async def raw_loop(base: str, n: int) -> Stats:
    url = await subscribe_send_url(base, APPID, SECRET)
    return await load(lambda i: ("POST", url, {"json": campaign_payload(i)}), n, CONCURRENCY)


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


def queue_milestone(db: sqlite3.Connection, k: int) -> None:
    import json

    data = {
        "character_string1": f"M{k}",
        "thing2": "居民身份证换领",
        "phrase3": "已受理",
        "time4": "2026年11月26日 10:00",
        "thing5": "请留意",
    }
    db.execute(
        "INSERT INTO notify_outbox (key, lane, citizen_id, event, channel, recipient, "
        "template_id, page, data, context, consent, status, attempts, next_attempt_at, "
        "last_error, created_at) VALUES (?, 'milestone', ?, 'application.accepted', 'wechat', "
        "?, ?, 'pages/case/detail', ?, '{}', 'long_term', 'queued', 0, ?, '', ?)",
        [
            f"bench-milestone:{k}",
            str(uuid.uuid4()),
            "bench-000000000001",
            CASE_TEMPLATE,
            json.dumps(data, ensure_ascii=False),
            int(time.time() * 1000),
            NOW,
        ],
    )
    db.commit()


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


async def run_campaign(base: str, url: str, path: Path, n: int, log: Path) -> dict[str, Any]:
    env = {
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
    sent_at: dict[str, float] = {}
    db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    began = time.time()
    first = None
    async with aiohttp.ClientSession() as http:
        before = (await stats(http, base))["sent"]  # the raw loop's requests
        with process([sys.executable, "-m", "citysvc", "worker"], env, log) as worker:
            k = 0
            while True:
                await asyncio.sleep(0.2)
                k += 1
                sent_at[f"M{k}"] = time.time()
                await asyncio.to_thread(queue_milestone, db, k)
                got = await stats(http, base)
                campaign_sent = got["sent"] - before - len(got["milestones"])
                if first is None and campaign_sent:
                    first = time.time()
                if campaign_sent >= n or worker.poll() is not None:
                    break
            ended = time.time()
            peak = peak_rss_mb(worker.pid)
            await asyncio.sleep(2)  # the last milestones arrive
            got = await stats(http, base)
    db.close()
    lat = sorted(got["milestones"][m] - t for m, t in sent_at.items() if m in got["milestones"])
    return {
        "sent": campaign_sent,
        "seconds": ended - began,
        "sending_seconds": ended - (first or began),
        "peak_mb": peak,
        "latencies": lat,
        "milestones": len(sent_at),
    }


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


async def main(n: int, baseline: int, rate: int) -> None:
    work = Path(tempfile.mkdtemp())
    path = work / "campaign.sqlite3"
    url = f"sqlite://{path}"
    migrate(url)
    started = time.time()
    seed(path, n)
    print(f"seeded {n} citizens in {time.time() - started:.0f} s")
    await add_campaign(url, rate)
    with process([sys.executable, str(Path(__file__)), "--sandbox"]) as sandbox:
        assert sandbox.stdout is not None
        base = sandbox.stdout.readline().split(" ", 1)[1].strip()
        await raw_loop(base, 500)  # warm-up
        raw = await raw_loop(base, baseline)
        print(raw.line(f"raw aiohttp loop ({baseline} requests, c={CONCURRENCY})"))
        got = await run_campaign(base, url, path, n, work / "worker.log")
    ours = got["sent"] / got["sending_seconds"]
    whole = got["sent"] / got["seconds"]
    print(
        f"campaign: {got['sent']} of {n} sent in {got['seconds']:.1f} s from worker start "
        f"({whole:.0f} msg/s incl. start and audience fixing), {ours:.0f} msg/s from the first "
        f"send; rate cap {rate}/s"
    )
    print(
        f"ratio campaign / raw loop: {ours / raw.rate:.2f} (from first send), "
        f"{whole / raw.rate:.2f} (end to end)"
    )
    print(f"worker peak RSS (VmHWM = ru_maxrss): {got['peak_mb']:.0f} MB (target < 300 MB)")
    lat = got["latencies"]
    print(
        f"milestone latency while running: {len(lat)} of {got['milestones']} received, "
        f"p50 {pct(lat, 0.5):.0f} ms, p99 {pct(lat, 0.99):.0f} ms, "
        f"max {max(lat, default=0) * 1000:.0f} ms; mean {statistics.fmean(lat or [0]) * 1000:.0f}"
    )
    print(f"worker log: {work / 'worker.log'}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--sandbox"]:
        serve_sandbox()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=20_000, help="the campaign's rate_per_second")
    args = parser.parse_args()
    asyncio.run(main(args.citizens, min(args.baseline, args.citizens), args.rate))
