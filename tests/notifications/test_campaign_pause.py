"""Pausing, resuming and cancelling a campaign that is still sending, with a real
``citysvc worker`` process, the staff API and the WeChat sandbox, at two messages a second.

The campaign stays ``running`` until its last message is tried; ``pause`` stops every queued
send within a second (a request already under way may land); ``resume`` goes on at the
campaign's own rate; ``cancel`` withdraws the rest and ``remaining`` says so. About 30 s on
each database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.clock import CST, FrozenClock
from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api
from tests.notifications.conftest import register_templates
from tests.notifications.workers import Worker, wait_for, worker_env

BASE = "/api/v1/staff/campaigns"
RATE = 2  # messages a second
AUDIENCE = 30
GRACE = 1.0  # seconds a pause or cancel may take to reach every queued send


@pytest.fixture
async def pg_api_url(
    postgres_url: str, postgres_template: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[tuple[Api, str]]:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    async with harness.running_api(harness.settings_for(url, **platform_env), clock) as api:
        yield api, url


async def subscribers(api: Api, wechat: WeChatSandbox, count: int) -> None:
    """``count`` citizens subscribed to gaokao, each having accepted its template once."""
    _, listed, _ = await api.call("GET", "/api/v1/notification-templates?platform=wechat")
    template = next(t["template_id"] for t in listed if t["event"] == "topic.gaokao")
    for i in range(count):
        openid = f"o-pause-{i:03d}"
        token = await b.citizen_token(api, wechat, openid=openid)
        path = "/api/v1/topics/gaokao/subscription"
        assert (await api.call("PUT", path, token=token))[0] == 204
        answer = {"platform": "wechat", "accepted": [template]}
        status, body, _ = await api.call("POST", "/api/v1/consents", token=token, json=answer)
        assert status == 200, body
        wechat.grant_consent(openid, template)  # the same tap, as WeChat records it


async def shown(api: Api, token: str, campaign_id: int) -> dict[str, Any]:
    status, body, _ = await api.call("GET", f"{BASE}/{campaign_id}", token=token)
    assert status == 200, body
    return dict(body)


async def act(api: Api, token: str, campaign_id: int, action: str) -> dict[str, Any]:
    status, body, _ = await api.call("POST", f"{BASE}/{campaign_id}/{action}", token=token)
    assert status == 200, (action, body)
    return dict(body)


async def pause_resume_cancel(
    api: Api, url: str, wechat: WeChatSandbox, alipay: AlipaySandbox, tmp_path: Path
) -> None:
    register_templates(api.server.app.ctx.notify_registry, wechat, alipay)
    await subscribers(api, wechat, AUDIENCE)
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    checker = await b.staff_token(api, "pub.checker", role="publicity", department=None)
    body = {
        "name": "高考查分提醒",
        "topic": "gaokao",
        "title": "高考成绩查询已开通",
        "summary": "点击进入查询",
        "send_at": (datetime.now(CST) - timedelta(minutes=1)).isoformat(),
        "quiet_hours": {"start": "00:00", "end": "00:00"},  # none: the test runs at any hour
        "rate_per_second": RATE,
    }
    status, made, _ = await api.call("POST", BASE, token=maker, json=body)
    assert status == 201, made
    campaign = int(made["id"])
    assert (await act(api, checker, campaign, "approve"))["status"] == "scheduled"
    sent = wechat.sent
    worker = Worker(worker_env(url, wechat), tmp_path / "worker.log")
    try:

        async def figures_show(count: int) -> bool:
            return int((await shown(api, maker, campaign))["figures"]["sent"]) == count

        await wait_for(lambda: _at_least(sent, 3), 60, "the first three messages")
        # most messages are still to go: the campaign is running, and says what remains
        running = await shown(api, maker, campaign)
        assert running["status"] == "running", running
        assert running["figures"]["remaining"] >= AUDIENCE - 3 - RATE

        paused = await act(api, maker, campaign, "pause")
        assert paused["status"] == "paused"
        at_pause = len(sent)
        await asyncio.sleep(GRACE)
        held = len(sent)
        assert held <= at_pause + RATE  # at most what was already under way
        await asyncio.sleep(4.0)
        assert len(sent) == held, "messages went out while the campaign was paused"
        await wait_for(lambda: figures_show(held), 10, "the figures to count what was sent")
        found = await shown(api, maker, campaign)
        assert found["status"] == "paused"
        assert found["figures"]["remaining"] == AUDIENCE - held

        assert (await act(api, maker, campaign, "resume"))["status"] == "running"
        await wait_for(lambda: _at_least(sent, held + 6), 30, "sending to resume")
        # picked up at the campaign's own pace, not in a burst of everything held back: six
        # sends span five slots (one pair may share a slot: a send held back in flight at the
        # pause is released with the first)
        resumed = [float(m["time"]) for m in sent[held : held + 6]]
        assert resumed[-1] - resumed[0] >= 4 / RATE * 0.8, resumed

        assert (await act(api, maker, campaign, "cancel"))["status"] == "cancelled"
        at_cancel = len(sent)
        await asyncio.sleep(GRACE)
        final = len(sent)
        assert final <= at_cancel + RATE
        await asyncio.sleep(3.0)
        assert len(sent) == final, "messages went out after the campaign was cancelled"
        await wait_for(lambda: figures_show(final), 10, "the figures to count what was sent")
        found = await shown(api, maker, campaign)
        assert found["status"] == "cancelled"
        assert found["figures"] == {
            "targeted": AUDIENCE,
            "sent": final,
            "no_consent": 0,
            "failed": 0,
            "remaining": AUDIENCE - final,
            "failed_by_reason": {},
        }
    finally:
        worker.stop()
    assert len({m["touser"] for m in sent}) == len(sent)  # nobody messaged twice


async def _at_least(sent: list[Any], count: int) -> bool:
    return len(sent) >= count


async def test_pause_resume_cancel_while_sending(
    api: Api, database_url: str, wechat: WeChatSandbox, alipay: AlipaySandbox, tmp_path: Path
) -> None:
    await pause_resume_cancel(api, database_url, wechat, alipay, tmp_path)


async def test_pause_resume_cancel_while_sending_on_postgres(
    pg_api_url: tuple[Api, str], wechat: WeChatSandbox, alipay: AlipaySandbox, tmp_path: Path
) -> None:
    api, url = pg_api_url
    await pause_resume_cancel(api, url, wechat, alipay, tmp_path)
