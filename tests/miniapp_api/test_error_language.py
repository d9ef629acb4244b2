"""Error messages: Chinese by default, English on request, never what a platform said."""

from __future__ import annotations

import pytest

from core.messages import MESSAGES
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness
from tests.harness import Api

ZH, EN = MESSAGES["not_authenticated"]


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, ZH),
        ("", ZH),
        ("zh-CN,zh;q=0.9,en;q=0.8", ZH),
        ("en", EN),
        ("en-US,en;q=0.9", EN),
        ("EN-gb", EN),
        ("zh-CN;q=0.5, en;q=0.9", EN),  # q-values decide, not the order written
        ("en;q=0.4, zh-TW;q=0.8", ZH),
        ("fr-FR, en;q=0.5", ZH),  # the first choice is not English: Chinese
        ("eng", ZH),  # not the primary subtag en
        ("en;q=abc", ZH),
    ],
)
async def test_language_follows_the_first_preference(
    api: Api, accept_language: str | None, expected: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    status, body, resp = await api.call("GET", "/api/v1/me", headers=headers)
    assert (status, body["error"]["code"]) == (401, "not_authenticated")
    assert body["error"]["message"] == expected
    assert "Accept-Language" in resp.headers.get("Vary", "")


async def test_sanic_errors_and_field_details_are_translated(api: Api) -> None:
    status, body, resp = await api.call("GET", "/no/such/path")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert body["error"]["message"] == MESSAGES["not_found"][0]
    status, body, _ = await api.call(
        "POST", "/api/v1/auth/wechat", json={}, headers={"Accept-Language": "en"}
    )
    assert (status, body["error"]["code"]) == (422, "missing_field")
    assert body["error"]["details"] == {"field": "code"}
    assert body["error"]["message"] == "Please fill in the login code and submit again."


async def test_a_wechat_refusal_reaches_the_caller_without_wechat_words(
    api: Api, wechat: WeChatSandbox
) -> None:
    code = wechat.issue_code(harness.WECHAT_APPID)
    assert (await api.call("POST", "/api/v1/auth/wechat", json={"code": code}))[0] == 200
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": code})
    assert (status, body["error"]["code"]) == (401, "invalid_login_code")
    assert body["error"]["message"] == MESSAGES["invalid_login_code"][0]
    text = str(body)
    assert "rid" not in text and "errmsg" not in text and "been used" not in text
