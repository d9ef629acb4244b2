"""The citysvc app as the benchmarks run it: real settings, one process, SQLite by default."""

from __future__ import annotations

import base64
import os

from core.settings import Settings
from integrations.alipay.keys import KeyPair, generate_keypair
from integrations.alipay.sandbox import AlipaySandbox
from miniapp_api.app import create_app
from miniapp_api.server import App

APPID = "wxbench000000001"
SECRET = "bench-secret"
ALIPAY_APPID = "2021000000000001"
ALIPAY_ENV = ("ALIPAY_APPID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY", "ALIPAY_GATEWAY")


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
            **{name: os.environ[name] for name in ALIPAY_ENV if name in os.environ},
        }
    )


def api_app(wechat_base: str, database_url: str) -> App:
    return create_app(bench_settings(wechat_base, database_url), name="citysvc_bench")


def alipay_keys() -> tuple[KeyPair, KeyPair]:
    """The app's and the gateway's key pairs for one run (the sandbox and the API share them
    through ``alipay_env``)."""
    return generate_keypair(), generate_keypair()


def alipay_env(app: KeyPair, gateway: KeyPair, gateway_url: str = "") -> dict[str, str]:
    """What both processes read: the API its ALIPAY_* settings, the sandbox the BENCH_* keys."""
    env = {
        "ALIPAY_APPID": ALIPAY_APPID,
        "ALIPAY_APP_PRIVATE_KEY": app.private_pem,
        "ALIPAY_PUBLIC_KEY": gateway.public_pem,
        "BENCH_ALIPAY_APP_PUBLIC_KEY": app.public_pem,
        "BENCH_ALIPAY_GATEWAY_PRIVATE_KEY": gateway.private_pem,
    }
    if gateway_url:
        env["ALIPAY_GATEWAY"] = gateway_url
    return env


def alipay_sandbox() -> AlipaySandbox:
    """The Alipay sandbox with the run's keys and its app registered (``servers.py alipay``)."""
    sandbox = AlipaySandbox(private_key_pem=os.environ["BENCH_ALIPAY_GATEWAY_PRIVATE_KEY"])
    sandbox.add_app(ALIPAY_APPID, os.environ["BENCH_ALIPAY_APP_PUBLIC_KEY"])
    return sandbox
