"""The sandbox's wire protocol, spoken by the SDK directly (not through our client)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from alipay import AliPay
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from core.clock import CST
from integrations.alipay.keys import KeyPair
from integrations.alipay.sandbox import AlipaySandbox
from integrations.alipay.sandbox_methods import LOGIN, TEMPLATE_SEND
from tests.integrations.alipay.conftest import APPID

LOGIN_NODE = "alipay_system_oauth_token_response"


def _signed(
    keys: KeyPair, method: str, biz: dict[str, Any] | None = None, **top: str
) -> dict[str, str]:
    """Common + method parameters signed by the SDK, as a decoded dict."""
    sdk = AliPay(
        appid=APPID,
        app_notify_url=None,
        app_private_key_string=keys.private_pem,
        alipay_public_key_string=keys.public_pem,
        sign_type="RSA2",
    )
    stamp = datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
    return dict(parse_qsl(sdk.sign_data(sdk.build_body(method, biz, timestamp=stamp, **top))))


async def _post(session: aiohttp.ClientSession, url: str, params: dict[str, str]) -> str:
    async with session.post(url, data=params) as answer:
        assert answer.status == 200
        assert answer.content_type == "application/json"
        return await answer.text()


def _node_text(raw: str, node_name: str) -> str:
    start = raw.index("{", raw.index(f'"{node_name}"'))
    end = raw.rindex(',"sign"') if '"sign"' in raw else len(raw) - 1
    return raw[start:end]


async def test_get_query_and_answer_signed_over_the_node_text(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair
) -> None:
    code = sandbox.issue_auth_code(APPID, open_id="074aGET", user_id="2088000000000001")
    params = _signed(app_keys, LOGIN, grant_type="authorization_code", code=code)

    async with session.get(sandbox.gateway_url, params=params) as answer:
        raw = await answer.text()

    node_text = _node_text(raw, LOGIN_NODE)
    key = serialization.load_pem_public_key(sandbox.alipay_public_key_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    signature = base64.b64decode(json.loads(raw)["sign"])
    key.verify(signature, node_text.encode(), padding.PKCS1v15(), hashes.SHA256())
    node = json.loads(node_text)
    assert (node["code"], node["msg"], node["open_id"]) == ("10000", "Success", "074aGET")
    assert node["user_id"] == "2088000000000001"
    assert {"access_token", "expires_in", "refresh_token", "re_expires_in", "auth_start"} <= set(
        node
    )


async def test_missing_method_is_an_unsigned_error_response(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair
) -> None:
    params = _signed(app_keys, LOGIN, grant_type="authorization_code", code="x")
    del params["method"]

    body = json.loads(await _post(session, sandbox.gateway_url, params))

    assert "sign" not in body
    assert body["error_response"]["code"] == "40001"
    assert body["error_response"]["sub_code"] == "isv.missing-method"


@pytest.mark.parametrize(
    ("change", "sub_code"),
    [
        ({"sign": None}, "isv.invalid-signature"),
        ({"code": "tampered"}, "isv.invalid-signature"),
        ({"sign": "not base64!"}, "isv.invalid-signature"),
        ({"timestamp": "2020-01-01 00:00:00"}, "isv.invalid-timestamp"),
        ({"timestamp": "yesterday"}, "isv.invalid-timestamp"),
        ({"sign_type": "RSA"}, "isv.invalid-signature-type"),
        ({"app_id": "2021009999999999"}, "isv.invalid-app-id"),
    ],
)
async def test_envelope_is_checked(
    sandbox: AlipaySandbox,
    session: aiohttp.ClientSession,
    app_keys: KeyPair,
    change: dict[str, str | None],
    sub_code: str,
) -> None:
    params = _signed(app_keys, LOGIN, grant_type="authorization_code", code="x")
    for name, value in change.items():
        if value is None:
            del params[name]
        else:
            params[name] = value

    body = json.loads(await _post(session, sandbox.gateway_url, params))

    assert body[LOGIN_NODE]["code"] == "40002"
    assert body[LOGIN_NODE]["sub_code"] == sub_code
    # An unknown app cannot be answered with its key pair's counterpart: unsigned.
    assert ("sign" in body) is (sub_code != "isv.invalid-app-id")


async def test_missing_timestamp(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair
) -> None:
    params = _signed(app_keys, LOGIN, grant_type="authorization_code", code="x")
    del params["timestamp"]

    body = json.loads(await _post(session, sandbox.gateway_url, params))

    assert body[LOGIN_NODE]["code"] == "40001"
    assert body[LOGIN_NODE]["sub_code"] == "isv.missing-timestamp"


async def test_faults_are_counted_and_run_out(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair
) -> None:
    sandbox.fail_next(LOGIN, "20000", count=2)
    codes = []
    for _ in range(3):
        code = sandbox.issue_auth_code(APPID)
        params = _signed(app_keys, LOGIN, grant_type="authorization_code", code=code)
        body = json.loads(await _post(session, sandbox.gateway_url, params))
        codes.append(body[LOGIN_NODE]["code"])

    assert codes == ["20000", "20000", "10000"]
    assert sandbox.calls[LOGIN] == 3


async def test_template_data_must_be_a_json_string(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair
) -> None:
    sandbox.add_template("T1", ["keyword1"])
    sandbox.add_user(APPID, "074aU")
    sandbox.grant_consent("074aU", "T1")
    biz = {
        "to_open_id": "074aU",
        "user_template_id": "T1",
        "page": "pages/index",
        "data": {"keyword1": {"value": "an object, not a string"}},
    }

    params = _signed(app_keys, TEMPLATE_SEND, biz)
    body = json.loads(await _post(session, sandbox.gateway_url, params))

    node = body["alipay_open_app_mini_templatemessage_send_response"]
    assert (node["code"], node["sub_code"]) == ("40004", "INVALID_PARAMETER")
    assert sandbox.sent == []


async def test_fixed_port_and_context_manager(gateway_keys: KeyPair) -> None:
    async with AlipaySandbox(private_key_pem=gateway_keys.private_pem) as first:
        port = first.port
    async with AlipaySandbox(port=port, private_key_pem=gateway_keys.private_pem) as second:
        assert second.gateway_url == f"http://127.0.0.1:{port}/gateway.do"
