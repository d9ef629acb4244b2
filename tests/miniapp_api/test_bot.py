"""``/bot/wechat``: pushes built and encrypted with wechatpy exactly as WeChat builds them.

Safe mode: the body is ``<xml><ToUserName/><Encrypt/></xml>`` and the query carries
``msg_signature`` over token, timestamp, nonce and the ``Encrypt`` text. Bad signatures
are refused with 401 and change nothing; replays are answered from the first answer; an
answer slower than the budget is followed up afterwards.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import replies
from bot.knowledge import Match
from bot.official_account import OfficialAccountBot
from core.clock import FrozenClock
from core.followers.models import OaFollowUp, OaLink
from core.knowledge.models import HandoffTicket
from core.topics.models import TopicSubscription
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.routes.bot import bot_for_app
from tests import builders as b
from tests import harness
from tests.bot.follower import (
    AES_KEY,
    OA_APPID,
    TOKEN,
    Follower,
    import_demo_kb,
    linked,
    signature,
)
from tests.bot.test_knowledge import demo_rows


@pytest.fixture
async def oa_api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[harness.Api]:
    settings = harness.settings_for(
        database_url,
        **platform_env,
        WECHAT_OA_APPID=OA_APPID,
        WECHAT_OA_TOKEN=TOKEN,
        WECHAT_OA_AES_KEY=AES_KEY,
    )
    async with harness.running_api(settings, clock) as running:
        yield running


@pytest.fixture
async def plain_api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[harness.Api]:
    """An Official Account without an AES key: plain mode is all it has."""
    settings = harness.settings_for(
        database_url, **platform_env, WECHAT_OA_APPID=OA_APPID, WECHAT_OA_TOKEN=TOKEN
    )
    async with harness.running_api(settings, clock) as running:
        yield running


# -- signatures, safe mode, URL check -----------------------------------------------------


async def test_url_verification(oa_api: harness.Api) -> None:
    timestamp, nonce = "1790000000", "abc"
    query = {
        "signature": signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": "8362952716023961616",
    }
    status, body, _ = await oa_api.call("GET", "/bot/wechat", params=query)
    assert (status, body) == (200, "8362952716023961616")
    query["signature"] = signature("wrong", timestamp, nonce)
    status, body, _ = await oa_api.call("GET", "/bot/wechat", params=query)
    assert (status, body["error"]["code"]) == (401, "signature_invalid")


@pytest.mark.parametrize("safe", [True, False])
async def test_help_in_safe_and_plain_mode(
    oa_api: harness.Api, plain_api: harness.Api, safe: bool
) -> None:
    follower = Follower(oa_api if safe else plain_api, safe=safe)
    status, body, _ = await follower.push(follower.text_xml("帮助"))
    assert status == 200
    assert follower.read(body) == replies.WELCOME
    assert ("<Encrypt>" in body) is safe


async def test_subscribe_event_gets_the_welcome(oa_api: harness.Api) -> None:
    follower = Follower(oa_api)
    status, body, _ = await follower.push(follower.event_xml("subscribe"))
    text = follower.read(body)
    for command in ("进度", "绑定", "订阅", "退订", "人工"):
        assert command in text
    status, body, _ = await follower.push(follower.event_xml("unsubscribe"))
    assert (status, body) == (200, "success")


async def test_bad_signatures_are_refused_and_change_nothing(
    oa_api: harness.Api, wechat: WeChatSandbox
) -> None:
    token = await b.citizen_token(oa_api, wechat)
    _, issued, _ = await oa_api.call("POST", "/api/v1/me/oa-binding-code", token=token)
    bind = f"绑定 {issued['code']}"
    for safe, forged in ((True, "msg_signature"), (False, "signature")):
        follower = Follower(oa_api, safe=safe)
        query, body = follower.query(follower.text_xml(bind))
        query[forged] = signature("forged", query["timestamp"], query["nonce"])
        status, answer, _ = await follower.send(query, body)
        assert (status, answer["error"]["code"]) == (401, "signature_invalid")
    # safe mode checks msg_signature, not the plain signature (which covers no content)
    follower = Follower(oa_api)
    query, body = follower.query(follower.text_xml(bind))
    query["msg_signature"] = query["signature"]
    assert (await follower.send(query, body))[0] == 401
    assert await OaLink.all().count() == 0
    # nothing was processed: the code is unspent and the real user can still use it
    assert await Follower(oa_api).say(bind) == replies.BIND_DONE


async def test_stale_timestamp_is_refused(oa_api: harness.Api) -> None:
    follower = Follower(oa_api)
    ten_minutes_ago = int(oa_api.clock.now().timestamp()) - 600
    status, answer, _ = await follower.send(
        *follower.query(follower.text_xml("帮助"), timestamp=ten_minutes_ago)
    )
    assert (status, answer["error"]["code"]) == (401, "signature_invalid")


async def test_garbage_is_400_not_500(plain_api: harness.Api) -> None:
    follower = Follower(plain_api, safe=False)
    query, _ = follower.query("")
    status, answer, _ = await follower.send(query, "<xml><oops")
    assert (status, answer["error"]["code"]) == (400, "malformed_request")


# -- forged and replayed pushes (issue 13, 1) ------------------------------------------------


async def test_plain_pushes_are_refused_when_safe_mode_is_configured(
    oa_api: harness.Api, wechat: WeChatSandbox
) -> None:
    """A real push's query string (proxy logs hold it) signs no content in plain mode."""
    await b.add_item()
    owner = Follower(oa_api)
    token = await linked(oa_api, wechat, owner)
    number = await b.file_case(oa_api, token)
    forger = Follower(oa_api, owner.open_id, safe=False)
    for text in (f"进度 {number}", "退订 中考成绩", "帮助"):
        status, answer, _ = await forger.push(forger.text_xml(text))
        assert (status, answer["error"]["code"]) == (401, "signature_invalid")
    # a safe-mode query string with a plain body is no better
    query, _ = owner.query(owner.text_xml("进度"))
    status, answer, _ = await owner.send(query, forger.text_xml(f"进度 {number}"))
    assert status in (400, 401) and number not in str(answer)


