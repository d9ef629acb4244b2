"""The sandboxes' demo endpoints: everything a person does inside WeChat or Alipay, by HTTP,
so a front end (or the simulator) walks both platforms against the real API."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests.harness import Api

CLAIM = {"name": "张三", "id_number": "11010519491231002X"}


async def sandbox(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    async with aiohttp.ClientSession() as http:
        # text/plain, as a browser sends it without a preflight
        data = None if body is None else json.dumps(body)
        headers = {"Content-Type": "text/plain", "Origin": "http://127.0.0.1:8000"}
        async with http.request(method, url, data=data, headers=headers) as resp:
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
            return await resp.json(content_type=None)


async def test_wechat_login_phone_face_and_messages(api: Api, wechat: WeChatSandbox) -> None:
    base = wechat.base_url
    got = await sandbox("POST", f"{base}/sandbox/login-code", {"openid": "o-demo-1"})
    _, login, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": got["code"]})
    token = login["token"]
    phone = await sandbox("POST", f"{base}/sandbox/phone-code", {"phone": "13812345678"})
    status, me, _ = await api.call("POST", "/api/v1/me/phone", token=token, json=phone)
    assert (status, me["phone_masked"]) == (200, "138****5678")

    status, started, _ = await api.call("POST", "/api/v1/me/realname", token=token, json=CLAIM)
    assert status == 202
    verification = started["verification"]
    told = {"verify_id": verification["verify_id"], "passed": False}
    assert (await sandbox("POST", f"{base}/sandbox/face", told))["errcode"] == 0
    confirm = {"verification_id": verification["id"]}
    status, body, _ = await api.call(
        "POST", "/api/v1/me/realname/confirm", token=token, json=confirm
    )
    assert (status, body["error"]["code"]) == (422, "verification_failed")
    unknown = await sandbox("POST", f"{base}/sandbox/face", {"verify_id": "x", "passed": True})
    assert unknown["errcode"] == 40097

    wechat.add_template("wx-t", ["thing1"])
    wechat.grant_consent("o-demo-1", "wx-t")
    wechat.sent.append({"touser": "o-demo-1", "template_id": "wx-t", "data": {}, "time": 1.0})
    wechat.sent.append({"touser": "o-other", "template_id": "wx-t", "data": {}, "time": 2.0})
    listed = await sandbox("GET", f"{base}/sandbox/messages?openid=o-demo-1")
    assert [m["template_id"] for m in listed["messages"]] == ["wx-t"]


async def test_alipay_login_consent_certify_and_messages(api: Api, alipay: AlipaySandbox) -> None:
    base = alipay.base_url
    got = await sandbox("POST", f"{base}/sandbox/auth-code", {"open_id": "ali-demo-1"})
    assert got["open_id"] == "ali-demo-1"
    status, login, _ = await api.call(
        "POST", "/api/v1/auth/alipay", json={"auth_code": got["auth_code"]}
    )
    assert status == 200
    token = login["token"]
    tap = {"open_id": "ali-demo-1", "template_ids": ["ali-demo-case-progress"]}
    assert (await sandbox("POST", f"{base}/sandbox/consent", tap))["code"] == "10000"
    assert alipay.consents_left("ali-demo-1", "ali-demo-case-progress") == 1

    status, started, _ = await api.call("POST", "/api/v1/me/realname", token=token, json=CLAIM)
    verification = started["verification"]
    assert status == 202 and verification["certify_id"]
    told = {"certify_id": verification["certify_id"], "passed": True}
    assert (await sandbox("POST", f"{base}/sandbox/certify", told))["code"] == "10000"
    confirm = {"verification_id": verification["id"]}
    status, me, _ = await api.call("POST", "/api/v1/me/realname/confirm", token=token, json=confirm)
    assert (status, me["realname_verified"]) == (200, True)
    listed = await sandbox("GET", f"{base}/sandbox/messages?open_id=ali-demo-1")
    assert listed == {"messages": []}


async def test_the_simulator_is_not_served_by_serve(api: Api) -> None:
    status, body, _ = await api.call("GET", "/demo/")
    assert (status, body["error"]["code"]) == (404, "not_found")
