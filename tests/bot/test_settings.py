"""The bot's settings: WeCom base URL, supervision thresholds, the Official Account secret."""

from __future__ import annotations

from datetime import time

import pytest

from core.errors import SettingsError
from core.settings import Settings
from tests import harness


def test_defaults() -> None:
    s = harness.settings_for("sqlite://x")
    assert s.wecom_api_base == "https://qyapi.weixin.qq.com"
    rules = s.supervision
    assert (rules.near_deadline_days, rules.supplement_days, rules.accept_days) == (1, 5, 1)
    assert rules.digest_at == time(8, 30)
    assert s.official_account is None


def test_configured() -> None:
    s = harness.settings_for(
        "sqlite://x",
        WECOM_API_BASE="http://127.0.0.1:9/",
        SUPERVISION_NEAR_DEADLINE_DAYS="0",
        SUPERVISION_SUPPLEMENT_DAYS="10",
        WECOM_DIGEST_AT="09:15",
        WECHAT_OA_APPID="wxoa",
        WECHAT_OA_TOKEN="t",
        WECHAT_OA_SECRET="s",
        WECHAT_API_BASE="http://127.0.0.1:8/",
    )
    assert s.wecom_api_base == "http://127.0.0.1:9"
    assert (s.supervision.near_deadline_days, s.supervision.supplement_days) == (0, 10)
    assert s.supervision.digest_at == time(9, 15)
    oa = s.official_account
    assert oa is not None and (oa.secret, oa.api_base) == ("s", "http://127.0.0.1:8")


def test_bad_values_are_reported() -> None:
    env = harness.env_for(
        "sqlite://x",
        WECOM_API_BASE="ftp://x",
        SUPERVISION_ACCEPT_DAYS="-1",
        WECOM_DIGEST_AT="half past eight",
    )
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    text = "\n".join(info.value.problems)
    assert "WECOM_API_BASE" in text and "SUPERVISION_ACCEPT_DAYS" in text
    assert "WECOM_DIGEST_AT" in text and len(info.value.problems) == 3
