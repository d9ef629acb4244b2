"""Templates to ask consent for, the consent ledger, and messages on the staff case detail."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import SUBSCRIBE, WeChatSandbox
from notifications.dispatcher import Dispatcher
from notifications.worker_jobs import make_dispatcher
from tests import builders as b
from tests.harness import Api
from tests.notifications.conftest import register_templates

PROGRESS, SUPPLEMENT = "wx-demo-case-progress", "wx-demo-supplement"


def dispatcher(api: Api) -> Dispatcher:
    """The worker's dispatcher, sending through the app's own platform clients."""
    app = api.server.app
    services = app.ctx.services
    return make_dispatcher(app.ctx.notify_registry, services.platforms, services.settings.notify)


async def consent(api: Api, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    status, answer, _ = await api.call("POST", "/api/v1/consents", token=token, json=body)
    return status, answer


def credits(answer: dict[str, Any], template_id: str) -> int:
    return int(next(c["credits"] for c in answer["consents"] if c["template_id"] == template_id))


async def test_templates_to_ask_consent_for(api: Api) -> None:
    status, body, _ = await api.call("GET", "/api/v1/notification-templates?platform=wechat")
    assert status == 200
    events = {t["event"]: t["template_id"] for t in body}
    assert events["application.accepted"] == PROGRESS
    assert events["application.supplement_requested"] == SUPPLEMENT
    assert "topic.zhongkao" in events and all(t["long_term"] is False for t in body)
    assert events["policy.eligible"] == "wx-demo-policy"  # benefits without applying
    status, body, _ = await api.call("GET", "/api/v1/notification-templates?platform=alipay")
    assert status == 200 and body[0]["template_id"].startswith("ali-")
    status, body, _ = await api.call("GET", "/api/v1/notification-templates?platform=qq")
    assert (status, body["error"]["details"]) == (422, {"field": "platform"})


async def test_without_a_platform_both_platforms_templates_are_listed(api: Api) -> None:
    status, body, _ = await api.call("GET", "/api/v1/notification-templates")
    assert status == 200
    each: list[tuple[str, str, str]] = []
    for platform in ("wechat", "alipay"):
        _, alone, _ = await api.call("GET", f"/api/v1/notification-templates?platform={platform}")
        each += [(platform, t["event"], t["template_id"]) for t in alone]
    assert [(t["platform"], t["event"], t["template_id"]) for t in body] == each


async def test_each_accept_is_one_credit_and_rejections_are_counted(
    api: Api, wechat: WeChatSandbox
) -> None:
    token = await b.citizen_token(api, wechat)
    status, body = await consent(
        api, token, {"platform": "wechat", "accepted": [PROGRESS, PROGRESS], "rejected": []}
    )
    assert status == 200 and credits(body, PROGRESS) == 1  # one tap answers an id once
    _, body = await consent(api, token, {"platform": "wechat", "accepted": [PROGRESS]})
    _, body = await consent(api, token, {"platform": "wechat", "rejected": [SUPPLEMENT]})
    entry = next(c for c in body["consents"] if c["template_id"] == SUPPLEMENT)
    assert credits(body, PROGRESS) == 2 and (entry["credits"], entry["rejections"]) == (0, 1)
    assert "application.accepted" in next(
        c["events"] for c in body["consents"] if c["template_id"] == PROGRESS
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"platform": "wechat", "accepted": ["nope"]}, 422, "unknown_template"),
        (
            {"platform": "wechat", "accepted": [PROGRESS], "rejected": [PROGRESS]},
            422,
            "conflicting",
        ),
        ({"platform": "wechat", "accepted": "x"}, 422, "invalid_value"),
        ({"platform": "qq", "accepted": []}, 422, "invalid_value"),
        (
            {"platform": "alipay", "accepted": ["ali-demo-case-progress"]},
            409,
            "no_platform_account",
        ),
    ],
)
async def test_bad_consent_reports_are_refused(
    api: Api, wechat: WeChatSandbox, body: dict[str, Any], status: int, code: str
) -> None:
    token = await b.citizen_token(api, wechat)
    got, answer = await consent(api, token, body)
    assert (got, answer["error"]["code"]) == (status, code)


async def test_more_templates_than_one_tap_allows_are_refused(
    api: Api, wechat: WeChatSandbox
) -> None:
    token = await b.citizen_token(api, wechat)
    _, body, _ = await api.call("GET", "/api/v1/notification-templates?platform=wechat")
    ids = sorted({t["template_id"] for t in body})
    assert len(ids) == 7  # case progress, result, delivery, supplement, topic, feedback, policy
    got, answer = await consent(api, token, {"platform": "wechat", "accepted": ids})
    assert (got, answer["error"]["code"]) == (422, "too_many_templates")
    got, answer = await consent(api, token, {"platform": "wechat", "accepted": ids[:5]})
    assert got == 200  # the mini-program asks in two taps
    status, _, _ = await api.call("POST", "/api/v1/consents", json={"platform": "wechat"})
    assert status == 401


async def test_each_milestone_message_shows_on_the_staff_case_detail(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    register_templates(api.server.app.ctx.notify_registry, wechat, alipay)
    await b.add_item()
    openid = "o-notify-citizen"
    token = await b.citizen_token(api, wechat, openid=openid)
    await consent(api, token, {"platform": "wechat", "accepted": [PROGRESS, SUPPLEMENT]})
    wechat.grant_consent(openid, PROGRESS)
    wechat.grant_consent(openid, SUPPLEMENT)
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, token)
    await b.act(api, clerk, number, "request_supplement", note="请补充户口簿首页")
    status, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert status == 200
    assert case["messages"] == [
        {
            "event": "application.submitted",
            "channel": "wechat",
            "status": "queued",
            "attempts": 0,
            "error": None,
        },
        {
            "event": "application.supplement_requested",
            "channel": "wechat",
            "status": "queued",
            "attempts": 0,
            "error": None,
        },
    ]
    wechat.fail_next(SUBSCRIBE, 47003)  # the first send breaks a field rule
    assert await dispatcher(api).run_until_idle() == 2
    _, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    shown = [(m["status"], m["attempts"]) for m in case["messages"]]
    assert sorted(shown) == [("failed", 1), ("sent", 1)]
    assert any((m["error"] or "").startswith("47003") for m in case["messages"])
    [sent] = wechat.sent
    assert sent["touser"] == openid and sent["data"]["character_string1"]["value"] == number


async def test_a_citizen_without_consent_is_shown_as_no_consent(
    api: Api, wechat: WeChatSandbox
) -> None:
    token, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "accept")
    _, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert [(m["event"], m["channel"], m["status"]) for m in case["messages"]] == [
        ("application.submitted", "none", "no_consent"),
        ("application.accepted", "none", "no_consent"),
    ]
    assert await dispatcher(api).run_until_idle() == 0
    assert wechat.calls[SUBSCRIBE] == 0
