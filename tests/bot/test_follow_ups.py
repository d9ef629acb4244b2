"""Late answers through the customer-service message API, and their record.

The WeChat sandbox does not serve ``/cgi-bin/message/custom/send`` (it is a mini-program
sandbox), so an answer is scripted with its fault injection: a queued errcode is what the
path answers. That is enough to check the token, the path, and how outcomes are recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
import pytest

from bot.official_account import CUSTOM_SEND_PATH, FollowUps
from core.clock import CST, FrozenClock
from integrations.state import MemoryState
from integrations.wechat.client import WeChatClient
from integrations.wechat.sandbox import WeChatSandbox

OA_APPID, OA_SECRET = "wxoa000000000001", "oa-secret"


@pytest.fixture
async def follow_ups(db: str, wechat: WeChatSandbox) -> AsyncIterator[FollowUps]:
    wechat.add_app(OA_APPID, OA_SECRET)
    clock = FrozenClock(datetime(2026, 11, 26, 10, 0, tzinfo=CST))
    async with aiohttp.ClientSession() as http:
        client = WeChatClient(http, wechat.base_url, OA_APPID, OA_SECRET, MemoryState())
        yield FollowUps(OA_APPID, clock, client)


async def test_sent_through_customer_service(follow_ups: FollowUps, wechat: WeChatSandbox) -> None:
    wechat.fail_next(CUSTOM_SEND_PATH, errcode=0)  # WeChat's "ok"
    row = await follow_ups.deliver("o-user", "您的办件已受理。")
    assert (row.status, row.sent_at is not None) == ("sent", True)
    assert wechat.calls[CUSTOM_SEND_PATH] == 1 and wechat.token_fetches[OA_APPID] == 1


async def test_refusal_is_recorded_as_failed(follow_ups: FollowUps, wechat: WeChatSandbox) -> None:
    wechat.fail_next(CUSTOM_SEND_PATH, errcode=45015)  # the user has not written for 48 hours
    row = await follow_ups.deliver("o-user", "答复" * 2000)
    assert row.status == "failed" and row.error
    assert len(row.text.encode("utf-8")) <= 2000  # cut to what a text message may hold


async def test_without_a_secret_the_answer_is_recorded(db: str) -> None:
    clock = FrozenClock(datetime(2026, 11, 26, 10, 0, tzinfo=CST))
    row = await FollowUps(OA_APPID, clock, None).deliver("o-user", "您的办件已受理。")
    assert (row.status, row.text) == ("recorded", "您的办件已受理。")
