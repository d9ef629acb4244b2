"""Citizen login through the HTTP API against the WeChat and Alipay sandboxes."""

from __future__ import annotations

import asyncio

from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness
from tests.harness import Api

APPID = harness.WECHAT_APPID


async def wechat_login(api: Api, wechat: WeChatSandbox, openid: str | None = None) -> dict:
    code = wechat.issue_code(APPID, openid=openid)
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": code})
    assert status == 200, body
    return body


async def test_wechat_login_then_me(api: Api, wechat: WeChatSandbox) -> None:
    body = await wechat_login(api, wechat)
    assert body["citizen"]["realname_verified"] is False
    status, me, _ = await api.call("GET", "/api/v1/me", token=body["token"])
    assert status == 200
    assert me["id"] == body["citizen"]["id"]
    assert me["platforms"] == ["wechat"]
    assert me["name_masked"] is None and me["id_number_masked"] is None


async def test_same_openid_is_same_citizen(api: Api, wechat: WeChatSandbox) -> None:
    first = await wechat_login(api, wechat, openid="o-same")
    second = await wechat_login(api, wechat, openid="o-same")
    other = await wechat_login(api, wechat, openid="o-other")
    assert first["citizen"]["id"] == second["citizen"]["id"] != other["citizen"]["id"]
    assert first["token"] != second["token"]


async def test_concurrent_first_logins_make_one_citizen(api: Api, wechat: WeChatSandbox) -> None:
    codes = [wechat.issue_code(APPID, openid="o-race") for _ in range(8)]
    results = await asyncio.gather(
        *(api.call("POST", "/api/v1/auth/wechat", json={"code": c}) for c in codes)
    )
    assert [status for status, _, _ in results] == [200] * 8
    assert len({body["citizen"]["id"] for _, body, _ in results}) == 1


async def test_code_works_once(api: Api, wechat: WeChatSandbox) -> None:
    code = wechat.issue_code(APPID)
    status, _, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": code})
    assert status == 200
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": code})
    assert status == 401
    assert body["error"]["code"] == "invalid_login_code"


async def test_unknown_code_is_401(api: Api) -> None:
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": "nonsense"})
    assert (status, body["error"]["code"]) == (401, "invalid_login_code")


async def test_wechat_busy_is_503_with_retry_after(api: Api, wechat: WeChatSandbox) -> None:
    wechat.fail_next("/sns/jscode2session", errcode=-1)
    status, body, resp = await api.call(
        "POST", "/api/v1/auth/wechat", json={"code": wechat.issue_code(APPID)}
    )
    assert status == 503
    assert body["error"]["code"] == "upstream_unavailable"
    assert int(resp.headers["Retry-After"]) >= 1


async def test_wechat_rate_limit_is_429(api: Api, wechat: WeChatSandbox) -> None:
    wechat.fail_next("/sns/jscode2session", errcode=45011)
    status, body, resp = await api.call(
        "POST", "/api/v1/auth/wechat", json={"code": wechat.issue_code(APPID)}
    )
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    assert "Retry-After" in resp.headers


async def test_alipay_login_and_me(api: Api, alipay: AlipaySandbox) -> None:
    code = alipay.issue_auth_code(harness.ALIPAY_APPID, open_id="ali-open-1", user_id="2088000001")
    status, body, _ = await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": code})
    assert status == 200, body
    status, me, _ = await api.call("GET", "/api/v1/me", token=body["token"])
    assert me["platforms"] == ["alipay"]
    again = alipay.issue_auth_code(harness.ALIPAY_APPID, open_id="ali-open-1")
    status, second, _ = await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": again})
    assert second["citizen"]["id"] == body["citizen"]["id"]


async def test_alipay_code_reuse_is_401(api: Api, alipay: AlipaySandbox) -> None:
    code = alipay.issue_auth_code(harness.ALIPAY_APPID)
    assert (await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": code}))[0] == 200
    status, body, _ = await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": code})
    assert (status, body["error"]["code"]) == (401, "invalid_login_code")


async def test_alipay_busy_is_503(api: Api, alipay: AlipaySandbox) -> None:
    alipay.fail_next("alipay.system.oauth.token", code="20000")
    code = alipay.issue_auth_code(harness.ALIPAY_APPID)
    status, body, resp = await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": code})
    assert status == 503 and "Retry-After" in resp.headers


async def test_bad_bodies(api: Api) -> None:
    status, body, _ = await api.call(
        "POST",
        "/api/v1/auth/wechat",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["error"]["code"]) == (400, "malformed_request")
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json=["code"])
    assert (status, body["error"]["code"]) == (400, "malformed_request")
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={})
    assert (status, body["error"]["code"]) == (422, "missing_field")
    assert body["error"]["details"] == {"field": "code"}
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": 12})
    assert status == 422


async def test_tokens_are_checked_and_revocable(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    assert (await api.call("GET", "/api/v1/me"))[0] == 401
    assert (await api.call("GET", "/api/v1/me", token=token[:-2] + "xx"))[0] == 401
    assert (await api.call("GET", "/api/v1/me", token="garbage"))[0] == 401
    assert (await api.call("GET", "/api/v1/me", token=token))[0] == 200  # now remembered
    sid, kind, expires, signature = token.split(".")
    for forged in (
        f"{sid}.{kind}.{int(expires) + 86400}.{signature}",  # a longer life, same signature
        f"{sid[:-1]}{'1' if sid.endswith('0') else '0'}.{kind}.{expires}.{signature}",
        f"{sid}.{kind}.{expires}.{signature[:-1]}é",  # not ASCII: 401, not a crash
    ):
        status, body, _ = await api.call("GET", "/api/v1/me", token=forged)
        assert (status, body["error"]["code"]) == (401, "invalid_token"), forged
    assert (await api.call("POST", "/api/v1/auth/logout", token=token))[0] == 204
    status, body, _ = await api.call("GET", "/api/v1/me", token=token)
    assert (status, body["error"]["code"]) == (401, "session_expired")


async def test_tokens_expire(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    assert (await api.call("GET", "/api/v1/me", token=token))[0] == 200
    api.clock.advance(days=7, seconds=1)
    status, body, _ = await api.call("GET", "/api/v1/me", token=token)
    assert (status, body["error"]["code"]) == (401, "session_expired")
