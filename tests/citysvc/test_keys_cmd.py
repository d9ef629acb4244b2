"""`citysvc keys rotate`: data written under key A is readable with key B alone afterwards."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

from core.cases.models import Application
from core.clock import FrozenClock
from core.db import close_db, init_db
from core.identity.models import Citizen, Verification
from core.pii import PiiCipher, key_id_for
from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness
from tests.miniapp_api.test_auth import wechat_login
from tests.miniapp_api.test_realname import (
    CLAIM,
    ID_NUMBER,
    NAME,
    alipay_login,
    start,
    verify_on_alipay,
    verify_on_wechat,
)

KEY_A = base64.b64encode(secrets.token_bytes(32)).decode()
KEY_B = base64.b64encode(secrets.token_bytes(32)).decode()
PHONE = "13712345678"
ADDRESS = '{"name": "张三", "phone": "13712345678", "detail": "幸福路1号"}'


def rotate(database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("PII_KEY", "PII_OLD_KEYS")}
    full.update(DATABASE_URL=database_url, **env)
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "keys", "rotate", "--batch-size", "2"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _write_under_a(
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    wechat: WeChatSandbox,
    alipay: AlipaySandbox,
) -> str:
    settings = harness.settings_for(database_url, PII_KEY=KEY_A, **platform_env)
    async with harness.running_api(settings, clock) as api:
        login = await wechat_login(api, wechat)
        await verify_on_wechat(api, wechat, login["token"])
        code = wechat.issue_phone_code(harness.WECHAT_APPID, PHONE)
        assert (
            await api.call("POST", "/api/v1/me/phone", token=login["token"], json={"code": code})
        )[0] == 200
        await start(api, (await wechat_login(api, wechat))["token"], CLAIM)  # stays pending
        now = clock.now()
        address = PiiCipher.from_env_value(KEY_A).encrypt(ADDRESS, context="application.address")
        for n in range(3):  # more rows than one batch
            await Application.create(
                number=f"2026TEST{n}",
                citizen_id=login["citizen"]["id"],
                item_code="I",
                item_version_id=1,
                department_code="D",
                status="submitted",
                delivery_method="ems",
                delivery_address_enc=address,
                promised_days=5,
                legal_days=20,
                created_at=now,
                updated_at=now,
            )
        return str(login["citizen"]["id"])


async def _tokens() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for c in await Citizen.all():
        found += [
            (t, ctx)
            for t, ctx in (
                (c.name_enc, "citizen.name"),
                (c.id_number_enc, "citizen.id_number"),
                (c.phone_enc, "citizen.phone"),
            )
            if t
        ]
    for v in await Verification.all():
        found += [
            (t, ctx)
            for t, ctx in (
                (v.name_enc, "verification.name"),
                (v.id_number_enc, "verification.id_number"),
            )
            if t
        ]
    found += [
        (a.delivery_address_enc, "application.address")
        for a in await Application.all()
        if a.delivery_address_enc
    ]
    return found


async def _indexes(database_url: str) -> dict[str, str | None]:
    await init_db(database_url)
    try:
        return {str(c.id): c.id_number_index for c in await Citizen.all()} | {
            str(v.id): v.id_number_index for v in await Verification.all()
        }
    finally:
        await close_db()


async def test_rotation_keeps_every_record_readable(
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    wechat: WeChatSandbox,
    alipay: AlipaySandbox,
) -> None:
    citizen_id = await _write_under_a(database_url, platform_env, clock, wechat, alipay)
    indexes = await _indexes(database_url)

    done = rotate(database_url, PII_KEY=KEY_B, PII_OLD_KEYS=KEY_A)
    assert done.returncode == 0, done.stderr
    assert "citizen: rotated 3, already current 0, failed 0" in done.stdout
    assert "verification: rotated 2, already current 0, failed 0" in done.stdout
    assert "application: rotated 3, already current 0, failed 0" in done.stdout
    again = rotate(database_url, PII_KEY=KEY_B, PII_OLD_KEYS=KEY_A)
    assert "rotated 0, already current 8, failed 0" in again.stdout  # idempotent
    for output in (done.stdout, done.stderr):
        assert ID_NUMBER not in output and PHONE not in output

    b_alone = PiiCipher.from_env_value(KEY_B)
    await init_db(database_url)
    try:
        tokens = await _tokens()
        assert len(tokens) == 8
        assert {b_alone.key_id_of(token) for token, _ in tokens} == {
            key_id_for(base64.b64decode(KEY_B))
        }
        plain = {b_alone.decrypt(token, context=context) for token, context in tokens}
        assert {NAME, ID_NUMBER, PHONE, ADDRESS} <= plain
    finally:
        await close_db()
    assert await _indexes(database_url) == indexes  # blind indexes untouched

    # Serving with the rotated configuration, the stored index still finds the citizen:
    # the same person verifying on Alipay joins the existing citizen.
    settings = harness.settings_for(database_url, PII_KEY=KEY_B, PII_OLD_KEYS=KEY_A, **platform_env)
    async with harness.running_api(settings, clock) as api:
        me = await verify_on_alipay(api, alipay, (await alipay_login(api, alipay))["token"])
        assert me["id"] == citizen_id and me["platforms"] == ["alipay", "wechat"]
        assert (me["name_masked"], me["phone_masked"]) == ("张*", "137****5678")


async def test_unreadable_token_is_reported(database_url: str) -> None:
    await init_db(database_url)
    try:
        stranger = PiiCipher.from_env_value(base64.b64encode(secrets.token_bytes(32)).decode())
        await Citizen.create(phone_enc=stranger.encrypt(PHONE, context="citizen.phone"))
    finally:
        await close_db()
    done = rotate(database_url, PII_KEY=KEY_B, PII_OLD_KEYS=KEY_A)
    assert done.returncode == 1
    assert "citizen: rotated 0, already current 0, failed 1" in done.stdout
    assert "citizen.phone_enc" in done.stderr and PHONE not in done.stderr


def test_missing_key_is_a_usage_error(database_url: str) -> None:
    done = rotate(database_url, PII_KEY="")
    assert done.returncode == 2 and "PII_KEY" in done.stderr


async def test_switching_to_sm4_while_serving_then_rotating(
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    wechat: WeChatSandbox,
    alipay: AlipaySandbox,
) -> None:
    """国密: PII_CIPHER=sm4-gcm serves data written under AES at once (no downtime), and
    `keys rotate` moves every value to SM4-GCM and every ID index to HMAC-SM3."""
    citizen_id = await _write_under_a(database_url, platform_env, clock, wechat, alipay)
    sm4 = {"PII_KEY": KEY_A, "PII_CIPHER": "sm4-gcm"}
    settings = harness.settings_for(database_url, **platform_env, **sm4)
    async with harness.running_api(settings, clock) as api:
        # AES tokens read, the AES-era index still finds the person verifying on Alipay
        me = await verify_on_alipay(api, alipay, (await alipay_login(api, alipay))["token"])
        assert me["id"] == citizen_id and me["platforms"] == ["alipay", "wechat"]
        assert (me["name_masked"], me["phone_masked"]) == ("张*", "137****5678")

    done = rotate(database_url, **sm4)
    assert done.returncode == 0, done.stderr
    assert "failed 0" in done.stdout and "blind indexes moved to the current algorithm: 1" in (
        done.stdout
    )
    cipher = PiiCipher.from_env(sm4)
    aes = PiiCipher.from_env_value(KEY_A)
    await init_db(database_url)
    try:
        tokens = await _tokens()
        assert {cipher.key_id_of(token) for token, _ in tokens} == {cipher.current_key_id}
        assert cipher.current_key_id.startswith("s")
        assert {cipher.decrypt(t, context=c) for t, c in tokens} >= {NAME, ID_NUMBER, PHONE}
        # the AES-only cipher of before cannot read them: they really are SM4 now
        assert all(
            aes.key_id_of(t) not in (key_id_for(base64.b64decode(KEY_A)),) for t, _ in tokens
        )
        citizen = await Citizen.get(id=citizen_id)
        assert citizen.id_number_index == cipher.blind_index(ID_NUMBER, purpose="id_number")
        assert citizen.id_number_index != aes.blind_index(ID_NUMBER, purpose="id_number")
    finally:
        await close_db()
    again = rotate(database_url, **sm4)
    assert "rotated 0," in again.stdout and "algorithm: 0" in again.stdout
