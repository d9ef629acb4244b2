"""The staff campaign API: create, maker/checker approval, pause/resume/cancel, preview,
test-send and figures."""

from __future__ import annotations

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


async def test_validation(api: Api) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    status, body = await _create(api, maker, title="关于二〇二七年本区食品安全宣传周系列活动的安排")
    assert (status, body["error"]["code"]) == (422, "does_not_fit")
    assert body["error"]["details"]["problems"][0]["key"] == "thing1"
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


async def test_preview_and_test_send(api: Api, wechat: WeChatSandbox) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    _, made = await _create(api, maker)
    status, body, _ = await api.call("POST", f"{BASE}/{made['id']}/preview", token=maker)
    assert status == 200
    assert body["wechat"]["data"]["thing1"] == {"value": BODY["title"]}
    assert body["wechat"]["data"]["time3"] == {"value": "2027年3月15日 09:00"}
    assert body["wechat"]["page"] == BODY["page"]
    assert body["alipay"]["user_template_id"]
    staff_citizen = await b.citizen_token(api, wechat)
    me = await b.me(api, staff_citizen)
    status, body, _ = await api.call(
        "POST",
        f"{BASE}/{made['id']}/test-send",
        token=maker,
        json={"citizen_ids": [me["id"]]},
    )
    assert status == 200
    assert body["messages"] == [{"citizen_id": me["id"], "channel": "none", "status": "no_consent"}]
    status, body, _ = await api.call(
        "POST", f"{BASE}/{made['id']}/test-send", token=maker, json={"citizen_ids": ["x"]}
    )
    assert status == 422


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
