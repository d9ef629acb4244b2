"""The public board's SSE stream with 1,000 streams open on one server process.

1. A fresh SQLite file with one item, one clerk and cases waiting to be refused; a real
   API process (`bench/servers.py api`, one worker, uvloop).
2. Baseline: the server's resident memory with no stream open, and the delivery latency
   with one stream open (time from the clerk's action request to the stream's event).
3. 1,000 streams open at once: memory per stream (resident memory growth / 1,000), and the
   delivery latency of each action to every one of the 1,000 (p50 over streams, and the
   time until the last stream had it), with its ratio to the one-stream baseline.

    .venv/bin/python bench/board_stream.py [--streams 1000] [--events 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import aiohttp
from common import record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import HERE, migrated_sqlite  # noqa: E402

PASSWORD = "bench password 1"
CITIZEN = "00000000-0000-0000-0000-000000000001"


async def seed(url: str, cases: int) -> list[str]:
    from core.cases.models import Application
    from core.cases.numbers import format_number
    from core.catalogue.importer import import_items
    from core.clock import CST
    from core.db import close_db, init_db
    from core.staff.service import add_staff

    await init_db(url)
    try:
        row = {
            "code": "BENCH-001", "name": "基准测试事项", "department": "GA",
            "department_name": "公安局", "kind": "行政许可", "audience": "personal",
            "conditions": "无", "materials": [], "process": ["受理"], "legal_days": 20,
            "promised_days": 5, "fee": None, "no_visit": True, "delivery": ["ems"],
        }  # fmt: skip
        await import_items([row])
        await add_staff("bench-clerk", PASSWORD, "clerk", "GA")
        now = datetime.now(CST)
        numbers = []
        for i in range(cases):
            case = await Application.create(
                number=format_number(now.date(), i + 1), citizen_id=CITIZEN,
                item_code="BENCH-001", item_version_id=1, department_code="GA",
                status="submitted", delivery_method="ems", promised_days=5, legal_days=20,
                created_at=now, updated_at=now,
            )  # fmt: skip
            numbers.append(case.number)
        return numbers
    finally:
        await close_db()


@contextmanager
def api_process(database_url: str) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "servers.py"), "api", "http://127.0.0.1:9", database_url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = ""
        for _ in range(500):
            line = proc.stdout.readline()
            if not line or line.startswith("READY "):
                break
        if not line.startswith("READY "):
            raise RuntimeError("server did not start")
        yield line.split(" ", 1)[1].strip(), proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Stream:
    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self.resp = resp
        self.arrived: dict[int, float] = {}
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.resp.content:
            line = raw.decode().strip()
            if line == ": connected":
                self.ready.set()
            elif line.startswith("id: "):
                self.arrived[int(line[4:])] = time.perf_counter()


async def open_streams(http: aiohttp.ClientSession, url: str, n: int) -> list[Stream]:
    async def one() -> Stream:
        resp = await http.get(url + "/api/v1/public/board/stream")
        stream = Stream(resp)
        await stream.ready.wait()
        return stream

    streams: list[Stream] = []
    for start in range(0, n, 100):  # in waves, as visitors arrive
        streams += await asyncio.gather(*(one() for _ in range(min(100, n - start))))
    return streams


async def deliveries(
    http: aiohttp.ClientSession, url: str, token: str, numbers: list[str], streams: list[Stream]
) -> tuple[list[float], list[float]]:
    """(p50 over streams, last stream) latency in ms of each action."""
    medians, lasts = [], []
    for number in numbers:
        seen = {id(s): set(s.arrived) for s in streams}
        started = time.perf_counter()
        async with http.post(
            f"{url}/api/v1/staff/applications/{number}/actions",
            json={"action": "refuse", "note": "基准测试"},
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            assert resp.status == 200, await resp.text()
        for _ in range(500):
            if all(set(s.arrived) - seen[id(s)] for s in streams):
                break
            await asyncio.sleep(0.01)
        times = []
        for s in streams:
            new = set(s.arrived) - seen[id(s)]
            assert new, "an event did not arrive within 5 s"
            times.append((s.arrived[min(new)] - started) * 1000)
        medians.append(statistics.median(times))
        lasts.append(max(times))
        await asyncio.sleep(0.3)
    return medians, lasts


async def main(n: int, events: int) -> None:
    url_db = migrated_sqlite("board")
    numbers = await seed(url_db, 2 * events)
    with api_process(url_db) as (url, pid):
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=None)
        ) as http:
            async with http.post(
                url + "/api/v1/staff/login", json={"username": "bench-clerk", "password": PASSWORD}
            ) as resp:
                token = (await resp.json())["token"]
            await asyncio.sleep(1.0)
            idle = rss_mb(pid)
            one = await open_streams(http, url, 1)
            base_p50, _ = await deliveries(http, url, token, numbers[:events], one)
            for s in one:
                s.task.cancel()
                s.resp.close()
            await asyncio.sleep(0.5)
            began = time.perf_counter()
            many = await open_streams(http, url, n)
            opened = time.perf_counter() - began
            await asyncio.sleep(1.0)
            loaded = rss_mb(pid)
            p50s, lasts = await deliveries(http, url, token, numbers[events:], many)
            for s in many:
                s.task.cancel()
                s.resp.close()
    base = statistics.median(base_p50)
    print(f"server RSS idle {idle:.1f} MB; with {n} streams {loaded:.1f} MB")
    per_stream = (loaded - idle) * 1024 / n
    print(f"memory per stream      {per_stream:8.1f} KB   ({n} opened in {opened:.1f} s)")
    print(f"delivery, 1 stream     p50 {base:6.1f} ms (baseline)")
    last = statistics.median(lasts) / base
    record("board: memory per stream", per_stream, "KB", "")
    record("board: last of N streams / 1 stream, p50", last, "x", "")
    print(
        f"delivery, {n} streams  p50 {statistics.median(p50s):6.1f} ms, last stream "
        f"p50 {statistics.median(lasts):6.1f} ms, worst {max(lasts):6.1f} ms; "
        f"ratio {statistics.median(lasts) / base:4.1f}x the 1-stream latency"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.streams, args.events))
