"""A full flow leaves no plaintext ID number, phone number or name in the database file, and
no plaintext ID number or phone number in the logs (DEBUG, every library)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.catalogue.importer import import_items
from core.clock import FrozenClock
from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness
from tests.harness import Api
from tests.miniapp_api.test_auth import wechat_login
from tests.miniapp_api.test_realname import ID_NUMBER, NAME, alipay_login, start

PHONE = "13912345678"
ITEM = {
    "code": "TEST-PII-001",
    "name": "测试事项",
    "department": "D-TEST",
    "kind": "公共服务",
    "audience": "personal",
    "conditions": "无",
    "materials": [{"name": "申请表", "required": False}],
    "process": ["受理"],
    "legal_days": 20,
    "promised_days": 5,
    "fee": None,
    "no_visit": True,
    "delivery": ["ems", "pickup"],
}


@pytest.fixture
def log_buffer() -> Iterator[io.StringIO]:
    """A root handler at DEBUG, added BEFORE the app is built, as an operator's would be."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


async def _flow(api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    verification = await start(api, token, {"name": NAME, "id_number": ID_NUMBER.lower()})
    wechat.complete_face(verification["verify_id"], passed=True)
    await _ok(
        api, "POST", "/api/v1/me/realname/confirm", token, {"verification_id": verification["id"]}
    )
    code = wechat.issue_phone_code(harness.WECHAT_APPID, PHONE)
    await _ok(api, "POST", "/api/v1/me/phone", token, {"code": code})
    # the same person on Alipay: the accounts join
    ali_token = (await alipay_login(api, alipay))["token"]
    verification = await start(api, ali_token)
    alipay.complete_certify(verification["certify_id"], passed=True)
    await _ok(
        api,
        "POST",
        "/api/v1/me/realname/confirm",
        ali_token,
        {"verification_id": verification["id"]},
    )
    # a case mailed to the citizen: the address holds the name and the phone again
    await import_items([ITEM])
    address = {
        "name": NAME,
        "phone": PHONE,
        "province": "江苏省",
        "city": "扬州市",
        "district": "江都区",
        "detail": "仙女镇幸福路1号",
    }
    await _ok(
        api,
        "POST",
        "/api/v1/applications",
        token,
        {
            "item_code": ITEM["code"],
            "form": {},
            "materials": [],
            "delivery": {"method": "ems", "address": address},
        },
    )
    await _ok(api, "GET", "/api/v1/me", ali_token, None)
    logging.getLogger("citysvc.test").warning("about %s, phone %s", ID_NUMBER, PHONE)


async def _ok(api: Api, method: str, path: str, token: str, body: object) -> None:
    status, answer, _ = await api.call(method, path, token=token, json=body)
    assert 200 <= status < 300, (path, answer)
    assert ID_NUMBER not in str(answer) and PHONE not in str(answer)


def _database_bytes(database_url: str) -> bytes:
    path = Path(database_url.removeprefix("sqlite://"))
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
    return b"".join(f.read_bytes() for f in files if f.exists())


async def test_no_plaintext_in_database_or_logs(
    log_buffer: io.StringIO,
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    wechat: WeChatSandbox,
    alipay: AlipaySandbox,
) -> None:
    settings = harness.settings_for(database_url, **platform_env)
    async with harness.running_api(settings, clock) as api:
        await _flow(api, wechat, alipay)
    # the server has stopped: connections are closed and SQLite has checkpointed its WAL
    stored = _database_bytes(database_url)
    assert len(stored) > 0
    for secret in (ID_NUMBER, ID_NUMBER.lower(), PHONE, NAME):
        assert secret.encode() not in stored, secret
    logs = log_buffer.getvalue()
    assert "citysvc.test WARNING about 3201**********005X, phone 139****5678" in logs
    assert "tortoise" in logs  # DEBUG really was on: the SQL was logged (with ciphertext)
    for secret in (ID_NUMBER, ID_NUMBER.lower(), PHONE):
        assert secret not in logs, secret