async def test_a_push_is_taken_once(oa_api: harness.Api, plain_api: harness.Api) -> None:
    for api, safe in ((oa_api, True), (plain_api, False)):
        follower = Follower(api, safe=safe)
        query, body = follower.query(follower.text_xml("帮助"))
        status, answer, _ = await follower.send(query, body)
        assert status == 200 and follower.read(answer) == replies.WELCOME
        status, answer, _ = await follower.send(query, body)  # the same push, replayed
        assert (status, answer["error"]["code"]) == (401, "signature_invalid")
        if not safe:  # plain mode: a new body under a used query string
            forged = follower.text_xml("绑定 123456")
            status, answer, _ = await follower.send(query, forged)
            assert (status, answer["error"]["code"]) == (401, "signature_invalid")


async def test_binding_guesses_are_limited_across_openids(oa_api: harness.Api) -> None:
    accounts = bot_for_app(oa_api.server.app).conversation.accounts
    accounts.attempts_all = 12  # the production bound is larger; the rule is the same
    answers = [await Follower(oa_api).say(f"绑定 {n:06d}") for n in range(14)]
    assert answers[:12] == [replies.BIND_INVALID] * 12
    assert answers[12:] == [replies.BIND_TOO_MANY] * 2


# -- replays -------------------------------------------------------------------------------


async def test_replayed_message_is_answered_once(oa_api: harness.Api) -> None:
    await import_demo_kb()
    follower = Follower(oa_api)
    assert await follower.say("我想问问低保怎么申请") == replies.NO_MATCH
    handoff = follower.text_xml("人工", msg_id=5_000_000_000_000_000_001)
    first = await follower.push(handoff)
    again = await follower.push(handoff)  # WeChat's retry: same MsgId, fresh signature
    third = await follower.push(handoff)
    texts_seen = {follower.read(r[1]) for r in (first, again, third)}
    assert len(texts_seen) == 1 and "R000001" in texts_seen.pop()
    assert await HandoffTicket.all().count() == 1
    ticket = await HandoffTicket.get()
    assert ticket.question == "我想问问低保怎么申请" and ticket.open_id == follower.open_id


