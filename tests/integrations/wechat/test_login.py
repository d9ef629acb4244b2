"""WeChatClient.login against the sandbox, over real HTTP on loopback."""

from __future__ import annotations

import aiohttp
import pytest

from core.errors import Forbidden, InvalidLoginCode, RateLimited
from integrations.errors import Permanent, Retryable
from integrations.http import new_session
from integrations.state import MemoryState
from integrations.wechat import client as client_module
from integrations.wechat.client import WeChatClient
from integrations.wechat.sandbox import LOGIN, WeChatSandbox
from tests.integrations.wechat.conftest import APPID, SECRET, FakeNow


@pytest.fixture
def client(sandbox: WeChatSandbox, session: aiohttp.ClientSession) -> WeChatClient:
    return WeChatClient(session, sandbox.base_url, APPID, SECRET, MemoryState())


async def test_login_answers_openid_and_session_key(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    identity = await client.login(sandbox.issue_code(APPID, openid="o-alice"))
    assert (identity.platform, identity.open_id, identity.union_id) == ("wechat", "o-alice", None)
    assert identity.session_key


async def test_login_answers_unionid_when_bound(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    identity = await client.login(sandbox.issue_code(APPID, unionid="u-alice"))
    assert identity.union_id == "u-alice"
    assert identity.open_id.startswith("o")


async def test_code_works_once(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    code = sandbox.issue_code(APPID)
    await client.login(code)
    with pytest.raises(InvalidLoginCode) as caught:
        await client.login(code)
    assert "40163" not in caught.value.message  # the user sees our message, not WeChat's
    assert "errmsg" not in caught.value.details


async def test_unknown_code(client: WeChatClient) -> None:
    with pytest.raises(InvalidLoginCode):
        await client.login("not-a-code-wechat-issued")


async def test_code_expires_after_five_minutes(
    client: WeChatClient, sandbox: WeChatSandbox, now: FakeNow
) -> None:
    code = sandbox.issue_code(APPID)
    now.advance(301)
    with pytest.raises(InvalidLoginCode):
        await client.login(code)


@pytest.mark.parametrize("code", ["", "x" * 129, "line\nbreak"])
async def test_malformed_code_is_refused_without_calling_out(
    client: WeChatClient, sandbox: WeChatSandbox, code: str
) -> None:
    with pytest.raises(InvalidLoginCode):
        await client.login(code)
    assert sandbox.calls[LOGIN] == 0


async def test_wrong_secret_is_permanent(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession
) -> None:
    wrong = WeChatClient(session, sandbox.base_url, APPID, "not-the-secret", MemoryState())
    with pytest.raises(Permanent) as caught:
        await wrong.login(sandbox.issue_code(APPID))
    assert caught.value.platform_code == 40125


async def test_busy_is_retryable_and_keeps_the_code(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    code = sandbox.issue_code(APPID, openid="o-bob")
    sandbox.fail_next(LOGIN, -1)
    with pytest.raises(Retryable) as caught:
        await client.login(code)
    assert caught.value.platform_code == -1
    assert (await client.login(code)).open_id == "o-bob"
    assert sandbox.calls[LOGIN] == 2


async def test_timeout_is_retryable(sandbox: WeChatSandbox) -> None:
    sandbox.fail_next(LOGIN, delay=1.0)
    async with new_session(timeout=0.2) as short:
        client = WeChatClient(short, sandbox.base_url, APPID, SECRET, MemoryState())
        with pytest.raises(Retryable, match="in time"):
            await client.login(sandbox.issue_code(APPID))


async def test_non_200_is_retryable(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    sandbox.fail_next(LOGIN, http_status=502)
    with pytest.raises(Retryable, match="HTTP 502"):
        await client.login(sandbox.issue_code(APPID))


def test_non_json_is_retryable() -> None:
    with pytest.raises(Retryable, match="non-JSON"):
        client_module._decode(200, "<html>gateway</html>", LOGIN)


async def test_unreachable_is_retryable(session: aiohttp.ClientSession) -> None:
    async with WeChatSandbox() as gone:
        url = gone.base_url
    client = WeChatClient(session, url, APPID, SECRET, MemoryState())
    with pytest.raises(Retryable, match="unreachable"):
        await client.login("a-code")


async def test_per_user_rate_limit_is_rate_limited(
    client: WeChatClient, sandbox: WeChatSandbox, now: FakeNow
) -> None:
    sandbox.login_limit.limit = 3  # the platform's 100 a minute, scaled down
    for _ in range(3):
        await client.login(sandbox.issue_code(APPID, openid="o-eager"))
    code = sandbox.issue_code(APPID, openid="o-eager")
    with pytest.raises(RateLimited) as caught:
        await client.login(code)
    assert caught.value.retry_after == 60
    await client.login(sandbox.issue_code(APPID, openid="o-calm"))  # others are not limited
    now.advance(60)
    assert (await client.login(code)).open_id == "o-eager"


async def test_risky_user_is_forbidden(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    code = sandbox.issue_code(APPID, openid="o-risky")
    sandbox.mark_risky("o-risky")
    with pytest.raises(Forbidden) as caught:
        await client.login(code)
    assert caught.value.code == "login_refused"


async def test_random_faults_are_seeded(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    sandbox.fault_rate(LOGIN, 1.0, [-1, 45011], seed=7)
    with pytest.raises((Retryable, RateLimited)):
        await client.login(sandbox.issue_code(APPID))
    sandbox.fault_rate(LOGIN, 0.0, [-1], seed=7)
    await client.login(sandbox.issue_code(APPID))


async def test_sandbox_hands_a_demo_front_end_a_login_code(
    client: WeChatClient, sandbox: WeChatSandbox, session: aiohttp.ClientSession
) -> None:
    async with session.post(sandbox.base_url + "/sandbox/login-code", json={}) as resp:
        issued = await resp.json(content_type=None)
    assert (await client.login(issued["code"])).open_id == issued["openid"]
