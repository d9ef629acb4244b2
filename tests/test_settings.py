from __future__ import annotations

import base64

import pytest

from core.errors import SettingsError
from core.settings import Settings

GOOD = {
    "SECRET_KEY": "s" * 40,
    "PII_KEY": base64.b64encode(b"k" * 32).decode(),
}


def test_defaults_from_contract() -> None:
    s = Settings.from_env(GOOD)
    assert s.database_url == "sqlite://data/citysvc.sqlite3"
    assert s.redis_url is None
    assert s.public_base_url == "http://127.0.0.1:8000"
    assert s.tz == "Asia/Shanghai"
    assert s.tracking.api_base == "https://poll.kuaidi100.com"
    assert s.wechat is None and s.alipay is None


def test_every_problem_reported_at_once() -> None:
    env = {
        "PII_KEY": "bm90IDMyIGJ5dGVz",
        "DATABASE_URL": "mysql://x",
        "REDIS_URL": "http://x",
        "WECHAT_MINIAPP_APPID": "wx1",
        "ALIPAY_APPID": "2021",
        "ALIPAY_APP_PRIVATE_KEY": "nope",
        "ALIPAY_PUBLIC_KEY": "nope",
        "WECHAT_API_BASE": "ftp://x",
    }
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    text = "\n".join(info.value.problems)
    for fragment in (
        "SECRET_KEY is required",
        "PII_KEY must be base64 of exactly 32 bytes",
        "DATABASE_URL",
        "REDIS_URL",
        "WECHAT_MINIAPP_SECRET must be set together",
        "ALIPAY_APP_PRIVATE_KEY must be PEM",
        "ALIPAY_PUBLIC_KEY must be PEM",
        "WECHAT_API_BASE",
    ):
        assert fragment in text
    assert len(info.value.problems) == 8


def test_platform_sections_built_when_complete() -> None:
    env = dict(
        GOOD,
        WECHAT_MINIAPP_APPID="wx1",
        WECHAT_MINIAPP_SECRET="sec",
        WECHAT_API_BASE="http://127.0.0.1:9/",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    s = Settings.from_env(env)
    assert s.wechat is not None
    assert (s.wechat.appid, s.wechat.secret, s.wechat.api_base) == (
        "wx1",
        "sec",
        "http://127.0.0.1:9",
    )
    assert s.redis_url == "redis://127.0.0.1:6379/0"


def test_staff_security_defaults_and_problems() -> None:
    s = Settings.from_env(GOOD).staff_security
    assert (s.idle_minutes, s.totp, s.access_log_days, s.pii_cipher) == (
        30,
        "off",
        183,
        "aes-256-gcm",
    )
    chosen = Settings.from_env(
        GOOD | {"STAFF_TOTP": "required", "PII_CIPHER": "SM4-GCM", "STAFF_IDLE_MINUTES": "15"}
    ).staff_security
    assert (chosen.totp, chosen.pii_cipher, chosen.idle_minutes) == ("required", "sm4-gcm", 15)
    bad = {"STAFF_TOTP": "yes", "STAFF_ACCESS_LOG_DAYS": "90", "PII_CIPHER": "des"}
    with pytest.raises(SettingsError) as info:
        Settings.from_env(GOOD | bad)
    problems = "\n".join(info.value.problems)
    assert "STAFF_TOTP" in problems and "PII_CIPHER" in problems
    assert "STAFF_ACCESS_LOG_DAYS must be at least 183" in problems


def test_notify_lanes_name_the_lanes_a_worker_sends() -> None:
    from core.outbox.models import LANES

    assert Settings.from_env(GOOD).notify.lanes == LANES
    only = Settings.from_env({**GOOD, "NOTIFY_LANES": " milestone "})
    assert only.notify.lanes == ("milestone",)
    both = Settings.from_env({**GOOD, "NOTIFY_LANES": "campaign,milestone"})
    assert both.notify.lanes == LANES
    for wrong in ("sms", "milestone,sms", ","):
        with pytest.raises(SettingsError) as refused:
            Settings.from_env({**GOOD, "NOTIFY_LANES": wrong})
        assert "NOTIFY_LANES" in str(refused.value)
