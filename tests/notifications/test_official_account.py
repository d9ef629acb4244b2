"""The third channel: Official Account template messages to citizens who follow it.

The app runs for real against the WeChat sandbox, which plays both the mini-program and the
Official Account (each its own appid, secret and access token).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.clock import CST, FrozenClock
from core.errors import SettingsError
from core.followers.models import OaLink
from core.identity.models import PlatformAccount
from integrations.alipay.sandbox import AlipaySandbox
from integrations.errors import Permanent
from integrations.http import new_session
from integrations.state import MemoryState
from integrations.wechat.client import WeChatClient
from integrations.wechat.sandbox import OA_TEMPLATE, SUBSCRIBE, WeChatSandbox
from notifications.channels import is_no_consent
from notifications.dispatcher import Dispatcher
from notifications.templates import load_registry
from notifications.worker_jobs import make_dispatcher
from tests import builders as b
from tests import harness
from tests.harness import Api
from tests.notifications.conftest import register_templates

OA_APPID, OA_SECRET, OA_TOKEN = "wxoa-citysvc-test", "oa-secret-for-tests", "oa-token"
PROGRESS = "oa-demo-case-progress"


def oa_env(wechat: WeChatSandbox, *, secret: bool = True) -> dict[str, str]:
    """The Official Account's settings, its API at the sandbox (WECHAT_API_BASE)."""
    wechat.add_app(OA_APPID, OA_SECRET)
    env = {"WECHAT_OA_APPID": OA_APPID, "WECHAT_OA_TOKEN": OA_TOKEN}
    if secret:
        env["WECHAT_OA_SECRET"] = OA_SECRET
    return env


@pytest.fixture
async def oa_api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock, wechat: WeChatSandbox
) -> AsyncIterator[Api]:
    """The app with the Official Account configured (appid, token and secret)."""
    settings = harness.settings_for(database_url, **platform_env, **oa_env(wechat))
    async with harness.running_api(settings, clock) as running:
        yield running


@pytest.fixture
async def oa_without_secret_api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock, wechat: WeChatSandbox
) -> AsyncIterator[Api]:
    """The bot's Official Account without WECHAT_OA_SECRET: no server API, no template."""
    settings = harness.settings_for(database_url, **platform_env, **oa_env(wechat, secret=False))
    async with harness.running_api(settings, clock) as running:
        yield running


def dispatcher(api: Api) -> Dispatcher:
    """The worker's dispatcher, sending through the app's own platform clients."""
    app = api.server.app
    services = app.ctx.services
    return make_dispatcher(app.ctx.notify_registry, services.platforms, services.settings.notify)


async def follower_case(api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox) -> dict[str, str]:
    """A citizen (mini-program user, no consent) linked to an OA follower, with a case
    filed and accepted. Returns the clerk's token, the case number and the OA openid."""
    register_templates(api.server.app.ctx.notify_registry, wechat, alipay)
    await b.add_item()
    openid = "o-oa-citizen"
    token = await b.citizen_token(api, wechat, openid=openid)
    account = await PlatformAccount.get(open_id=openid)
    oa_openid = wechat.add_follower(OA_APPID)
    await OaLink.create(
        app_id=OA_APPID,
        open_id=oa_openid,
        citizen_id=account.citizen_id,  # type: ignore[attr-defined]
        via="code",
        linked_at=datetime.now(CST),
    )
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, token)
    await b.act(api, clerk, number, "accept")
    return {"clerk": clerk, "number": number, "oa_openid": oa_openid, "token": token}


async def messages(api: Api, case: dict[str, str]) -> list[tuple[Any, ...]]:
    path = f"/api/v1/staff/applications/{case['number']}"
    status, body, _ = await api.call("GET", path, token=case["clerk"])
    assert status == 200, body
    return [(m["event"], m["channel"], m["status"], m["error"]) for m in body["messages"]]