async def test_events_are_deduplicated_by_sender_and_time(oa_api: harness.Api) -> None:
    follower = Follower(oa_api)
    event = follower.event_xml("subscribe")
    bot = bot_for_app(oa_api.server.app)
    calls = []
    original = bot.conversation.reply

    async def counting(msg: Any) -> Any:
        calls.append(msg)
        return await original(msg)

    bot.conversation.reply = counting  # type: ignore[method-assign]
    for _ in range(3):
        status, body, _ = await follower.push(event)
        assert follower.read(body) == replies.WELCOME
    oa_api.clock.advance(seconds=1)  # a new follow one second later is a new event
    await follower.push(follower.event_xml("subscribe"))
    assert len(calls) == 2


# -- the 5-second rule ---------------------------------------------------------------------


class SlowBase:
    """A knowledge base that answers only when the test lets it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def match(self, text: str) -> Match:
        await self.release.wait()
        return Match(None, (), 0.0, 1)


async def test_slow_knowledge_base_is_answered_in_time_then_followed_up(
    oa_api: harness.Api,
) -> None:
    bot: OfficialAccountBot = bot_for_app(oa_api.server.app)
    assert bot.budget <= 4.5  # the production budget, left as it is
    slow = SlowBase()
    bot.conversation.desk.base = slow  # type: ignore[assignment]
    follower = Follower(oa_api)
    status, body, took = await follower.push(follower.text_xml("办营业执照要多久"))
    assert (status, body) == (200, "success")
    assert bot.budget - 0.1 <= took < 5.0  # answered before WeChat gives up
    assert await OaFollowUp.all().count() == 0
    slow.release.set()
    await bot.drain(timeout=5)
    follow_up = await OaFollowUp.get()
    assert (follow_up.open_id, follow_up.status) == (follower.open_id, "recorded")
    assert follow_up.text == replies.NO_MATCH  # the answer arrives afterwards


class SlowCases:
    async def status(self, citizen_id: str, number: str) -> str:
        await asyncio.sleep(0.6)
        return f"办件号：{number}"

    async def recent(self, citizen_id: str) -> str:
        return ""


async def test_slow_case_lookup_and_its_retry(oa_api: harness.Api, wechat: WeChatSandbox) -> None:
    bot: OfficialAccountBot = bot_for_app(oa_api.server.app)
    follower = Follower(oa_api)
    await linked(oa_api, wechat, follower)
    bot.budget = 0.2
    bot.conversation.cases = SlowCases()  # type: ignore[assignment]
    push = follower.text_xml("进度 20261126-000001-X")
    status, body, took = await follower.push(push)
    assert (status, body) == (200, "success") and took < 0.6
    status, body, _ = await follower.push(push)  # WeChat's retry while we are still busy
    assert (status, body) == (200, "success")
    await bot.drain(timeout=5)
    [follow_up] = await OaFollowUp.all()
    assert follow_up.text == "办件号：20261126-000001-X"  # once, not once per retry


# -- 进度: the sender's own cases only ------------------------------------------------------


async def test_progress_answers_only_about_the_senders_own_case(
    oa_api: harness.Api, wechat: WeChatSandbox
) -> None:
    await b.add_item()
    owner_follower, other_follower = Follower(oa_api), Follower(oa_api)
    owner = await linked(oa_api, wechat, owner_follower)
    await linked(oa_api, wechat, other_follower)
    number = await b.file_case(oa_api, owner)

    mine = await owner_follower.say(f"进度 {number}")
    assert number in mine and "申请已提交，等待受理" in mine
    assert number in await owner_follower.say("进度")  # the recent list

    theirs = await other_follower.say(f"进度 {number}")
    missing = await other_follower.say("进度 20261126-999999-5")
    assert theirs == replies.CASE_NOT_FOUND.format(number=number)
    assert missing == replies.CASE_NOT_FOUND.format(number="20261126-999999-5")
    assert "等待受理" not in theirs and "测试事项" not in theirs

    stranger = Follower(oa_api)  # never bound
    assert await stranger.say(f"进度 {number}") == replies.NEED_BINDING


async def test_full_width_number_is_read(oa_api: harness.Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    follower = Follower(oa_api)
    token = await linked(oa_api, wechat, follower)
    number = await b.file_case(oa_api, token)
    wide = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    assert number in await follower.say(f"进度：{wide}")


# -- binding codes -------------------------------------------------------------------------


async def test_binding_code_rules(oa_api: harness.Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(oa_api, wechat)
    status, body, _ = await oa_api.call("POST", "/api/v1/me/oa-binding-code", token=token)
    assert status == 201 and re.fullmatch(r"\d{6}", body["code"]) and body["expires_in"] == 600
    status, newer, _ = await oa_api.call("POST", "/api/v1/me/oa-binding-code", token=token)
    follower = Follower(oa_api)
    if newer["code"] != body["code"]:  # a new code replaces the previous one
        assert await follower.say(f"绑定 {body['code']}") == replies.BIND_INVALID
    oa_api.clock.advance(minutes=10, seconds=1)
    assert await follower.say(f"绑定 {newer['code']}") == replies.BIND_INVALID  # expired
    oa_api.clock.advance(minutes=-10, seconds=-1)
    assert await follower.say(f"绑定 {newer['code']}") == replies.BIND_DONE
    assert await Follower(oa_api).say(f"绑定 {newer['code']}") == replies.BIND_INVALID  # used
    link = await OaLink.get(open_id=follower.open_id)
    assert link.via == "code"
    status, _, _ = await oa_api.call("POST", "/api/v1/me/oa-binding-code")
    assert status == 401


async def test_guessing_codes_is_limited(oa_api: harness.Api) -> None:
    follower = Follower(oa_api)
    answers = [await follower.say(f"绑定 {n:06d}") for n in range(6)]
    assert answers[:5] == [replies.BIND_INVALID] * 5
    assert answers[5] == replies.BIND_TOO_MANY


# -- topics, knowledge, hand-off, other messages --------------------------------------------


async def test_subscribe_and_unsubscribe_topics(oa_api: harness.Api, wechat: WeChatSandbox) -> None:
    follower = Follower(oa_api)
    assert await follower.say("订阅 中考成绩") == replies.NEED_BINDING
    await linked(oa_api, wechat, follower)
    assert await follower.say("订阅 中考成绩") == replies.SUBSCRIBED.format(name="中考成绩")
    assert await follower.say("订阅 zhongkao") == replies.ALREADY_SUBSCRIBED.format(name="中考成绩")
    assert await follower.say("订阅高速路况") == replies.SUBSCRIBED.format(name="高速路况")
    listing = await follower.say("订阅")
    assert "✓ 中考成绩" in listing and "· 高考成绩" in listing
    assert await follower.say("退订 中考") == replies.UNSUBSCRIBED.format(name="中考成绩")
    keys = await TopicSubscription.all().values_list("topic_key", flat=True)
    assert list(keys) == ["highway_traffic"]
    assert "没有「彩票开奖」这个主题" in await follower.say("订阅 彩票开奖")


async def test_questions_choices_and_hand_off(oa_api: harness.Api) -> None:
    await import_demo_kb()
    follower = Follower(oa_api)
    answer = await follower.say("身份证丢了怎么补办")
    assert answer.startswith("身份证遗失可先拨打110")
    choices = await follower.say("身份证")
    assert choices.startswith("您是不是想问") and "1. " in choices
    picked = await follower.say("2")
    assert picked.split("\n")[0] in {r["answer"] for r in demo_rows()}
    # still unsure after reading a choice: the question itself goes to staff
    first = await follower.say("人工")
    assert "R000001" in first
    ticket = await HandoffTicket.get()
    assert ticket.question == "身份证" and len(ticket.suggestions) == 3

    newcomer = Follower(oa_api)
    assert await newcomer.say("人工") == replies.HANDOFF_NEEDS_QUESTION
    assert await newcomer.say("我要投诉，电话13812345678") == replies.NO_MATCH
    assert "R000002" in await newcomer.say("转人工")
    second = await HandoffTicket.get(open_id=newcomer.open_id)
    assert second.question == "我要投诉，电话138****5678"  # free text is stored redacted


async def test_images_get_a_hint(oa_api: harness.Api) -> None:
    follower = Follower(oa_api)
    image = follower._xml(
        {"MsgType": "image", "PicUrl": "http://x/1.jpg", "MediaId": "m1", "MsgId": 42}
    )
    status, body, _ = await follower.push(image)
    assert follower.read(body) == replies.NOT_TEXT
