"""Citizen logins per second through the API against the WeChat and Alipay sandboxes.

The ceiling any login can reach is the platform's own code exchange, so each login is printed
as a ratio to a raw aiohttp loop calling that exchange on the same sandbox at the same
concurrency, measured in the same run, in alternating rounds (target at least 0.5):

- WeChat: ``POST /api/v1/auth/wechat`` against ``GET /sns/jscode2session``;
- Alipay: ``POST /api/v1/auth/alipay`` against ``alipay.system.oauth.token`` on the gateway,
  the raw loop's requests signed beforehand (the loop measures the exchange alone; the login
  signs and verifies with RSA2 on the way).

The ratio to a bare Sanic JSON route is printed too. Processes: this client, the API server
(SQLite, one worker), both sandboxes, the bare route.

    .venv/bin/python bench/login.py [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from typing import Any

import aiohttp
from bench_api import ALIPAY_APPID, alipay_env, alipay_keys
from common import alternating, load, migrated_sqlite, record, server_process

APPID = "wxbench000000001"
SECRET = "bench-secret"
TARGET = 0.5
FORM = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}


async def wechat_codes(sandbox: str, n: int) -> list[str]:
    async with aiohttp.ClientSession() as http:
        codes = []
        for i in range(n):
            async with http.post(
                f"{sandbox}/sandbox/login-code",
                json={"appid": APPID, "openid": f"bench-{i % 2000}"},
            ) as r:
                codes.append((await r.json(content_type=None))["code"])
        return codes


async def alipay_codes(gateway: str, n: int) -> list[str]:
    base = gateway.rsplit("/", 1)[0]
    async with aiohttp.ClientSession() as http:
        codes = []
        for i in range(n):
            async with http.post(
                f"{base}/sandbox/auth-code",
                json={"appid": ALIPAY_APPID, "open_id": f"0bench{i % 2000}"},
            ) as r:
                codes.append((await r.json(content_type=None))["auth_code"])
        return codes


def signed_exchanges(private_pem: str, public_pem: str, codes: list[str]) -> list[bytes]:
    """The token-exchange requests for ``codes``, built by the SDK and signed, as form bodies."""
    from alipay import AliPay

    from core.clock import CST
    from integrations.alipay.client import LOGIN, TIMESTAMP_FORMAT
    from integrations.alipay.signing import Rsa2Signer

    sdk: Any = AliPay(
        appid=ALIPAY_APPID,
        app_notify_url=None,
        app_private_key_string=private_pem,
        alipay_public_key_string=public_pem,
        sign_type="RSA2",
    )
    signer = Rsa2Signer(private_pem, public_pem)
    stamp = datetime.now(CST).strftime(TIMESTAMP_FORMAT)
    return [
        signer.signed_query(
            sdk.build_body(LOGIN, {}, timestamp=stamp, grant_type="authorization_code", code=c)
        ).encode()
        for c in codes
    ]


async def run(requests: int, concurrency: int) -> None:
    url = migrated_sqlite()
    app_keys, gateway_keys = alipay_keys()
    keys_env = alipay_env(app_keys, gateway_keys)
    with (
        server_process("bare") as bare,
        server_process("wechat") as wechat,
        server_process("alipay", env=keys_env) as gateway,
        server_process("api", wechat, url, env=alipay_env(app_keys, gateway_keys, gateway)) as api,
    ):
        warm = 200
        wx = await wechat_codes(wechat, 2 * requests + warm)
        ali = await alipay_codes(gateway, 2 * requests + warm)
        exchanges = signed_exchanges(app_keys.private_pem, gateway_keys.public_pem, ali[:requests])
        wx_raw, wx_login = wx[:requests], wx[requests:]
        ali_login = ali[requests:]
        session = f"{wechat}/sns/jscode2session?appid={APPID}&secret={SECRET}"
        session += "&grant_type=authorization_code&js_code="

        def plain(i: int) -> tuple[str, str, dict[str, object]]:
            return "POST", f"{bare}/json", {"json": {"code": "x"}}

        def wechat_raw(i: int) -> tuple[str, str, dict[str, object]]:
            return "GET", session + wx_raw[i], {}

        def wechat_login(i: int) -> tuple[str, str, dict[str, object]]:
            return "POST", f"{api}/api/v1/auth/wechat", {"json": {"code": wx_login[i]}}

        def alipay_raw(i: int) -> tuple[str, str, dict[str, object]]:
            return "POST", gateway, {"data": exchanges[i], "headers": FORM}

        def alipay_login(i: int) -> tuple[str, str, dict[str, object]]:
            return "POST", f"{api}/api/v1/auth/alipay", {"json": {"auth_code": ali_login[i]}}

        await load(plain, 500, concurrency)
        await load(lambda i: wechat_login(requests + i - warm), warm, concurrency)
        await load(lambda i: alipay_login(requests + i - warm), warm, concurrency)
        ok = 200
        base, wx_ceiling, wx_ours, ali_ceiling, ali_ours = await alternating(
            [
                (plain, ok),
                (wechat_raw, ok),
                (wechat_login, ok),
                (alipay_raw, ok),
                (alipay_login, ok),
            ],
            requests - warm,
            concurrency,
        )
    print(f"concurrency {concurrency}, {requests - warm} requests each, five alternating rounds")
    print(base.line("bare Sanic JSON route"))
    print(wx_ceiling.line("raw loop: jscode2session (ceiling)"))
    print(wx_ours.line("POST /api/v1/auth/wechat"))
    print(ali_ceiling.line("raw loop: oauth.token (ceiling)"))
    print(ali_ours.line("POST /api/v1/auth/alipay"))
    for name, ceiling, ours in (("WeChat", wx_ceiling, wx_ours), ("Alipay", ali_ceiling, ali_ours)):
        ratio = ours.rate / ceiling.rate
        print(
            f"{name} login / raw exchange: {ratio:.2f} (target >= {TARGET}); "
            f"/ bare route: {ours.rate / base.rate:.2f}"
        )
        record(f"{name} login / raw code exchange", ratio, "ratio", f">= {TARGET}", ratio >= TARGET)
        record(f"{name} logins", ours.rate, "/s", "")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.concurrency))
