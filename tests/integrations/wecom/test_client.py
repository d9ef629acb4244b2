"""The robot client against the faithful sandbox: success, refusals, limits, secrecy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from integrations.errors import Permanent, Retryable
from integrations.wecom.client import WeComRobotClient
from integrations.wecom.sandbox import WeComSandbox


class Clock:
    def __init__(self) -> None:
        self.t = 1_790_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[WeComSandbox]:
    async with WeComSandbox(now=clock) as wecom:
        yield wecom


@pytest.fixture
async def client(sandbox: WeComSandbox) -> AsyncIterator[WeComRobotClient]:
    async with aiohttp.ClientSession() as http:
        yield WeComRobotClient(http, sandbox.base_url)


async def test_markdown_is_posted_and_recorded(
    sandbox: WeComSandbox, client: WeComRobotClient, clock: Clock
) -> None:
    key = sandbox.add_robot()
    await client.send_markdown(key, "**督办** 办件 20261126-000123-7 已超期")
    [received] = sandbox.messages(key)
    assert (received.msgtype, received.at) == ("markdown", clock.t)
    assert received.content.startswith("**督办**")


async def test_unknown_key_is_permanent_and_not_in_the_message(
    sandbox: WeComSandbox, client: WeComRobotClient
) -> None:
    with pytest.raises(Permanent) as info:
        await client.send_markdown("secret-key-123", "hello")
    assert info.value.platform_code == 93000
    assert "secret-key-123" not in str(info.value)


async def test_content_over_4096_bytes(sandbox: WeComSandbox, client: WeComRobotClient) -> None:
    key = sandbox.add_robot()
    with pytest.raises(Permanent):  # refused before sending
        await client.send_markdown(key, "超" * 1366)  # 4,098 bytes
    async with aiohttp.ClientSession() as http:  # the sandbox itself refuses it too
        body = {"msgtype": "markdown", "markdown": {"content": "超" * 1366}}
        async with http.post(f"{sandbox.base_url}/cgi-bin/webhook/send?key={key}", json=body) as r:
            assert (await r.json())["errcode"] == 40058
    await client.send_markdown(key, "超" * 1365)  # 4,095 bytes: fine
    assert len(sandbox.messages(key)) == 1


async def test_twenty_one_in_a_minute_is_refused(
    sandbox: WeComSandbox, client: WeComRobotClient, clock: Clock
) -> None:
    key = sandbox.add_robot()
    for n in range(20):
        await client.send_markdown(key, f"第{n}条")
        clock.t += 1
    with pytest.raises(Retryable) as info:
        await client.send_markdown(key, "第21条")
    assert info.value.platform_code == 45009
    clock.t += 41  # 60 s after the first message its slot frees up
    await client.send_markdown(key, "第21条")
    assert sandbox.busiest_window(key) == 20
    assert sandbox.refused[45009] == 1


async def test_busy_is_retryable(sandbox: WeComSandbox, client: WeComRobotClient) -> None:
    key = sandbox.add_robot()
    sandbox.fail_next(-1)
    with pytest.raises(Retryable):
        await client.send_markdown(key, "hello")
    await client.send_markdown(key, "hello")
    assert len(sandbox.messages(key)) == 1


async def test_unreachable_is_retryable() -> None:
    async with aiohttp.ClientSession() as http:
        client = WeComRobotClient(http, "http://127.0.0.1:9")
        with pytest.raises(Retryable):
            await client.send_markdown("k", "hello")
