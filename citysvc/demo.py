"""`citysvc demo`: the API, the sandbox WeChat and Alipay servers and demo data in one process."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from citysvc import simulator
from citysvc.demo_bot import oa_env, seed_bot
from citysvc.demo_data import (
    DEMO_BUNDLE,
    DEMO_CITIZENS,
    DEMO_INSTANT_ITEM,
    DEMO_ITEM,
    DEMO_ITEM_CLERK,
    DEMO_PASSWORD,
    demo_licences,
    seed_demo,
    seed_exams,
)
from citysvc.worker import run_jobs
from core.clock import CST
from core.db import migrate
from core.pii import PiiCipher
from core.settings import DEFAULT_DATABASE_URL, Settings, environment
from integrations.alipay.sandbox import AlipaySandbox
from integrations.tracking.sandbox import ADVANCE, CarrierSandbox
from integrations.wechat.sandbox import WeChatSandbox
from integrations.wecom.sandbox import WeComSandbox
from miniapp_api.app import create_app
from miniapp_api.server import start_server
from notifications.templates import Registry, load_registry

DEMO_WECHAT_APPID = "wxdemo0000000001"
DEMO_WECHAT_SECRET = "demo-wechat-secret"
DEMO_ALIPAY_APPID = "2021000000000001"
DEMO_TRACKING_CUSTOMER = "DEMOCUSTOMER0001"
DEMO_TRACKING_KEY = "demo-kuaidi100-key"
PARCEL_STEP_SECONDS = 30.0  # the demo carrier moves every parcel on this often
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


# the demo district's townships (the campaign town filter and the mini-program's picker)
DEMO_TOWNS = "仙女镇,邵伯镇,真武镇,宜陵镇,小纪镇,武坚镇,樊川镇,丁沟镇,郭村镇,吴桥镇,浦头镇,大桥镇"


def demo_env(keys: dict[str, str], wechat_base: str, alipay: AlipaySandbox) -> dict[str, str]:
    """The environment with demo values filled in wherever the operator set nothing."""
    env = dict(environment())
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
        "DISTRICT_TOWNS": DEMO_TOWNS,
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    return env


@dataclass(frozen=True)
class DemoStack:
    """What `citysvc demo` runs, with the addresses of each part."""

    api: str
    wechat: WeChatSandbox
    alipay: AlipaySandbox
    carrier: CarrierSandbox
    settings: Settings


DEMO_PORTS = (8101, 8102, 8103, 8104)  # WeChat, Alipay, carrier, WeCom


@asynccontextmanager
async def demo_stack(
    host: str,
    port: int,
    ports: tuple[int, int, int, int] = DEMO_PORTS,
    secrets_file: Path = SECRETS_FILE,
    quiet: bool = False,
) -> AsyncIterator[DemoStack]:
    """The API with the mini-program simulator, the sandboxes, demo data and the worker's
    jobs, all in this process (tests pass ports of 0 for free ones)."""
    keys = demo_secrets(secrets_file)
    wechat_port, alipay_port, carrier_port, wecom_port = ports
    async with (
        # a person trying the demo cannot do a face check: the sandboxes take each as passed
        # unless told otherwise (POST /sandbox/face, /sandbox/certify), while the API answers
        # as the contract says (verify_id; certify_id and certify_url)
        WeChatSandbox(host=host_of(host), port=wechat_port, faces_pass=True) as wechat,
        AlipaySandbox(host=host_of(host), port=alipay_port, certify_pass=True) as alipay,
        CarrierSandbox(
            host=host_of(host), port=carrier_port, walk_every=PARCEL_STEP_SECONDS
        ) as carrier,
        WeComSandbox(host=host_of(host), port=wecom_port) as wecom,
    ):
        wechat.add_app(DEMO_WECHAT_APPID, DEMO_WECHAT_SECRET)
        alipay.add_app(DEMO_ALIPAY_APPID, keys["ALIPAY_APP_PUBLIC_KEY"])
        carrier.add_account(DEMO_TRACKING_CUSTOMER, DEMO_TRACKING_KEY)
        env = oa_env(keys["SECRET_KEY"], wecom.base_url) | demo_env(keys, wechat.base_url, alipay)
        settings = Settings.from_env(_tracking_env(env, carrier.base_url, host, port))
        registry = load_registry(settings.notify.templates_file)
        register_templates(registry, wechat, alipay)
        await migrate(settings.database_url)
        licences = demo_licences()
        app = create_app(settings, name="citysvc", licences=licences)
        app.blueprint(simulator.blueprint(simulator_config(wechat, alipay)))
        server = await start_server(app, host, port)
        cipher = PiiCipher.from_env_value(settings.pii_key, settings.pii_old_keys)
        exams = await seed_exams(cipher, datetime.now(CST).date())
        lines = [*await seed_demo(), *exams, *await seed_bot(settings, wecom)]
        stop_jobs = asyncio.Event()
        jobs = asyncio.create_task(run_jobs(settings, stop_jobs, licences))
        if not quiet:
            print("\n".join(lines), flush=True)
            _print_urls(server.url, wechat.base_url, alipay.base_url, carrier.base_url)
            _print_bot(server.url, settings, wecom.base_url)
        try:
            yield DemoStack(server.url, wechat, alipay, carrier, settings)
        finally:
            stop_jobs.set()
            await jobs
            await server.stop()


def host_of(api_host: str) -> str:
    """The sandboxes listen where the API does (loopback by default)."""
    return "127.0.0.1" if api_host in ("", "localhost") else api_host


def simulator_config(wechat: WeChatSandbox, alipay: AlipaySandbox) -> dict[str, object]:
    """What the simulator page needs to play both platforms."""
    return {
        # the page reaches the sandboxes at its own host name, on these ports
        "wechat": {"port": wechat.port, "appid": DEMO_WECHAT_APPID},
        "alipay": {"port": alipay.port, "appid": DEMO_ALIPAY_APPID},
        "citizens": DEMO_CITIZENS,
        "item": DEMO_ITEM,
        "clerk": {"username": DEMO_ITEM_CLERK, "password": DEMO_PASSWORD},
        "bundle": DEMO_BUNDLE,
        "instant_item": DEMO_INSTANT_ITEM,
    }


async def run_demo(host: str, port: int) -> int:
    async with demo_stack(host, port):
        await _wait_for_signal()
    return 0


def register_templates(registry: Registry, wechat: WeChatSandbox, alipay: AlipaySandbox) -> None:
    """Teach the sandboxes the message templates (ids and keys) of the templates file."""
    for template in registry.templates.values():
        keys = [key for key, _ in template.data]
        if template.platform == "wechat":
            wechat.add_template(template.template_id, keys, template.long_term)
        elif template.platform == "official_account":
            wechat.add_oa_template(template.template_id, keys)
        else:
            alipay.add_template(template.template_id, keys)


def _tracking_env(env: dict[str, str], carrier_base: str, host: str, port: int) -> dict[str, str]:
    """Point tracking at the sandbox carrier, and its pushes back at this server."""
    reachable = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    defaults = {
        "TRACKING_API_BASE": carrier_base,
        "TRACKING_CUSTOMER": DEMO_TRACKING_CUSTOMER,
        "TRACKING_KEY": DEMO_TRACKING_KEY,
        "PUBLIC_BASE_URL": f"http://{reachable}:{port}",
    }
    return defaults | env  # what the operator set wins


def _print_urls(api: str, wechat: str, alipay: str, carrier: str) -> None:
    print(
        f"citysvc demo is running\n"
        f"  simulator      {api}/demo/  (a citizen on WeChat and on Alipay, side by side)\n"
        f"  API            {api}/api/v1/...\n"
        f"  API docs       {api}/docs  (and docs/api.md, docs/demo.md in the repository)\n"
        f"  health         {api}/healthz  {api}/readyz\n"
        f"  WeChat sandbox {wechat}  (POST /sandbox/login-code, /sandbox/consent,\n"
        f"                 /sandbox/phone-code, /sandbox/face; GET /sandbox/messages?openid=)\n"
        f"  Alipay sandbox {alipay}  (gateway /gateway.do; POST /sandbox/auth-code,\n"
        f"                 /sandbox/consent, /sandbox/certify; GET /sandbox/messages?open_id=)\n"
        f"  EMS carrier    {carrier}  (parcels move every {PARCEL_STEP_SECONDS:.0f} s, or POST "
        f'{ADVANCE} {{"number": ...}})\n'
        f"  keys           {SECRETS_FILE} (the CLI finds them on its own on this database)\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )


def _print_bot(api: str, settings: Settings, wecom: str) -> None:
    oa = settings.official_account
    if oa is None:
        return
    print(
        f"  Official Account {api}/bot/wechat  (appid {oa.appid}, token {oa.token}, "
        f"EncodingAESKey {oa.aes_key}: sign pushes with wechatpy's WeChatCrypto)\n"
        f"  WeCom robots   {wecom}  (supervision warnings and the 08:30 digest land here)",
        flush=True,
    )


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
