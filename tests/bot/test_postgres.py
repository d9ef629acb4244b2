"""The bot's tables on PostgreSQL: sweeps, the robot queue, the knowledge base, links."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date, datetime

import aiohttp
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bot.knowledge import KnowledgeBase
from bot.wecom import RobotKeys, RobotPost, SendBudget, collect
from core.cases.workdays import WorkCalendar
from core.clock import CST, FrozenClock
from core.db import close_db, init_db
from core.followers.links import issue_code, link, linked_citizen, redeem_code
from core.identity.models import Citizen
from core.knowledge.importer import import_kb
from core.settings import Supervision
from core.supervision.sweep import sweep
from integrations.state import MemoryState
from integrations.wecom.client import WeComRobotClient
from integrations.wecom.sandbox import WeComSandbox
from tests import harness
from tests.bot.conftest import make_case
from tests.bot.test_knowledge import demo_rows
from tests.builders import cipher

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 10, 9, 9, 0, tzinfo=CST)


@pytest.fixture
async def pg(postgres_template: str) -> AsyncIterator[str]:
    base = os.environ["CITYSVC_TEST_POSTGRES_URL"]
    url = await harness.fresh_postgres(base, template=postgres_template)
    EXECUTOR_CACHE.clear()  # Tortoise caches each model's SQL per connection name
    await init_db(url)
    yield url
    await close_db()
    EXECUTOR_CACHE.clear()


async def test_sweep_and_robot_queue_on_postgres(pg: str) -> None:
    case = await make_case("under_review", department="GA", due=date(2026, 10, 8))
    report = await sweep(NOW, WorkCalendar(), Supervision())
    assert {a.kind for a in report.raised} == {"overdue", "overdue_escalated"}
    assert (await sweep(NOW, WorkCalendar(), Supervision())).raised == []
    clock = FrozenClock(NOW)
    state = MemoryState()
    async with WeComSandbox() as wecom, aiohttp.ClientSession() as http:
        key = wecom.add_robot()
        robots = RobotKeys(cipher())
        await robots.set("GA", key, NOW)
        assert await collect(NOW) == 2 and await collect(NOW) == 0
        budget = SendBudget(state, lambda: clock.now().timestamp())
        sent = await RobotPost(WeComRobotClient(http, wecom.base_url), robots, budget, state).flush(
            NOW
        )
        assert (sent.sent, sent.lines) == (1, 2)
        assert case.number in wecom.messages(key)[0].content


async def test_knowledge_and_links_on_postgres(pg: str) -> None:
    report = await import_kb(list(demo_rows()), "demo_kb.json", NOW)
    assert report.created and report.entries == 30
    found = await KnowledgeBase().match("身份证丢了怎么补办")
    assert found.answer is not None and found.answer.key == "id-card-reissue"

    case = await make_case("submitted")
    citizen = str(case.citizen_id)
    await Citizen.create(id=citizen)
    code, _ = await issue_code(cipher(), citizen, NOW)
    assert await redeem_code(cipher(), code, NOW) == citizen
    assert await redeem_code(cipher(), code, NOW) is None
    await link("wxoa", "o-1", citizen, "code", NOW)
    await link("wxoa", "o-1", citizen, "code", NOW)
    assert await linked_citizen("wxoa", "o-1") == citizen
