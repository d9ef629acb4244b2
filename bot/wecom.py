"""Supervision warnings to each department's WeCom group robot: queued, batched, paced.

Every open alert (of any kind, supervision or delivery problems) raised in the last day
gets one ``RobotMessage`` line in its department's queue, and at ``digest_at`` (08:30 China
time by default) each department with a robot gets the day's digest of open warnings. A
flush packs the queue's lines into as few markdown messages as fit in 4,096 bytes (cut on
UTF-8 boundaries, never inside a character) and sends them while the robot's budget allows:
at most 20 messages in any 60 seconds per robot key, counted in shared state so that every
worker shares one budget. What does not fit this minute waits for the next flush.

Robot keys are secrets: stored encrypted (``PiiCipher``) per department, never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from bot.utf8 import pack_blocks
from core.alerts.models import ROBOT_KEY_CONTEXT, RobotKey, RobotMessage, StaffAlert
from core.clock import CST
from core.pii import PiiCipher
from core.ports import SharedState
from integrations import keys
from integrations.errors import IntegrationError, Permanent
from integrations.wecom.client import MARKDOWN_MAX_BYTES, WeComRobotClient, fingerprint

log = logging.getLogger("citysvc.bot.wecom")

PER_MINUTE = 20
# one second more than WeCom's minute: our clock and WeCom's are not the same clock
WINDOW = 61.0
RECENT = timedelta(days=1)  # older alerts are left to the digest and the staff API
DIGEST_PART_BYTES = 3800
_LEVEL_TAGS = {
    "critical": '<font color="warning">红色预警</font>',
    "warning": '<font color="comment">黄色预警</font>',
}


class RobotKeys:
    """Each department's robot key, encrypted at rest."""

    def __init__(self, cipher: PiiCipher) -> None:
        self._cipher = cipher

    async def set(self, department: str, key: str, now: datetime) -> None:
        token = self._cipher.encrypt(key, context=ROBOT_KEY_CONTEXT)
        await RobotKey.update_or_create(
            defaults={"key_enc": token, "updated_at": now}, department_code=department
        )

    async def get(self, department: str) -> str | None:
        row = await RobotKey.get_or_none(department_code=department)
        return self._cipher.decrypt(row.key_enc, context=ROBOT_KEY_CONTEXT) if row else None

    async def departments(self) -> list[str]:
        rows = await RobotKey.all().values_list("department_code", flat=True)
        return sorted(str(code) for code in rows)


class SendBudget:
    """At most ``limit`` sends per robot in any ``window`` seconds, shared by all workers.

    The send times of the last window are kept as one JSON list in shared state, changed
    under a short lock; ``now`` is the wall clock (injectable for tests).
    """

    def __init__(
        self,
        state: SharedState,
        now: Callable[[], float],
        limit: int = PER_MINUTE,
        window: float = WINDOW,
    ) -> None:
        self._state, self._now, self.limit, self.window = state, now, limit, window

    async def take(self, robot: str) -> float:
        """0 when a send may go now (and is counted), else seconds until one may."""
        lock = await self._state.acquire(keys.WECOM_SENT_LOCK + robot, ttl=5.0)
        if lock is None:
            return 1.0
        try:
            raw = await self._state.get(keys.WECOM_SENT + robot)
            now = self._now()
            times = [float(t) for t in (json.loads(raw) if raw else []) if now - t < self.window]
            if len(times) >= self.limit:
                return max(times[0] + self.window - now, 0.01)
            times.append(now)
            await self._state.set(keys.WECOM_SENT + robot, json.dumps(times), ttl=self.window)
            return 0.0
        finally:
            await self._state.release(keys.WECOM_SENT_LOCK + robot, lock)


def alert_line(alert: StaffAlert) -> str:
    """One warning as a markdown line; supervisors' escalations say whom they address."""
    tag = _LEVEL_TAGS.get(alert.level, "提醒")
    to = "**@科室负责人** " if alert.kind.endswith("_escalated") else ""
    return f"> {tag} {to}{alert.message}"


async def _queue(department: str, dedupe_key: str, body: str, now: datetime) -> bool:
    try:
        await RobotMessage.create(
            department_code=department, dedupe_key=dedupe_key, body=body, created_at=now
        )
    except IntegrityError:  # queued already (by this or another worker)
        return False
    return True


