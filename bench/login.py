"""Citizen logins per second through the API against the WeChat sandbox.

Printed as a ratio to a bare Sanic JSON route measured in the same run, same client, same
concurrency. Three processes: this client, the API server (SQLite), the WeChat sandbox.

    .venv/bin/python bench/login.py [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp
from common import load, server_process

APPID = "wxbench000000001"


async def issue_codes(sandbox: str, n: int) -> list[str]:
    async with aiohttp.ClientSession() as http:
        codes = []
        for i in range(n):
            async with http.post(
                f"{sandbox}/sandbox/login-code",
                json={"appid": APPID, "openid": f"bench-{i % 2000}"},
            ) as r:
                codes.append((await r.json(content_type=None))["code"])
        return codes


async def run(requests: int, concurrency: int) -> None:
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    url = f"sqlite://{db}"
    subprocess.run(
        [sys.executable, "-m", "citysvc", "migrate"],
        check=True,
        env={"DATABASE_URL": url, "PATH": ""},
        capture_output=True,
    )
    with server_process("bare") as bare:
        warm = await load(
            lambda i: ("POST", f"{bare}/json", {"json": {"code": "x"}}), 500, concurrency
        )
        base = await load(
            lambda i: ("POST", f"{bare}/json", {"json": {"code": "x"}}), requests, concurrency
        )
    del warm
    with server_process("wechat") as sandbox, server_process("api", sandbox, url) as api:
        codes = await issue_codes(sandbox, requests + 200)
        await load(
            lambda i: (
                "POST",
                f"{api}/api/v1/auth/wechat",
                {"json": {"code": codes[requests + i]}},
            ),
            200,
            concurrency,
        )
        ours = await load(
            lambda i: ("POST", f"{api}/api/v1/auth/wechat", {"json": {"code": codes[i]}}),
            requests,
            concurrency,
        )
    print(f"concurrency {concurrency}, {requests} requests each")
    print(base.line("bare Sanic JSON route (baseline)"))
    print(ours.line("POST /api/v1/auth/wechat"))
    print(f"ratio login / bare route: {ours.rate / base.rate:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.concurrency))
