"""`citysvc demo`: the API, the sandbox WeChat and Alipay servers and demo data in one process."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import signal
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from citysvc.demo_data import demo_licences, seed_demo
from core.db import migrate
from core.settings import DEFAULT_DATABASE_URL, Settings
from integrations.alipay.sandbox import AlipaySandbox
from integrations.identity.sandbox import SandboxIdentityVerifier
from integrations.state import MemoryState
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.app import create_app
from miniapp_api.server import start_server

DEMO_WECHAT_APPID = "wxdemo0000000001"
DEMO_WECHAT_SECRET = "demo-wechat-secret"
DEMO_ALIPAY_APPID = "2021000000000001"
SECRETS_FILE = Path("data/demo-secrets.json")


def demo_secrets(path: Path = SECRETS_FILE) -> dict[str, str]:
    """Random keys made once and kept beside the demo database, so restarts can decrypt."""
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALIPAY_APP_PRIVATE_KEY": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "ALIPAY_APP_PUBLIC_KEY": key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def demo_env(keys: dict[str, str], wechat_base: str, alipay: AlipaySandbox) -> dict[str, str]:
    """The environment with demo values filled in wherever the operator set nothing."""
    env = dict(os.environ)
    defaults = {
        "DATABASE_URL": DEFAULT_DATABASE_URL,
        "SECRET_KEY": keys["SECRET_KEY"],
        "PII_KEY": keys["PII_KEY"],
        "WECHAT_MINIAPP_APPID": DEMO_WECHAT_APPID,
        "WECHAT_MINIAPP_SECRET": DEMO_WECHAT_SECRET,
        "WECHAT_API_BASE": wechat_base,
        "ALIPAY_APPID": DEMO_ALIPAY_APPID,
        "ALIPAY_APP_PRIVATE_KEY": keys["ALIPAY_APP_PRIVATE_KEY"],
        "ALIPAY_PUBLIC_KEY": alipay.alipay_public_key_pem,
        "ALIPAY_GATEWAY": alipay.gateway_url,
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    return env


async def run_demo(host: str, port: int) -> int:
    keys = demo_secrets()
    async with WeChatSandbox(port=8101) as wechat, AlipaySandbox(port=8102) as alipay:
        wechat.add_app(DEMO_WECHAT_APPID, DEMO_WECHAT_SECRET)
        alipay.add_app(DEMO_ALIPAY_APPID, keys["ALIPAY_APP_PUBLIC_KEY"])
        settings = Settings.from_env(demo_env(keys, wechat.base_url, alipay))
        await migrate(settings.database_url)
        # a person trying the demo cannot finish a face check: the sandbox provider passes
        identity = SandboxIdentityVerifier(MemoryState(), auto_pass=True)
        app = create_app(settings, name="citysvc", licences=demo_licences(),
                         verifiers={"wechat": identity, "alipay": identity})
        server = await start_server(app, host, port)
        for line in await seed_demo():
            print(line)
        _print_urls(server.url, wechat.base_url, alipay.gateway_url)
        await _wait_for_signal()
        await server.stop()
    return 0


def _print_urls(api: str, wechat: str, alipay: str) -> None:
    print(
        f"citysvc demo is running\n"
        f"  API            {api}/api/v1/...\n"
        f"  API docs       {api}/docs\n"
        f"  health         {api}/healthz  {api}/readyz\n"
        f"  WeChat sandbox {wechat}  (POST /sandbox/login-code for a wx.login code)\n"
        f"  Alipay sandbox {alipay}\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
