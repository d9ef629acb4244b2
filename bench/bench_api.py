"""The citysvc app as the benchmarks run it: real settings, one process, SQLite by default."""

from __future__ import annotations

import base64

from core.settings import Settings
from miniapp_api.app import create_app
from miniapp_api.server import App

APPID = "wxbench000000001"
SECRET = "bench-secret"


def bench_settings(wechat_base: str, database_url: str) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-secret-key-" + "x" * 32,
            "PII_KEY": base64.b64encode(b"b" * 32).decode(),
            "WECHAT_MINIAPP_APPID": APPID,
            "WECHAT_MINIAPP_SECRET": SECRET,
            "WECHAT_API_BASE": wechat_base,
            # one client address sends every request: the flood guard would measure itself
            "LOGIN_LIMIT_PER_IP": "100000000",
        }
    )


def api_app(wechat_base: str, database_url: str) -> App:
    return create_app(bench_settings(wechat_base, database_url), name="citysvc_bench")
