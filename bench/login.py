"""Citizen logins per second through the API against the WeChat sandbox.

Printed as a ratio to a bare Sanic JSON route measured in the same run, same client, same
concurrency. Three processes: this client, the API server (SQLite), the WeChat sandbox.

    .venv/bin/python bench/login.py [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio

import aiohttp
from common import interleaved, load, migrated_sqlite, server_process

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
    url = migrated_sqlite()
    with (
        server_process("bare") as bare,
        server_process("wechat") as sandbox,
        server_process("api", sandbox, url) as api,
    ):
        codes = await issue_codes(sandbox, requests + 200)

        def plain(i: int) -> tuple[str, str, dict[str, object]]:
            return "POST", f"{bare}/json", {"json": {"code": "x"}}

        def login(i: int) -> tuple[str, str, dict[str, object]]:
            return "POST", f"{api}/api/v1/auth/wechat", {"json": {"code": codes[i]}}

        await load(plain, 500, concurrency)
        await load(lambda i: login(requests + i), 200, concurrency)
        base, ours = await interleaved(plain, login, requests, concurrency)
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
