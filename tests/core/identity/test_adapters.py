"""The three identity-provider adapters against their sandboxes (real HTTP for two of them)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from core.ports import IdentityClaim, IdentityVerifier
from integrations.alipay.client import AlipayClient
from integrations.alipay.sandbox import AlipaySandbox
from integrations.errors import Permanent
from integrations.http import new_session
from integrations.identity.alipay_certify import AlipayCertifyVerifier
from integrations.identity.sandbox import SandboxIdentityVerifier
from integrations.identity.wechat_face import WeChatFaceVerifier
from integrations.state import MemoryState
from integrations.wechat.client import WeChatClient
from integrations.wechat.sandbox import WeChatSandbox
from integrations.wiring import open_platforms
from tests import harness
from tests.rsa_keys import app_keypair

NAME, ID_NUMBER = "张三", "11010519491231002X"


def claim(open_id: str | None = None, order_no: str = "rn0123456789abcdef") -> IdentityClaim:
    return IdentityClaim(order_no, NAME, ID_NUMBER, open_id)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    session = new_session(timeout=5.0)
    yield session
    await session.close()


@pytest.fixture
def wechat_verifier(http: aiohttp.ClientSession, wechat: WeChatSandbox) -> WeChatFaceVerifier:
    client = WeChatClient(
        http, wechat.base_url, harness.WECHAT_APPID, harness.WECHAT_SECRET, MemoryState()
    )
    return WeChatFaceVerifier(client)


@pytest.fixture
async def alipay_verifier(
    http: aiohttp.ClientSession, alipay: AlipaySandbox
) -> AsyncIterator[AlipayCertifyVerifier]:
    client = AlipayClient(
        http,
        alipay.gateway_url,
        harness.ALIPAY_APPID,
        app_keypair()[0],
        alipay.alipay_public_key_pem,
    )
    yield AlipayCertifyVerifier(client)
    client.close()


@pytest.mark.parametrize("passed", [True, False])
async def test_wechat_face(
    wechat: WeChatSandbox, wechat_verifier: WeChatFaceVerifier, passed: bool
) -> None:
    openid = wechat.add_user(harness.WECHAT_APPID)
    ticket = await wechat_verifier.start(claim(openid))
    assert ticket.opens == {"verify_id": ticket.ref}
    assert await wechat_verifier.passed(claim(openid), ticket.ref) is False  # not done yet
    wechat.complete_face(ticket.ref, passed=passed)
    assert await wechat_verifier.passed(claim(openid), ticket.ref) is passed


async def test_wechat_face_query_must_repeat_the_claim(
    wechat: WeChatSandbox, wechat_verifier: WeChatFaceVerifier
) -> None:
    openid = wechat.add_user(harness.WECHAT_APPID)
    ticket = await wechat_verifier.start(claim(openid))
    wechat.complete_face(ticket.ref, passed=True)
    other = IdentityClaim(claim().order_no, "李四", ID_NUMBER, openid)
    with pytest.raises(Permanent):  # cert_hash differs: WeChat answers 40097
        await wechat_verifier.passed(other, ticket.ref)


async def test_wechat_face_needs_an_openid(wechat_verifier: WeChatFaceVerifier) -> None:
    with pytest.raises(Permanent):
        await wechat_verifier.start(claim(None))


@pytest.mark.parametrize("passed", [True, False])
async def test_alipay_certify(
    alipay: AlipaySandbox,
    alipay_verifier: AlipayCertifyVerifier,
    http: aiohttp.ClientSession,
    passed: bool,
) -> None:
    ticket = await alipay_verifier.start(claim())
    assert set(ticket.opens) == {"certify_id", "certify_url"}
    assert ticket.opens["certify_id"] == ticket.ref
    async with http.get(ticket.opens["certify_url"]) as page:  # the signed page opens
        assert page.status == 200
    held = alipay.certification(ticket.ref)
    assert (held.cert_name, held.cert_no) == (NAME, ID_NUMBER)
    assert held.return_url == f"alipays://platformapi/startapp?appId={harness.ALIPAY_APPID}"
    assert await alipay_verifier.passed(claim(), ticket.ref) is False
    alipay.complete_certify(ticket.ref, passed=passed)
    assert await alipay_verifier.passed(claim(), ticket.ref) is passed


async def test_sandbox_verifier() -> None:
    verifier = SandboxIdentityVerifier(MemoryState())
    first, second = await verifier.start(claim()), await verifier.start(claim())
    assert first.opens == {"sandbox_id": first.ref} and first.ref != second.ref
    assert await verifier.passed(claim(), first.ref) is False
    await verifier.complete(first.ref, passed=True)
    await verifier.complete(second.ref, passed=False)
    assert await verifier.passed(claim(), first.ref) is True
    assert await verifier.passed(claim(), second.ref) is False
    assert await verifier.passed(claim(), "sbx_unknown") is False
    with pytest.raises(KeyError):
        await verifier.complete("sbx_unknown", passed=True)


async def test_sandbox_auto_pass() -> None:
    verifier = SandboxIdentityVerifier(MemoryState(), auto_pass=True)
    ticket = await verifier.start(claim())
    assert await verifier.passed(claim(), ticket.ref) is True


async def test_adapters_satisfy_the_port(
    wechat_verifier: WeChatFaceVerifier, alipay_verifier: AlipayCertifyVerifier
) -> None:
    verifiers: list[IdentityVerifier] = [
        wechat_verifier,
        alipay_verifier,
        SandboxIdentityVerifier(MemoryState()),
    ]
    assert [v.provider for v in verifiers] == ["wechat_face", "alipay_certify", "sandbox"]


async def test_wiring_offers_only_real_providers(platform_env: dict[str, str]) -> None:
    both = open_platforms(harness.settings_for("sqlite://:memory:", **platform_env))
    wechat_only_env = {k: v for k, v in platform_env.items() if not k.startswith("ALIPAY")}
    wechat_only = open_platforms(harness.settings_for("sqlite://:memory:", **wechat_only_env))
    try:
        assert {k: v.provider for k, v in both.verifiers().items()} == {
            "wechat": "wechat_face",
            "alipay": "alipay_certify",
        }
        assert list(wechat_only.verifiers()) == ["wechat"]  # never a sandbox fallback
    finally:
        await both.close()
        await wechat_only.close()
