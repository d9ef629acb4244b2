"""The bot's part of `citysvc demo`: an Official Account, the demo knowledge base, a WeCom
robot per department (in the sandbox) and the supervision jobs running in the background."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path

from bot.wecom import RobotKeys
from core.clock import SystemClock
from core.knowledge.importer import import_kb
from core.pii import PiiCipher
from core.settings import Settings
from core.staff.models import StaffMember
from integrations.wecom.sandbox import WeComSandbox

log = logging.getLogger("citysvc.demo")

DEMO_KB = Path(__file__).resolve().parent.parent / "bot" / "demo_kb.json"
DEMO_OA_APPID = "wxdemooa00000001"
DEMO_OA_TOKEN = "demo-oa-token"
SWEEP_EVERY = 60.0  # the demo sweeps more often than a worker, so warnings show up quickly


def oa_env(secret_key: str, wecom_base: str) -> dict[str, str]:
    """Official Account (safe mode) and WeCom settings for the demo; the AES key is derived
    from the demo's SECRET_KEY so it survives restarts without another stored secret."""
    aes = base64.b64encode(hashlib.sha256(f"oa:{secret_key}".encode()).digest()).decode()[:43]
    return {
        "WECHAT_OA_APPID": DEMO_OA_APPID,
        "WECHAT_OA_TOKEN": DEMO_OA_TOKEN,
        "WECHAT_OA_AES_KEY": aes,
        "WECOM_API_BASE": wecom_base,
    }


async def seed_bot(settings: Settings, wecom: WeComSandbox) -> list[str]:
    """Load the demo knowledge base and give every department a sandbox robot."""
    rows = json.loads(DEMO_KB.read_text(encoding="utf-8"))
    report = await import_kb(rows, DEMO_KB.name, SystemClock().now())
    robots = RobotKeys(
        PiiCipher.from_env_value(
            settings.pii_key, settings.pii_old_keys, settings.staff_security.pii_cipher
        )
    )
    departments = await StaffMember.exclude(department_code=None).values_list(
        "department_code", flat=True
    )
    for department in sorted({str(d) for d in departments}):
        await robots.set(department, wecom.add_robot(f"demo-{department}"), SystemClock().now())
    return [report.summary(), f"WeCom robots: one per department ({len(set(departments))})"]
