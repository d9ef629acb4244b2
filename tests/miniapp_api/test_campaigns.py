"""The staff campaign API: create, maker/checker approval, pause/resume/cancel, preview,
test-send and figures."""

from __future__ import annotations

import json
from typing import Any

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

BASE = "/api/v1/staff/campaigns"
BODY = {
    "name": "3·15 食品安全",
    "topic": "food_safety",
    "title": "3·15食品安全追溯查询",
    "summary": "扫码查询食品来源",
    "page": "pages/topics/food?from=315",
    "send_at": "2027-03-15T09:00:00+08:00",
    "quiet_hours": {"start": "21:00", "end": "08:00"},
    "rate_per_second": 100,
    "audience": {"realname_only": False, "towns": []},
}


async def _create(api: Api, token: str, **changes: Any) -> tuple[int, Any]:
    status, body, _ = await api.call("POST", BASE, token=token, json=BODY | changes)
    return status, body


async def test_create_approve_pause_resume_cancel(api: Api) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    checker = await b.staff_token(api, "pub.checker", role="publicity", department=None)
    status, made = await _create(api, maker)
    assert status == 201, made
    assert made["status"] == "draft"
    assert made["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    assert made["warnings"] == []  # everything fits as written
    assert made["figures"] == {
        "targeted": 0,
        "sent": 0,
        "no_consent": 0,
        "failed": 0,
        "remaining": 0,
        "failed_by_reason": {},
    }
    path = f"{BASE}/{made['id']}"
    status, body, _ = await api.call("POST", path + "/approve", token=maker)
    assert (status, body["error"]["code"]) == (403, "self_approval")
    status, body, _ = await api.call("POST", path + "/resume", token=checker)
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    status, body, _ = await api.call("POST", path + "/approve", token=checker)
    assert (status, body["status"]) == (200, "scheduled")
    status, body, _ = await api.call("POST", path + "/approve", token=checker)
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    for action, expected in (("pause", "paused"), ("resume", "scheduled"), ("cancel", "cancelled")):
        status, body, _ = await api.call("POST", f"{path}/{action}", token=maker)
        assert (status, body["status"]) == (200, expected)
    status, body, _ = await api.call("POST", path + "/resume", token=maker)
    assert status == 409
    status, body, _ = await api.call("GET", path, token=checker)
    assert body["status"] == "cancelled" and body["approver_id"] != body["author_id"]


async def test_only_publicity_or_admin(api: Api, wechat: WeChatSandbox) -> None:
    clerk = await b.staff_token(api, "clerk.one")
    status, body = await _create(api, clerk)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    admin = await b.staff_token(api, "admin.one", role="admin", department=None)
    status, made = await _create(api, admin)
    assert status == 201
    status, body, _ = await api.call("POST", f"{BASE}/{made['id']}/approve", token=clerk)
    assert status == 403
    citizen = await b.citizen_token(api, wechat)
    status, _ = await _create(api, citizen)
    assert status == 401


LONG_TITLE = "关于二〇二七年本区食品安全宣传周系列活动安排的通知和公告"  # 28 characters


async def test_a_long_title_is_accepted_and_sent_fitted(api: Api) -> None:
    """28 characters against WeChat's 20-character ``thing``: a draft, cut as case messages
    are, and the maker is told; the preview shows exactly that."""
    assert len(LONG_TITLE) == 28
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    summary = "扫码查询食品来源，" * 6  # 54 characters: over Alipay's 50 too
    status, made = await _create(api, maker, title=LONG_TITLE, summary=summary)
    assert (status, made["status"]) == (201, "draft"), made
    assert made["title"] == LONG_TITLE  # stored as written
    cut_title = LONG_TITLE[:19] + "…"
    assert made["warnings"] == [
        {
            "code": "shortened",
            "platform": "wechat",
            "key": "thing1",
            "fields": ["title"],
            "value": LONG_TITLE,
            "sent_as": cut_title,
        },
        {
            "code": "shortened",
            "platform": "wechat",
            "key": "thing2",
            "fields": ["summary"],
            "value": summary,
            "sent_as": summary[:19] + "…",
        },
        {
            "code": "shortened",
            "platform": "alipay",
            "key": "keyword2",
            "fields": ["summary"],
            "value": summary,
            "sent_as": summary[:49] + "…",
        },
    ]
    status, shown, _ = await api.call("GET", f"{BASE}/{made['id']}", token=maker)
    assert shown["warnings"] == made["warnings"]
    status, preview, _ = await api.call("POST", f"{BASE}/{made['id']}/preview", token=maker)
    assert status == 200
    assert preview["wechat"]["data"]["thing1"] == {"value": cut_title}
    assert preview["wechat"]["data"]["thing2"] == {"value": summary[:19] + "…"}
    alipay = json.loads(preview["alipay"]["data"])
    assert alipay["keyword1"] == {"value": LONG_TITLE}  # fits Alipay's 50 as written
    assert alipay["keyword2"] == {"value": summary[:49] + "…"}


async def test_validation(api: Api) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    for title in ("", "   ", 42, None):
        status, body = await _create(api, maker, title=title)
        assert (status, body["error"]["code"]) == (422, "invalid_value"), title
        assert body["error"]["details"] == {"field": "title"}
    status, body = await _create(api, maker, summary=["not", "text"])
    assert (status, body["error"]["code"]) == (422, "invalid_value")
    status, body = await _create(api, maker, topic="lottery")
    assert (status, body["error"]["code"]) == (422, "unknown_topic")
    status, body = await _create(api, maker, quiet_hours={"start": "25:00", "end": "08:00"})
    assert (status, body["error"]["code"]) == (422, "invalid_quiet_hours")
    status, body = await _create(api, maker, rate_per_second=0)
    assert status == 422
    status, body = await _create(api, maker, send_at="soon")
    assert (status, body["error"]["code"]) == (422, "invalid_send_at")
    status, body, _ = await api.call("GET", f"{BASE}/999", token=maker)
    assert (status, body["error"]["code"]) == (404, "campaign_not_found")


async def test_preview(api: Api) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    _, made = await _create(api, maker)
    status, body, _ = await api.call("POST", f"{BASE}/{made['id']}/preview", token=maker)
    assert status == 200
    assert body["wechat"]["data"]["thing1"] == {"value": BODY["title"]}
    assert body["wechat"]["data"]["time3"] == {"value": "2027年3月15日 09:00"}
    assert body["wechat"]["page"] == BODY["page"]
    assert body["alipay"]["user_template_id"]


async def test_lifecycle_on_postgres(pg_api: Api) -> None:
    maker = await b.staff_token(pg_api, "pub.maker", role="publicity", department=None)
    checker = await b.staff_token(pg_api, "pub.checker", role="admin", department=None)
    status, made = await _create(pg_api, maker)
    assert status == 201, made
    path = f"{BASE}/{made['id']}"
    for token, action, expected in (
        (checker, "approve", "scheduled"),
        (maker, "pause", "paused"),
        (maker, "resume", "scheduled"),
        (maker, "cancel", "cancelled"),
    ):
        status, body, _ = await pg_api.call("POST", f"{path}/{action}", token=token)
        assert (status, body["status"]) == (200, expected), body
    assert body["figures"]["targeted"] == 0
