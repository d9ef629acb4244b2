"""The access token: stable_token's rules and one coordinated refresh across workers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from core.ports import SharedState
from integrations import keys
from integrations.errors import Retryable, TokenExpired
from integrations.state import MemoryState, RedisState
from integrations.wechat.client import PHONE_PATH, WeChatClient
from integrations.wechat.sandbox import PHONE, STABLE_TOKEN, TOKEN, WeChatSandbox
from integrations.wechat.sandbox_rules import TokenLimits
from integrations.wechat.token import AccessTokenManager
from tests.integrations.wechat.conftest import APPID, SECRET, FakeNow

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def state_url(request: pytest.FixtureRequest) -> str | None:
    """Each manager test runs on one process's memory and on a real Redis."""
    return str(request.getfixturevalue("redis_url")) if request.param == "redis" else None


@pytest.fixture
async def state(state_url: str | None) -> AsyncIterator[SharedState]:
    shared = RedisState(state_url) if state_url else MemoryState()
    yield shared
    await shared.close()


def make_client(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, state: SharedState, now: FakeNow
) -> WeChatClient:
    return WeChatClient(session, sandbox.base_url, APPID, SECRET, state, now=now)


async def test_stable_token_is_the_same_until_five_minutes_before_expiry(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow
) -> None:
    client = make_client(sandbox, session, MemoryState(), now)
    first, expires_in = await client.stable_token()
    assert expires_in == 7200
    now.advance(6899)
    assert await client.stable_token() == (first, 301)
    now.advance(2)
    second, expires_in = await client.stable_token()
    assert second != first and expires_in == 7200


async def test_manager_refreshes_only_when_less_than_five_minutes_remain(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow, state: SharedState
) -> None:
    client = make_client(sandbox, session, state, now)
    first = await client.tokens.get()
    now.advance(6899)
    assert await client.tokens.get() == first
    now.advance(2)
    assert await client.tokens.get() != first
    assert sandbox.token_fetches[APPID] == 2


async def test_fifty_concurrent_gets_fetch_once(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow, state: SharedState
) -> None:
    # Five managers on one state stand for five workers; each has ten callers at once.
    clients = [make_client(sandbox, session, state, now) for _ in range(5)]
    sandbox.fail_next(STABLE_TOKEN, delay=0.1)  # hold the first refresh so the rest contend
    tokens = await asyncio.gather(*(c.tokens.get() for c in clients for _ in range(10)))
    assert len(set(tokens)) == 1
    assert sandbox.token_fetches[APPID] == 1
    assert sandbox.calls[STABLE_TOKEN] == 1


async def test_hot_path_does_not_touch_shared_state(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow
) -> None:
    state = MemoryState()
    client = make_client(sandbox, session, state, now)
    token = await client.tokens.get()
    await state.delete(keys.WECHAT_TOKEN + APPID)  # the memo alone must answer
    assert await client.tokens.get() == token
    assert sandbox.token_fetches[APPID] == 1


async def test_invalidate_ignores_a_token_already_replaced(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow, state: SharedState
) -> None:
    client = make_client(sandbox, session, state, now)
    token = await client.tokens.get()
    await client.tokens.invalidate("some-older-token")
    assert await client.tokens.get() == token
    await client.tokens.invalidate(token)
    assert await state.get(keys.WECHAT_TOKEN + APPID) is None
    assert await client.tokens.get() == token  # stable_token answers the same, still valid
    assert sandbox.token_fetches[APPID] == 2


async def test_rejected_token_twenty_concurrent_calls_refresh_once_and_retry_once(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow, state: SharedState
) -> None:
    client = make_client(sandbox, session, state, now)
    old = await client.tokens.get()
    sandbox.revoke_tokens(APPID)  # every call with ``old`` now answers 40001
    codes = [sandbox.issue_phone_code(APPID, f"1380013{i:04d}") for i in range(20)]
    numbers = await asyncio.gather(*(client.get_phone_number(c) for c in codes))
    assert numbers == [f"1380013{i:04d}" for i in range(20)]
    assert sandbox.token_fetches[APPID] == 2  # the first fetch and one refresh
    assert sandbox.calls[PHONE] == 40  # each call: one rejected try, one retry
    assert await client.tokens.get() != old


async def test_a_second_rejection_is_not_retried_again(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow
) -> None:
    client = make_client(sandbox, session, MemoryState(), now)
    sandbox.fail_next(PHONE, 40001, count=2)
    with pytest.raises(TokenExpired):
        await client.call(PHONE_PATH, {"code": sandbox.issue_phone_code(APPID, "13800138000")})
    assert sandbox.calls[PHONE] == 2
    assert sandbox.token_fetches[APPID] == 2


async def test_expired_token_42001_is_refreshed(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow
) -> None:
    client = make_client(sandbox, session, MemoryState(), now)
    await client.tokens.get()
    sandbox.fail_next(PHONE, 42001)
    assert await client.get_phone_number(sandbox.issue_phone_code(APPID, "13800138000"))
    assert sandbox.calls[PHONE] == 2


async def test_waiting_for_a_stuck_refresher_is_bounded(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow, state: SharedState
) -> None:
    await state.acquire(keys.WECHAT_TOKEN_LOCK + APPID, ttl=30)  # another worker, stuck
    client = make_client(sandbox, session, state, now)
    manager = AccessTokenManager(state, client.stable_token, APPID, now, wait=0.2, poll=0.02)
    with pytest.raises(Retryable):
        await manager.get()
    assert sandbox.token_fetches[APPID] == 0


