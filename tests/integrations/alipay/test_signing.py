"""RSA2 with ``cryptography``: the very bytes the SDK would send, and answers checked strictly."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from alipay import AliPay

from core.clock import CST
from integrations.alipay.client import LOGIN, TEMPLATE_SEND
from integrations.alipay.keys import KeyPair
from integrations.alipay.sandbox import AlipaySandbox
from integrations.alipay.signing import Rsa2Signer, SignatureMismatch, node_text
from tests.integrations.alipay.conftest import APPID

LOGIN_NODE = "alipay_system_oauth_token_response"
STAMP = "2026-11-26 14:00:05"


def _sdk(keys: KeyPair, alipay_public_pem: str | None = None) -> Any:
    return AliPay(
        appid=APPID,
        app_notify_url=None,
        app_private_key_string=keys.private_pem,
        alipay_public_key_string=alipay_public_pem or keys.public_pem,
        sign_type="RSA2",
    )


BODIES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    (LOGIN, {}, {"grant_type": "authorization_code", "code": "4b203fe6c11548bcabd8da5bb087a83b"}),
    (
        TEMPLATE_SEND,
        {
            "to_open_id": "074a-open+id/=",
            "user_template_id": "tpl&1",
            "page": "pages/case/detail?number=A-1&x=y z",
            "data": json.dumps({"keyword1": {"value": "已受理 {材料齐全}"}}, ensure_ascii=False),
        },
        {},
    ),
    (
        "alipay.user.certify.open.initialize",
        {"identity_param": {"cert_name": "张三", "cert_no": "11010519491231002X"}},
        {"notify_url": ""},
    ),
]


@pytest.mark.parametrize(("method", "biz", "top"), BODIES)
def test_signed_query_is_byte_identical_to_the_sdks(
    app_keys: KeyPair, method: str, biz: dict[str, Any], top: dict[str, str]
) -> None:
    sdk = _sdk(app_keys)
    ours = Rsa2Signer(app_keys.private_pem, app_keys.public_pem)

    theirs = sdk.sign_data(sdk.build_body(method, dict(biz), timestamp=STAMP, **top))
    mine = ours.signed_query(sdk.build_body(method, dict(biz), timestamp=STAMP, **top))

    assert mine == theirs


def test_signature_is_the_sdks_and_verifies_both_ways(app_keys: KeyPair) -> None:
    sdk = _sdk(app_keys)
    ours = Rsa2Signer(app_keys.private_pem, app_keys.public_pem)
    content = 'app_id=2021&biz_content={"a":"中文"}&method=x'

    assert ours.sign(content) == sdk._sign(content)  # the SDK's own signing, as the reference
    assert sdk._verify(content, ours.sign(content))
    ours.verify(content, sdk._sign(content))


async def test_sandbox_refuses_a_signature_by_another_key(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair, other_keys: KeyPair
) -> None:
    code = sandbox.issue_auth_code(APPID, open_id="074aSIGN")
    body = _sdk(app_keys).build_body(
        LOGIN, {}, timestamp=_cst_now(), grant_type="authorization_code", code=code
    )
    wrong = Rsa2Signer(other_keys.private_pem, sandbox.alipay_public_key_pem)

    raw = await _post(session, sandbox.gateway_url, wrong.signed_query(dict(body)))
    answer = json.loads(raw)
    refused = answer.get(LOGIN_NODE) or answer["error_response"]
    assert (refused["code"], refused["sub_code"]) == ("40002", "isv.invalid-signature")

    right = Rsa2Signer(app_keys.private_pem, sandbox.alipay_public_key_pem)
    raw = await _post(session, sandbox.gateway_url, right.signed_query(dict(body)))
    node = right.verified_node(raw, LOGIN_NODE, json.loads(raw)["sign"])
    assert (node["code"], node["open_id"]) == ("10000", "074aSIGN")


async def test_a_tampered_answer_does_not_verify(
    sandbox: AlipaySandbox, session: aiohttp.ClientSession, app_keys: KeyPair
) -> None:
    signer = Rsa2Signer(app_keys.private_pem, sandbox.alipay_public_key_pem)
    code = sandbox.issue_auth_code(APPID, open_id="074aTAMPER")
    body = _sdk(app_keys).build_body(
        LOGIN, {}, timestamp=_cst_now(), grant_type="authorization_code", code=code
    )
    raw = await _post(session, sandbox.gateway_url, signer.signed_query(body))
    sign = json.loads(raw)["sign"]
    assert signer.verified_node(raw, LOGIN_NODE, sign)["open_id"] == "074aTAMPER"

    tampered = raw.replace("074aTAMPER", "074aOTHERS")
    with pytest.raises(SignatureMismatch):
        signer.verified_node(tampered, LOGIN_NODE, sign)
    with pytest.raises(SignatureMismatch):
        signer.verified_node(raw, LOGIN_NODE, sign[:-4] + "AAA=")
    with pytest.raises(SignatureMismatch):
        signer.verified_node(raw, LOGIN_NODE, "not base64!")
    # the SDK, given the same answer and key, agrees on both
    sdk = _sdk(app_keys, sandbox.alipay_public_key_pem)
    assert sdk._verify(node_text(raw, LOGIN_NODE), sign)
    assert not sdk._verify(node_text(tampered, LOGIN_NODE), sign)


def test_node_text_is_the_exact_value_even_with_braces_in_strings() -> None:
    node = '{ "code":"10000", "msg":"a}b{", "nested":{"x":"}"} }'
    raw = '{"other":{"k":1},\n "' + LOGIN_NODE + '" :  ' + node + ',"sign":"c2ln"}'

    assert node_text(raw, LOGIN_NODE) == node
    with pytest.raises(SignatureMismatch):
        node_text('{"error_response":{}}', LOGIN_NODE)


def _cst_now() -> str:
    return datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")


async def _post(session: aiohttp.ClientSession, url: str, query: str) -> str:
    headers = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}
    async with session.post(url, data=query.encode(), headers=headers) as answer:
        assert answer.status == 200
        return await answer.text()