async def test_a_follower_without_consent_gets_the_official_account_message(
    oa_api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    case = await follower_case(oa_api, wechat, alipay)
    queued = [("application.submitted", "official_account", "queued", None)]
    queued.append(("application.accepted", "official_account", "queued", None))
    assert await messages(oa_api, case) == queued
    assert await dispatcher(oa_api).run_until_idle() == 2
    assert [m[1:3] for m in await messages(oa_api, case)] == [("official_account", "sent")] * 2
    assert wechat.calls[SUBSCRIBE] == 0
    first, second = wechat.oa_sent
    assert {first["appid"], second["appid"]} == {OA_APPID}
    assert (second["touser"], second["template_id"]) == (case["oa_openid"], PROGRESS)
    assert second["data"]["character_string1"] == {"value": case["number"]}
    assert 1 <= len(second["data"]["thing3"]["value"]) <= 20  # fitted like a WeChat thing
    assert second["miniprogram"] == {
        "appid": harness.WECHAT_APPID,
        "pagepath": f"pages/case/detail?number={case['number']}",
    }
    assert wechat.token_fetches[OA_APPID] == 1  # the OA's own token, fetched once


async def test_an_unfollowed_citizen_is_no_consent_with_nothing_left_to_try(
    oa_api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    case = await follower_case(oa_api, wechat, alipay)
    wechat.unfollow(case["oa_openid"])
    assert await dispatcher(oa_api).run_until_idle() == 2
    shown = await messages(oa_api, case)
    assert [m[1:3] for m in shown] == [("official_account", "no_consent")] * 2
    assert all(str(m[3]).startswith("43004") for m in shown)
    assert wechat.oa_sent == [] and wechat.calls[OA_TEMPLATE] == 2


async def test_a_refused_mini_program_message_falls_back_to_the_official_account(
    oa_api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    """The ledger holds a WeChat consent the platform no longer has (43101): the milestone
    goes out on the Official Account instead."""
    register_templates(oa_api.server.app.ctx.notify_registry, wechat, alipay)
    await b.add_item()
    openid = "o-oa-fallback"
    token = await b.citizen_token(oa_api, wechat, openid=openid)
    status, _, _ = await oa_api.call(
        "POST",
        "/api/v1/consents",
        token=token,
        json={"platform": "wechat", "accepted": ["wx-demo-case-progress"]},
    )
    assert status == 200
    account = await PlatformAccount.get(open_id=openid)
    oa_openid = wechat.add_follower(OA_APPID)
    await OaLink.create(
        app_id=OA_APPID,
        open_id=oa_openid,
        citizen_id=account.citizen_id,  # type: ignore[attr-defined]
        via="unionid",
        linked_at=datetime.now(CST),
    )
    clerk = await b.staff_token(oa_api, "clerk1")
    number = await b.file_case(oa_api, token)
    case = {"clerk": clerk, "number": number}
    assert [m[1:3] for m in await messages(oa_api, case)] == [("wechat", "queued")]
    await dispatcher(oa_api).run_until_idle()
    assert [m[1:3] for m in await messages(oa_api, case)] == [
        ("wechat", "no_consent"),
        ("official_account", "sent"),
    ]
    [sent] = wechat.oa_sent
    assert sent["touser"] == oa_openid and sent["data"]["character_string1"]["value"] == number


async def test_without_the_official_account_a_follower_is_not_reached(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    case = await follower_case(api, wechat, alipay)
    # a mini-program account without consent: shown as no_consent, not as unreachable
    assert [m[1:3] for m in await messages(api, case)] == [("none", "no_consent")] * 2
    assert await dispatcher(api).run_until_idle() == 0
    assert wechat.calls[OA_TEMPLATE] == 0


async def test_the_official_account_needs_its_secret_to_send(
    oa_without_secret_api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    case = await follower_case(oa_without_secret_api, wechat, alipay)
    shown = await messages(oa_without_secret_api, case)
    assert [m[1:3] for m in shown] == [("none", "no_consent")] * 2


async def test_the_sandbox_judges_template_messages(wechat: WeChatSandbox) -> None:
    wechat.add_app(OA_APPID, OA_SECRET)
    wechat.add_oa_template(PROGRESS, ["character_string1", "thing2"])
    follower = wechat.add_follower(OA_APPID)
    stranger = wechat.add_follower("wx-another-oa")
    good = {"character_string1": "20261126-000001-0", "thing2": "城乡居民最低生活保障"}
    async with new_session(timeout=2.0) as http:
        client = WeChatClient(http, wechat.base_url, OA_APPID, OA_SECRET, MemoryState())
        cases: list[tuple[str, str, dict[str, str], int]] = [
            (follower, "nope", good, 40037),
            (stranger, PROGRESS, good, 40003),
            (follower, PROGRESS, {"character_string1": "1"}, 47003),
            (follower, PROGRESS, good | {"thing2": "很" * 21}, 47003),
        ]
        for touser, template_id, data, errcode in cases:
            with pytest.raises(Permanent) as caught:
                await client.send_template_message(touser, template_id, data, None)
            assert caught.value.platform_code == errcode
        await client.send_template_message(
            follower, PROGRESS, good, "pages/x", miniprogram_appid=None
        )
        wechat.revoke_tokens(OA_APPID)  # 40001: refreshed once and sent
        await client.send_template_message(follower, PROGRESS, good | {"thing2": "很" * 20}, None)
        wechat.fail_next(OA_TEMPLATE, 43004)
        with pytest.raises(Permanent) as caught:
            await client.send_template_message(follower, PROGRESS, good, None)
        assert caught.value.platform_code == 43004 and is_no_consent(caught.value)
    assert len(wechat.oa_sent) == 2
    assert wechat.oa_sent[0]["miniprogram"] is None  # no mini-program appid: no link


OA_RULES = [  # key, a value the platform takes, one it refuses (47003)
    ("phrase3", "已受理", "已受理完毕了"),
    ("time4", "2026年11月26日 14:00", "明天下午"),
    ("date5", "2026年11月26日", "2026年2月30日"),
    ("character_string6", "20261126-000001-0", "编号20261126"),
    ("number7", "12.5", "十二"),
    ("name8", "张三", "张三Smith"),
    ("amount9", "¥100.50", "一百元"),
]


@pytest.mark.parametrize(("key", "good", "bad"), OA_RULES, ids=[r[0] for r in OA_RULES])
async def test_every_key_type_of_a_template_message_is_checked(
    wechat: WeChatSandbox, key: str, good: str, bad: str
) -> None:
    """Not only ``thing`` lengths: a client sending an unfitted value of any type fails."""
    wechat.add_app(OA_APPID, OA_SECRET)
    wechat.add_oa_template("oa-typed", ["thing1", key])
    follower = wechat.add_follower(OA_APPID)
    async with new_session(timeout=2.0) as http:
        client = WeChatClient(http, wechat.base_url, OA_APPID, OA_SECRET, MemoryState())
        await client.send_template_message(
            follower, "oa-typed", {"thing1": "办件进度", key: good}, None
        )
        with pytest.raises(Permanent) as caught:
            await client.send_template_message(
                follower, "oa-typed", {"thing1": "办件进度", key: bad}, None
            )
        assert caught.value.platform_code == 47003
        assert f"data.{key}.value" in caught.value.details["errmsg"]
    assert [m["data"][key] for m in wechat.oa_sent] == [{"value": good}]
    with pytest.raises(ValueError, match="unknown type"):
        wechat.add_oa_template("oa-untyped", ["first", "keyword1", "remark"])


def test_official_account_templates_are_for_case_events_with_typed_keys(tmp_path: Path) -> None:
    entry = {"template_id": "oa-x", "page": "", "data": {"keyword1": "{title}"}}
    path = tmp_path / "templates.json"
    path.write_text(json.dumps({"events": {"topic.gaokao": {"official_account": entry}}}))
    with pytest.raises(SettingsError) as caught:
        load_registry(path)
    assert "case events only" in str(caught.value.problems)
    entry["data"] = {"keyword1": "{number}"}
    path.write_text(json.dumps({"events": {"application.accepted": {"official_account": entry}}}))
    with pytest.raises(SettingsError) as caught:
        load_registry(path)
    assert "not a typed WeChat key" in str(caught.value.problems)
    registry = load_registry()
    template = registry.template("application.accepted", "official_account")
    assert template is not None and template.template_id == PROGRESS