async def test_plain_token_leaves_the_previous_one_five_minutes(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow
) -> None:
    query = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}

    async def plain_token() -> str:
        async with session.get(sandbox.base_url + TOKEN, params=query) as resp:
            return str((await resp.json(content_type=None))["access_token"])

    async def phone_errcode(token: str) -> int:
        url = f"{sandbox.base_url}{PHONE}?access_token={token}"
        async with session.post(url, json={"code": "unknown"}) as resp:
            return int((await resp.json(content_type=None))["errcode"])

    old = await plain_token()
    new = await plain_token()
    assert new != old
    assert await phone_errcode(old) == 40029  # still accepted; the code is what is wrong
    now.advance(301)
    assert await phone_errcode(old) == 42001
    assert await phone_errcode(new) == 40029
    assert await phone_errcode("never-issued") == 40001


WORKER = """
import asyncio, sys
from integrations.http import new_session
from integrations.state import RedisState
from integrations.wechat.client import WeChatClient

async def main(base_url, redis_url, appid, secret):
    state = RedisState(redis_url)
    async with new_session() as session:
        client = WeChatClient(session, base_url, appid, secret, state)
        print(await client.tokens.get(), flush=True)
    await state.close()

print("ready", flush=True)
sys.stdin.readline()
asyncio.run(main(*sys.argv[1:]))
"""


@pytest.mark.redis
async def test_two_processes_sharing_redis_fetch_once(
    sandbox: WeChatSandbox, redis_url: str
) -> None:
    sandbox.fail_next(STABLE_TOKEN, delay=0.3)  # hold the first refresh so the other waits
    args = (sys.executable, "-c", WORKER, sandbox.base_url, redis_url, APPID, SECRET)
    pipe = asyncio.subprocess.PIPE
    workers = [
        await asyncio.create_subprocess_exec(*args, stdin=pipe, stdout=pipe, cwd=ROOT)
        for _ in range(2)
    ]
    for worker in workers:  # both have imported everything before either starts
        assert worker.stdout is not None
        assert await asyncio.wait_for(worker.stdout.readline(), 15) == b"ready\n"
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate(b"go\n") for w in workers)), 15)
    tokens = {out.decode().strip() for out, _ in outputs}
    assert [w.returncode for w in workers] == [0, 0]
    assert len(tokens) == 1
    assert sandbox.token_fetches[APPID] == 1


# -- the platform's call limits: a client that fetches tokens carelessly is refused ----------


async def _stable(session: aiohttp.ClientSession, base: str, force: bool = False) -> int:
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    async with session.post(f"{base}{STABLE_TOKEN}", json=body | {"force_refresh": force}) as r:
        return int((await r.json(content_type=None)).get("errcode", 0))


async def _plain(session: aiohttp.ClientSession, base: str) -> int:
    query = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    async with session.get(f"{base}{TOKEN}", params=query) as r:
        return int((await r.json(content_type=None)).get("errcode", 0))


def test_the_sandbox_limits_are_the_platform_s() -> None:
    limits = TokenLimits()
    assert (limits.stable_per_minute, limits.force_refresh_per_day, limits.plain_per_day) == (
        10_000,
        20,
        2_000,
    )


async def test_force_refresh_twenty_times_a_day(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession, now: FakeNow
) -> None:
    """A client that force-refreshes on every failure burns the day's 20 in no time."""
    answers = [await _stable(session, sandbox.base_url, force=True) for _ in range(21)]
    assert answers == [0] * 20 + [45009]
    assert await _stable(session, sandbox.base_url) == 0  # a plain stable_token still works
    now.at = (now.at // 86400 + 1) * 86400 - 8 * 3600  # the next midnight, China time
    assert await _stable(session, sandbox.base_url, force=True) == 0


async def test_plain_token_two_thousand_a_day(
    sandbox: WeChatSandbox, session: aiohttp.ClientSession
) -> None:
    answers = [await _plain(session, sandbox.base_url) for _ in range(2001)]
    assert answers.count(0) == 2000 and answers[-1] == 45009


async def test_stable_token_calls_a_minute(now: FakeNow) -> None:
    """A client fetching a token per message meets the minute limit (10,000 on the platform;
    50 here, to keep the test short) and waits for the next minute."""
    async with (
        WeChatSandbox(now=now, token_limits=TokenLimits(stable_per_minute=50)) as wx,
        aiohttp.ClientSession() as session,
    ):
        wx.add_app(APPID, SECRET)
        answers = [await _stable(session, wx.base_url) for _ in range(51)]
        assert answers == [0] * 50 + [45011]
        now.advance(60)
        assert await _stable(session, wx.base_url) == 0


async def test_our_client_stays_far_inside_the_limits(
    now: FakeNow, session: aiohttp.ClientSession
) -> None:
    """Many callers at once: one token fetch, so the limits are never near."""
    async with WeChatSandbox(now=now, token_limits=TokenLimits(stable_per_minute=2)) as wx:
        wx.add_app(APPID, SECRET)
        client = make_client(wx, session, MemoryState(), now)
        tokens = await asyncio.gather(*(client.tokens.get() for _ in range(200)))
        assert len(set(tokens)) == 1 and wx.token_fetches[APPID] == 1
