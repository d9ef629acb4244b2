"""GET /me, binding a phone, closing the account."""

from __future__ import annotations

from core.cases.models import Application
from core.identity.models import Citizen, PlatformAccount
from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness
from tests.harness import Api
from tests.miniapp_api.test_auth import wechat_login
from tests.miniapp_api.test_realname import (
    alipay_login,
    make_case,
    verify_on_alipay,
    verify_on_wechat,
)

PHONE = "13812345678"


async def test_me_before_anything(api: Api, wechat: WeChatSandbox) -> None:
    login = await wechat_login(api, wechat)
    status, me, _ = await api.call("GET", "/api/v1/me", token=login["token"])
    assert status == 200
    assert me == {
        "id": login["citizen"]["id"],
        "realname_verified": False,
        "name_masked": None,
        "id_number_masked": None,
        "phone_masked": None,
        "platforms": ["wechat"],
    }


async def test_bind_phone(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    code = wechat.issue_phone_code(harness.WECHAT_APPID, PHONE)
    status, me, _ = await api.call("POST", "/api/v1/me/phone", token=token, json={"code": code})
    assert (status, me["phone_masked"]) == (200, "138****5678")
    assert (await api.call("GET", "/api/v1/me", token=token))[1]["phone_masked"] == "138****5678"
    status, body, _ = await api.call("POST", "/api/v1/me/phone", token=token, json={"code": code})
    assert (status, body["error"]["code"]) == (422, "invalid_phone_code")  # a code works once
    stored = (await Citizen.get(id=me["id"])).phone_enc or ""
    assert stored.startswith("v1.") and PHONE not in stored


async def test_close_account(api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox) -> None:
    login = await wechat_login(api, wechat, openid="o-closing")
    token, citizen_id = login["token"], login["citizen"]["id"]
    other_token = (await wechat_login(api, wechat, openid="o-closing"))["token"]
    await verify_on_wechat(api, wechat, token)
    code = wechat.issue_phone_code(harness.WECHAT_APPID, PHONE)
    assert (await api.call("POST", "/api/v1/me/phone", token=token, json={"code": code}))[0] == 200
    number = await make_case(citizen_id, api)

    status, body, _ = await api.call("DELETE", "/api/v1/me", token=token)
    assert status == 204, body

    for old in (token, other_token):  # every session ends, not only the caller's
        status, body, _ = await api.call("GET", "/api/v1/me", token=old)
        assert status == 401
    closed = await Citizen.get(id=citizen_id)
    assert closed.closed_at is not None and closed.realname_verified is False
    assert [closed.name_enc, closed.id_number_enc, closed.id_number_index, closed.phone_enc] == [
        None,
        None,
        None,
        None,
    ]
    assert await PlatformAccount.filter(citizen_id=citizen_id).count() == 0
    assert await Application.filter(number=number, citizen_id=citizen_id).exists()  # case kept

    fresh = await wechat_login(api, wechat, openid="o-closing")  # same WeChat user, new citizen
    assert fresh["citizen"]["id"] != citizen_id
    assert fresh["citizen"]["realname_verified"] is False
    # the freed ID number can be verified again, by a new account, without joining the old one
    me = await verify_on_alipay(api, alipay, (await alipay_login(api, alipay))["token"])
    assert me["realname_verified"] is True and me["id"] != citizen_id


async def test_me_needs_a_live_session(api: Api) -> None:
    for method in ("GET", "DELETE"):
        status, body, _ = await api.call(method, "/api/v1/me")
        assert (status, body["error"]["code"]) == (401, "not_authenticated")
    status, _, _ = await api.call("POST", "/api/v1/me/phone", json={"code": "x"})
    assert status == 401


async def test_routes_are_documented(api: Api) -> None:
    status, document, _ = await api.call("GET", "/docs/openapi.json")
    assert status == 200
    paths = document["paths"]
    assert {"get", "delete"} <= set(paths["/api/v1/me"])
    for path in ("/api/v1/me/realname", "/api/v1/me/realname/confirm", "/api/v1/me/phone"):
        assert "post" in paths[path], path
    assert "phone_masked" in str(paths["/api/v1/me"]["get"])
