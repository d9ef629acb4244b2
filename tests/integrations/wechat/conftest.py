"""Shared fixtures of the WeChat client tests: a movable wall clock, the sandbox, a session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from integrations.http import new_session
from integrations.wechat.sandbox import WeChatSandbox

APPID = "wx1111111111111111"
SECRET = "secret-of-the-test-app"


class FakeNow:
    """A wall clock that moves only when told to."""

    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def now() -> FakeNow:
    return FakeNow()


@pytest.fixture
async def sandbox(now: FakeNow) -> AsyncIterator[WeChatSandbox]:
    async with WeChatSandbox(now=now) as wx:
        wx.add_app(APPID, SECRET)
        yield wx


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session(timeout=2.0) as s:
        yield s
