"""Server processes for the benchmarks; each prints `READY <url>` once it accepts requests.

servers.py bare                 a bare Sanic JSON route (the baseline)
servers.py wechat               the WeChat sandbox
servers.py alipay               the Alipay sandbox (prints its gateway URL; keys from the env,
                                see ``bench_api.alipay_env``)
servers.py api WECHAT_BASE DB   the citysvc app (DATABASE_URL=DB) against that sandbox (and the
                                Alipay sandbox when ALIPAY_GATEWAY is in the environment)
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import signal
import sys

import uvloop
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.server import start_server

APPID = "wxbench000000001"
SECRET = "bench-secret"


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()


def _bare() -> Sanic:  # type: ignore[type-arg]
    app = Sanic("bare")

    @app.route("/json", methods=["GET", "POST"])
    async def bare_json(request: Request) -> HTTPResponse:
        return json({"token": "x" * 180, "citizen": {"id": "0" * 36, "realname_verified": False}})

    return app


async def main(kind: str, *args: str) -> None:
    if kind == "wechat":
        async with WeChatSandbox(login_limit=10**9) as sandbox:
            sandbox.add_app(APPID, SECRET)
            print(f"READY {sandbox.base_url}", flush=True)
            await _until_signal()
        return
    if kind == "alipay":
        from bench_api import alipay_sandbox

        async with alipay_sandbox() as gateway:
            print(f"READY {gateway.gateway_url}", flush=True)
            await _until_signal()
        return
    if kind == "bare":
        app = _bare()
    else:
        from bench_api import api_app

        app = api_app(*args)
    app.config.TOUCHUP = True
    server = await start_server(app)
    print(f"READY {server.url}", flush=True)
    await _until_signal()
    await server.stop()


if __name__ == "__main__":
    # BENCH_PROFILE=PREFIX writes each server's cProfile statistics to PREFIX.KIND on stop
    profile_to = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile_to else None
    if profiler:
        profiler.enable()
    # the event loop `citysvc serve` runs on (Sanic picks uvloop where it is installed)
    uvloop.run(main(*sys.argv[1:]))
    if profiler and profile_to:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{sys.argv[1]}")
