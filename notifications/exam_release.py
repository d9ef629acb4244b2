"""The "scores are out" message: at an exam's release time, once, to subscribed candidates.

A candidate is a citizen whose verified ID matches a result row (through the blind index)
and who follows the exam's topic. Rows are walked in result-id order, a batch per
transaction; the message key ``exam:{exam}:{citizen}`` is unique and keys already queued
are skipped before any consent is reserved, so a run that crashed is simply run again.
``announced_at`` is set only when every batch is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core.clock import CST
from core.exams.models import Exam
from core.ports import Clock
from core.topics.catalog import BY_KEY
from notifications import sql
from notifications.bulk import Reach, Rendered, choose_many, existing_keys, insert_messages
from notifications.bulk import render_all as render
from notifications.templates import Registry, chinese_time

_CANDIDATES = """
SELECT r.id AS rid, c.id AS citizen_id FROM exam_result r
JOIN citizen c ON c.id_number_index = r.id_number_index AND c.closed_at IS NULL
JOIN topic_subscription s ON s.citizen_id = c.id AND s.topic_key = ?
WHERE r.exam_id = ? AND r.id > ? ORDER BY r.id LIMIT ?
"""


def release_key(exam: str, citizen_id: str) -> str:
    return f"exam:{exam}:{citizen_id}"


def release_context(exam: Exam) -> dict[str, str]:
    """What the topic template is filled from: the scores are out, see your own."""
    topic = BY_KEY[exam.topic]
    local = exam.release_at.astimezone(CST)
    return {
        "title": f"{topic.name}已发布",
        "summary": "点击查看你本人的成绩",
        "topic": topic.key,
        "time": chinese_time(exam.release_at),
        "date": f"{local.year}年{local.month}月{local.day}日",
        "page": f"pages/exams/score?exam={exam.key}",
    }


@dataclass
class ReleaseAnnouncer:
    """Announces every released, not yet announced exam."""

    registry: Registry
    app_ids: Mapping[str, str]
    clock: Clock
    wall: Callable[[], float] = time.time
    batch: int = 500

    async def run_due(self) -> int:
        """Messages queued in this round."""
        now = self.clock.now()
        total = 0
        for exam in await Exam.filter(release_at__lte=now, announced_at=None):
            total += await self.announce(exam, now)
        return total

    async def announce(self, exam: Exam, now: datetime) -> int:
        context = release_context(exam)
        rendered = render(self.registry, BY_KEY[exam.topic].event, context)
        after, queued = 0, 0
        while rows := await sql.rows(_CANDIDATES, [exam.topic, exam.key, after, self.batch]):
            async with in_transaction():
                queued += await self._queue(exam, rows, rendered, context, now)
            after = int(rows[-1]["rid"])
        await Exam.filter(key=exam.key, announced_at=None).update(announced_at=now)
        return queued

    async def _queue(
        self,
        exam: Exam,
        rows: list[dict[str, object]],
        rendered: dict[str, Rendered],
        context: dict[str, str],
        now: datetime,
    ) -> int:
        # a write first takes SQLite's write lock: a transaction that read first could not
        # upgrade after another process wrote ("database is locked" at once)
        await sql.execute("UPDATE exam SET announced_at = NULL WHERE key = ?", [exam.key])
        keys = {str(r["citizen_id"]): release_key(exam.key, str(r["citizen_id"])) for r in rows}
        done = await existing_keys(list(keys.values()))
        fresh = [citizen for citizen, key in keys.items() if key not in done]
        reach = await choose_many(fresh, rendered, self.app_ids)
        due = self.wall()
        slots: dict[str, tuple[str, Reach, float]] = {
            citizen: (keys[citizen], r, due) for citizen, r in reach.items()
        }
        event = BY_KEY[exam.topic].event
        return await insert_messages(slots, rendered, context, event, now)
