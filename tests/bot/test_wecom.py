"""Warnings to WeCom robots: batching, the 20-a-minute budget, the digest, key secrecy.

One FrozenClock drives the sandbox's timestamps, the shared state's expiry and the send
budget, so minutes pass when the test says so and nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
import pytest

from bot.utf8 import utf8_len
from bot.wecom import RobotKeys, RobotPost, SendBudget, collect, queue_digests
from core.alerts.models import RobotKey, RobotMessage
from core.alerts.service import raise_alert
from core.clock import CST, FrozenClock
from integrations.state import MemoryState
from integrations.wecom.client import WeComRobotClient
from integrations.wecom.sandbox import WeComSandbox
from tests.builders import cipher

T0 = datetime(2026, 10, 9, 9, 0, tzinfo=CST)


class Rig:
    """A sandbox robot server and a poster sharing one frozen clock."""

    def __init__(self, clock: FrozenClock, sandbox: WeComSandbox, post: RobotPost) -> None:
        self.clock, self.sandbox, self.post = clock, sandbox, post
        self.robots = RobotKeys(cipher())

    async def robot_for(self, *departments: str) -> str:
        key = self.sandbox.add_robot()
        for department in departments:
            await self.robots.set(department, key, self.clock.now())
        return key

    async def round(self) -> int:
        """One worker round: queue new alerts, flush; messages posted."""
        await collect(self.clock.now())
        return (await self.post.flush(self.clock.now())).sent


@pytest.fixture
async def rig(db: str) -> AsyncIterator[Rig]:
    clock = FrozenClock(T0)

    def wall() -> float:
        return clock.now().timestamp()

    state = MemoryState(now=wall)
    async with WeComSandbox(now=wall) as sandbox, aiohttp.ClientSession() as http:
        client = WeComRobotClient(http, sandbox.base_url)
        post = RobotPost(client, RobotKeys(cipher()), SendBudget(state, wall), state)
        yield Rig(clock, sandbox, post)


async def _warn(department: str, case_id: int, message: str, level: str = "critical") -> None:
    await raise_alert(
        department_code=department,
        application_id=case_id,
        kind="overdue",
        level=level,
        message=message,
        at=T0,
    )


async def test_burst_of_100_warnings_is_batched(rig: Rig) -> None:
    key = await rig.robot_for("321012-GA-HZ")
    for n in range(100):
        await _warn("321012-GA-HZ", n, f"办件 20261009-{n:06d}-X 已超过承诺办结期限，请立即办理。")
    assert await rig.round() == 3  # 100 lines of ~90 bytes: three messages, not a hundred
    received = rig.sandbox.messages(key)
    assert all(utf8_len(m.content) <= 4096 for m in received)
    text = "\n".join(m.content for m in received)
    assert all(f"20261009-{n:06d}-X" in text for n in range(100))
    assert await rig.round() == 0  # nothing is sent twice
    assert await RobotMessage.filter(sent_at=None).count() == 0


async def test_robot_never_gets_more_than_20_a_minute(rig: Rig) -> None:
    key = await rig.robot_for("321012-GA-HZ")
    long_tail = "，请核实申请材料与审批意见" * 40  # ~1.6 kB a warning: two fit in a message
    for n in range(100):
        await _warn("321012-GA-HZ", n, f"办件 {n:03d} 已超期{long_tail}")
    sent = []
    for _ in range(4):  # a worker flushing every 10 s for a while
        for _ in range(6):
            sent.append(await rig.round())
            rig.clock.advance(seconds=10)
    assert sum(sent) == 50 and len(rig.sandbox.messages(key)) == 50
    assert max(rig.sandbox.per_minute(key).values()) <= 20
    assert rig.sandbox.busiest_window(key, 60) <= 20
    assert rig.sandbox.refused[45009] == 0  # paced by us, not stopped by WeCom


async def test_departments_sharing_a_robot_share_its_budget(rig: Rig) -> None:
    departments = [f"321012-D{n:02d}" for n in range(30)]
    key = await rig.robot_for(*departments)
    for n, department in enumerate(departments):
        await _warn(department, n, f"办件 {n:03d} 已超期")
    assert await rig.round() == 20
    assert await rig.round() == 0  # the same minute: wait
    rig.clock.advance(seconds=61)
    assert await rig.round() == 10
    assert rig.sandbox.busiest_window(key, 60) == 20


async def test_digest_at_0830_once_a_day(rig: Rig) -> None:
    key = await rig.robot_for("321012-GA-HZ", "321012-MZ")
    await _warn("321012-GA-HZ", 1, "办件 A 已超期", "critical")
    await _warn("321012-GA-HZ", 2, "办件 B 仅剩 1 个工作日", "warning")
    await rig.round()
    morning = datetime(2026, 10, 10, 8, 29, tzinfo=CST)
    at = datetime(2026, 10, 10, 8, 30, tzinfo=CST)
    assert await queue_digests(rig.robots, morning, at) == 0
    rig.clock.set(datetime(2026, 10, 10, 8, 31, tzinfo=CST))
    assert await queue_digests(rig.robots, rig.clock.now(), at) == 2  # one per department
    assert await queue_digests(rig.robots, rig.clock.now(), at) == 0
    before = len(rig.sandbox.messages(key))
    await rig.round()
    digests = [m.content for m in rig.sandbox.messages(key)[before:]]
    ga = next(d for d in digests if "321012-GA-HZ" in d)
    assert "督办日报 2026-10-10" in ga and "未处理预警 2 条，其中红色 1 条" in ga
    assert ga.index("办件 A") < ga.index("办件 B")  # red first
    assert any("今日无未处理预警" in d for d in digests if "321012-MZ" in d)


async def test_keys_are_encrypted_and_missing_robots_wait(rig: Rig) -> None:
    await _warn("321012-SJ", 1, "办件 A 已超期")
    assert await rig.round() == 0  # no robot for this department yet: queued, not lost
    key = await rig.robot_for("321012-SJ")
    row = await RobotKey.get(department_code="321012-SJ")
    assert key not in row.key_enc
    assert await rig.round() == 1


async def test_invalid_key_keeps_the_queue(rig: Rig) -> None:
    await rig.robots.set("321012-SJ", "revoked-key", rig.clock.now())
    await _warn("321012-SJ", 1, "办件 A 已超期")
    assert await rig.round() == 0
    row = await RobotMessage.get(dedupe_key__startswith="alert:")
    assert row.sent_at is None and row.last_error == "invalid robot key"