async def collect(now: datetime) -> int:
    """Queue one line per open alert of the last day not queued yet; returns how many."""
    alerts = await StaffAlert.filter(resolved_at=None, created_at__gte=now - RECENT).order_by("id")
    wanted = [f"alert:{a.id}" for a in alerts]
    rows = await RobotMessage.filter(dedupe_key__in=wanted).values_list("dedupe_key", flat=True)
    queued = {str(key) for key in rows}
    count = 0
    for alert in alerts:
        key = f"alert:{alert.id}"
        if key not in queued and await _queue(alert.department_code, key, alert_line(alert), now):
            count += 1
    return count


async def queue_digests(robots: RobotKeys, now: datetime, at: datetime) -> int:
    """From ``at`` (today's digest time) on, queue today's digest for each robot's department."""
    if now < at:
        return 0
    day = now.astimezone(CST).date()
    count = 0
    for department in await robots.departments():
        if await RobotMessage.exists(dedupe_key=f"digest:{department}:{day}:1"):
            continue
        alerts = await StaffAlert.filter(department_code=department, resolved_at=None).order_by(
            "level",
            "id",  # "critical" sorts before "warning": red first
        )
        red = sum(1 for a in alerts if a.level == "critical")
        head = (
            f"**督办日报 {day:%Y-%m-%d}（{department}）** "
            f"未处理预警 {len(alerts)} 条，其中红色 {red} 条"
        )
        lines = [alert_line(a) for a in alerts] or ["> 今日无未处理预警。"]
        parts = pack_blocks(lines, DIGEST_PART_BYTES - 200)
        for n, part in enumerate(parts, start=1):
            suffix = f"（{n}/{len(parts)}）" if len(parts) > 1 else ""
            body = f"{head}{suffix}\n{part}"
            count += int(await _queue(department, f"digest:{department}:{day}:{n}", body, now))
    return count


@dataclass
class FlushReport:
    sent: int = 0  # messages posted
    lines: int = 0  # queue rows delivered
    waiting: int = 0  # rows left for a later flush


class RobotPost:
    """Flushes departments' queues through their robots within the shared budget."""

    def __init__(
        self, client: WeComRobotClient, robots: RobotKeys, budget: SendBudget, state: SharedState
    ) -> None:
        self._client, self._robots, self._budget, self._state = client, robots, budget, state

    async def flush(self, now: datetime) -> FlushReport:
        report = FlushReport()
        departments = (
            await RobotMessage.filter(sent_at=None)
            .distinct()
            .values_list("department_code", flat=True)
        )
        for department in sorted({str(code) for code in departments}):
            lock = await self._state.acquire(keys.WECOM_FLUSH_LOCK + department, ttl=60.0)
            if lock is None:
                continue
            try:
                await self._flush_department(department, now, report)
            finally:
                await self._state.release(keys.WECOM_FLUSH_LOCK + department, lock)
        return report

    async def _flush_department(self, department: str, now: datetime, report: FlushReport) -> None:
        rows = await RobotMessage.filter(department_code=department, sent_at=None).order_by("id")
        key = await self._robots.get(department)
        if key is None:  # no robot yet: the rows wait (the staff API shows the alerts)
            report.waiting += len(rows)
            return
        batches = _batches(rows)
        for index, (content, batch) in enumerate(batches):
            if await self._budget.take(fingerprint(key)) > 0:
                report.waiting += sum(len(b) for _, b in batches[index:])
                return
            if not await self._post(key, content, batch, now):
                report.waiting += sum(len(b) for _, b in batches[index:])
                return
            report.sent += 1
            report.lines += len(batch)

    async def _post(self, key: str, content: str, batch: list[RobotMessage], now: datetime) -> bool:
        ids = [row.id for row in batch]
        try:
            await self._client.send_markdown(key, content)
        except IntegrationError as exc:
            kind = "permanent" if isinstance(exc, Permanent) else "retryable"
            log.warning("robot %s: %s failure %s", fingerprint(key), kind, exc.platform_code)
            await RobotMessage.filter(id__in=ids).update(last_error=exc.message[:200])
            return False
        await RobotMessage.filter(id__in=ids).update(sent_at=now)
        return True


def _batches(rows: list[RobotMessage]) -> list[tuple[str, list[RobotMessage]]]:
    """Rows packed in order into messages of at most 4,096 bytes (``pack_blocks`` rules)."""
    batches: list[tuple[str, list[RobotMessage]]] = []
    for row in rows:
        if batches:
            content, batch = batches[-1]
            joined = pack_blocks([content, row.body], MARKDOWN_MAX_BYTES)
            if len(joined) == 1:
                batches[-1] = (joined[0], [*batch, row])
                continue
        batches.append((pack_blocks([row.body], MARKDOWN_MAX_BYTES)[0], [row]))
    return batches
