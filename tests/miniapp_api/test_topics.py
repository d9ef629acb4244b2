"""Topics: the list, subscribing and unsubscribing, consent templates and the feeds."""

from __future__ import annotations

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

KEYS = [
    "zhongkao",
    "gaokao",
    "vocational_exam",
    "highway_traffic",
    "bus_routes",
    "food_safety",
    "labour_rights",
]


async def _subscribed(api: Api, token: str) -> dict[str, bool]:
    status, body, _ = await api.call("GET", "/api/v1/topics", token=token)
    assert status == 200, body
    return {t["key"]: t["subscribed"] for t in body}


async def test_subscribe_and_unsubscribe(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    status, body, _ = await api.call("GET", "/api/v1/topics", token=token)
    assert status == 200
    assert [t["key"] for t in body] == KEYS
    assert body[1] == {"key": "gaokao", "name": "高考成绩", "subscribed": False}

    for _ in range(2):  # idempotent
        status, _, _ = await api.call("PUT", "/api/v1/topics/gaokao/subscription", token=token)
        assert status == 204
    assert await _subscribed(api, token) == {k: k == "gaokao" for k in KEYS}

    other = await b.citizen_token(api, wechat)
    assert not any((await _subscribed(api, other)).values())  # per citizen

    for _ in range(2):
        status, _, _ = await api.call("DELETE", "/api/v1/topics/gaokao/subscription", token=token)
        assert status == 204
    assert not any((await _subscribed(api, token)).values())


async def test_unknown_topic_and_anonymous(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    status, body, _ = await api.call("PUT", "/api/v1/topics/lottery/subscription", token=token)
    assert (status, body["error"]["code"]) == (404, "topic_not_found")
    status, _, _ = await api.call("GET", "/api/v1/topics")
    assert status == 401
    staff = await b.staff_token(api, "pub.one", role="publicity", department=None)
    status, _, _ = await api.call("GET", "/api/v1/topics", token=staff)
    assert status == 401


async def test_every_topic_has_a_consent_template(api: Api) -> None:
    for platform in ("wechat", "alipay"):
        status, body, _ = await api.call(
            "GET", f"/api/v1/notification-templates?platform={platform}"
        )
        assert status == 200
        events = {t["event"] for t in body}
        assert {f"topic.{k}" for k in KEYS} <= events


async def test_feeds_through_the_sandbox_adapter(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    status, body, _ = await api.call("GET", "/api/v1/topics/highway_traffic/feed", token=token)
    assert status == 200 and body and all(i["topic"] == "highway_traffic" for i in body)
    assert body[0]["at"].endswith("+08:00")
    status, body, _ = await api.call("GET", "/api/v1/bus/routes?q=K3", token=token)
    assert status == 200 and [r["number"] for r in body] == ["K3"]
    status, body, _ = await api.call("GET", "/api/v1/bus/routes?q=宜陵镇", token=token)
    assert [r["number"] for r in body] == ["6"]
    status, body, _ = await api.call("GET", "/api/v1/bus/routes", token=token)
    assert (status, body["error"]["code"]) == (422, "invalid_query")
    status, body, _ = await api.call("GET", "/api/v1/food-safety/trace/6901234567892", token=token)
    assert status == 200 and body["inspected"] is True
    status, body, _ = await api.call("GET", "/api/v1/food-safety/trace/000", token=token)
    assert (status, body["error"]["code"]) == (404, "trace_not_found")
