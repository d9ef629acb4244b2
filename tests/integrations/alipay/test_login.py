"""Login (alipay.system.oauth.token) through the real client against the sandbox."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from core.clock import CST
from core.errors import InvalidLoginCode
from core.ports import PlatformIdentity, PlatformLogin
from integrations.alipay.client import LOGIN, MAX_LOGIN_CODE_LENGTH, AlipayClient
from integrations.alipay.errors import AnswerSignatureInvalid
from integrations.alipay.keys import KeyPair
from integrations.alipay.sandbox import AlipaySandbox
from integrations.alipay.signing import Rsa2Signer
from integrations.errors import Permanent, Retryable
from integrations.http import new_session
from tests.integrations.alipay.conftest import APPID, OTHER_APPID, MakeClient


async def test_login_with_user_id(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    code = sandbox.issue_auth_code(APPID, open_id="074aOPEN", user_id="2088102122458832")

    identity = await client.login(code)

    assert identity == PlatformIdentity("alipay", "074aOPEN", union_id="2088102122458832")


async def test_login_without_user_id(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    code = sandbox.issue_auth_code(APPID, open_id="074aNEWAPP")

    identity = await client.login(code)

    assert identity.open_id == "074aNEWAPP"
    assert identity.union_id is None


async def test_client_is_a_platform_login(client: AlipayClient) -> None:
    login: PlatformLogin = client
    assert login.platform == "alipay"


async def test_code_works_once(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    code = sandbox.issue_auth_code(APPID)
    await client.login(code)

    with pytest.raises(InvalidLoginCode):
        await client.login(code)


async def test_foreign_apps_code_is_refused(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    code = sandbox.issue_auth_code(OTHER_APPID)

    with pytest.raises(InvalidLoginCode):
        await client.login(code)


async def test_unknown_code_is_refused(client: AlipayClient) -> None:
    with pytest.raises(InvalidLoginCode):
        await client.login("0" * 32)


@pytest.mark.parametrize("code", ["", "x" * (MAX_LOGIN_CODE_LENGTH + 1)])
async def test_empty_or_oversized_code_is_refused_without_a_call(
    sandbox: AlipaySandbox, client: AlipayClient, code: str
) -> None:
    with pytest.raises(InvalidLoginCode):
        await client.login(code)

    assert sandbox.calls[LOGIN] == 0


async def test_request_signed_with_wrong_key_is_refused(
    sandbox: AlipaySandbox, make_client: MakeClient, other_keys: KeyPair
) -> None:
    client = make_client(private_pem=other_keys.private_pem)
    code = sandbox.issue_auth_code(APPID)

    with pytest.raises(Permanent) as caught:
        await client.login(code)

    assert caught.value.platform_code == "isv.invalid-signature"
    assert caught.value.details["code"] == "40002"


async def test_unknown_app_is_refused(sandbox: AlipaySandbox, make_client: MakeClient) -> None:
    client = make_client(appid="2021009999999999")

    with pytest.raises(Permanent) as caught:
        await client.login("0" * 32)

    assert caught.value.platform_code == "isv.invalid-app-id"


async def test_answer_signed_with_wrong_key_is_rejected(
    sandbox: AlipaySandbox, client: AlipayClient
) -> None:
    sandbox.fail_next(LOGIN, code=None, bad_sign=True)

    with pytest.raises(AnswerSignatureInvalid) as caught:
        await client.login(sandbox.issue_auth_code(APPID))

    assert isinstance(caught.value, Permanent)


async def test_answer_checked_with_wrong_alipay_key_is_rejected(
    sandbox: AlipaySandbox, make_client: MakeClient, other_keys: KeyPair
) -> None:
    client = make_client(alipay_public_pem=other_keys.public_pem)

    with pytest.raises(AnswerSignatureInvalid):
        await client.login(sandbox.issue_auth_code(APPID))


async def test_busy_is_retryable_and_keeps_the_code(
    sandbox: AlipaySandbox, client: AlipayClient
) -> None:
    code = sandbox.issue_auth_code(APPID, open_id="074aRETRY")
    sandbox.fail_next(LOGIN, "20000")

    with pytest.raises(Retryable) as caught:
        await client.login(code)
    identity = await client.login(code)

    assert caught.value.platform_code == "isp.unknow-error"
    assert identity.open_id == "074aRETRY"
    assert sandbox.calls[LOGIN] == 2


async def test_timeout_is_retryable(sandbox: AlipaySandbox, make_client: MakeClient) -> None:
    impatient = new_session(timeout=0.2)
    try:
        client = make_client(http=impatient)
        sandbox.fail_next(LOGIN, code=None, delay=1.0)

        with pytest.raises(Retryable) as caught:
            await client.login(sandbox.issue_auth_code(APPID))
    finally:
        await impatient.close()

    assert "in time" in caught.value.message


async def test_non_200_answer_is_retryable(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    sandbox.fail_next(LOGIN, http_status=502)

    with pytest.raises(Retryable) as caught:
        await client.login(sandbox.issue_auth_code(APPID))

    assert caught.value.platform_code == 502


async def test_stale_timestamp_is_refused(
    gateway_keys: KeyPair, app_keys: KeyPair, make_client: MakeClient
) -> None:
    # The sandbox's clock runs 20 minutes ahead of ours: our timestamp looks stale to it.
    async with AlipaySandbox(
        now=lambda: _cst_now(minutes=20), private_key_pem=gateway_keys.private_pem
    ) as ahead:
        ahead.add_app(APPID, app_keys.public_pem)
        client = make_client(gateway=ahead.gateway_url)

        with pytest.raises(Permanent) as caught:
            await client.login(ahead.issue_auth_code(APPID))

    assert caught.value.platform_code == "isv.invalid-timestamp"


async def test_timestamp_is_china_time_whatever_the_process_zone(
    sandbox: AlipaySandbox, client: AlipayClient, restore_tz: None
) -> None:
    # New York is 12 or 13 hours behind Beijing: a local-time stamp would be refused.
    os.environ["TZ"] = "America/New_York"
    time.tzset()

    identity = await client.login(sandbox.issue_auth_code(APPID, open_id="074aTZ"))

    assert identity.open_id == "074aTZ"


async def test_rsa_work_never_runs_on_the_event_loop(
    sandbox: AlipaySandbox, client: AlipayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = _spy_on_rsa(monkeypatch)
    codes = [sandbox.issue_auth_code(APPID, open_id=f"074a{i}") for i in range(50)]

    identities = await asyncio.gather(*(client.login(code) for code in codes))

    assert [i.open_id for i in identities] == [f"074a{i}" for i in range(50)]
    assert len(threads) == 100  # one signature and one verification per login
    assert threading.get_ident() not in {ident for ident, _ in threads}
    assert {name.split("_")[0] for _, name in threads} == {"alipay-rsa"}
    assert len({ident for ident, _ in threads}) <= 2  # the pool is bounded


async def test_a_given_executor_is_used(
    sandbox: AlipaySandbox, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = _spy_on_rsa(monkeypatch)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shared-rsa") as pool:
        client = make_client(executor=pool)
        await client.login(sandbox.issue_auth_code(APPID))

    assert {name.split("_")[0] for _, name in threads} == {"shared-rsa"}


def _spy_on_rsa(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Record the thread of every RSA operation (a spy: the real work still runs)."""
    threads: list[tuple[int, str]] = []
    sign, verify = Rsa2Signer.sign, Rsa2Signer.verify

    def record() -> None:
        current = threading.current_thread()
        threads.append((threading.get_ident(), current.name))

    def spy_sign(self: Rsa2Signer, content: str) -> str:
        record()
        return sign(self, content)

    def spy_verify(self: Rsa2Signer, content: str, signature: str) -> None:
        record()
        verify(self, content, signature)

    monkeypatch.setattr(Rsa2Signer, "sign", spy_sign)
    monkeypatch.setattr(Rsa2Signer, "verify", spy_verify)
    return threads


def _cst_now(**delta: float) -> datetime:
    return datetime.now(CST) + timedelta(**delta)
