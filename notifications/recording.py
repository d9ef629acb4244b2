"""Writing delivery outcomes back: statuses, attempts, consents and fallbacks, in batches.

Senders hand their results to a ``Recorder``; it writes them in one transaction per batch
(one statement per outcome group rather than one per message, which is what lets the
dispatcher keep pace with a raw HTTP loop). Every update is guarded by the lease: a row
that another worker reclaimed meanwhile is not touched, and its consent is not settled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core.clock import CST
from core.metrics import DISPATCH
from core.outbox.models import (
    FAILED,
    NO_CONSENT,
    ONE_TIME,
    QUEUED,
    SENT,
)
from notifications import consents, sql
from notifications.campaigns.delivery import HELD_FROM
from notifications.channels import ChannelChooser, Outgoing
from notifications.outbox import fall_back

log = logging.getLogger("citysvc.notifications.recording")

RETRY = "retry"
UNCLAIMED = "unclaimed"  # claimed, never sent: back to the queue as it was
HELD = "held"  # claimed, never sent, its campaign paused or cancelled: queued but held back
_ATTEMPT_COLUMNS = "message_id, attempt, worker, outcome, code, detail, elapsed_ms, retry_in_ms, at"
_RELEASE = "lease_owner = NULL, lease_expires_at = NULL"
_MINE = "lease_owner = ? AND status = 'sending'"


@dataclass(frozen=True)
class Result:
    """What one attempt at one message came to."""

    message: Outgoing
    outcome: str  # sent | retry | failed | no_consent
    code: str = ""
    detail: str = ""
    elapsed_ms: int = 0
    retry_at_ms: int | None = None

    @property
    def error(self) -> str:
        return f"{self.code} {self.detail}".strip()[:200]


class Recorder:
    """Collects results and writes them in batches for worker ``owner``."""

    def __init__(
        self,
        owner: str,
        chooser: ChannelChooser | None,
        now: Callable[[], float],
        *,
        max_batch: int = 256,
    ) -> None:
        self.owner = owner
        self._chooser = chooser
        self._now = now
        self._max_batch = max_batch
        self._pending: list[Result] = []
        self._full = asyncio.Event()
        self.written = 0

    def add(self, result: Result) -> None:
        DISPATCH.labels(result.message.channel, result.outcome, result.code).inc()
        self._pending.append(result)
        if len(self._pending) >= self._max_batch:
            self._full.set()

    async def run(self, stopping: asyncio.Event, every: float) -> None:
        """Flush whenever a batch fills or ``every`` seconds pass, until ``stopping``."""
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), timeout=every)
            await self.flush()

    async def flush(self) -> int:
        """Write everything pending; on a database error keep it for the next flush."""
        self._full.clear()
        written = 0
        # At most ``max_batch`` results a transaction: after a stall thousands wait, and one
        # statement for them all broke PostgreSQL's 32,767 parameters, then failed forever.
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            try:
                await self._write(batch)
            except Exception:  # the database may be busy or gone: keep the results, try again
                log.exception("could not record %d delivery results; will retry", len(batch))
                self._pending = batch + self._pending
                return written
            self.written += len(batch)
            written += len(batch)
        return written

    async def _write(self, batch: list[Result]) -> None:
        now = self._now()
        at = datetime.fromtimestamp(now, CST)
        async with in_transaction():
            mine = await _finish(batch, self.owner, at)
            await _settle([r for r in batch if r.message.id in mine], at)
            tried = [r for r in batch if r.outcome not in (UNCLAIMED, HELD)]
            await _record_attempts(tried, self.owner, at)
            for r in batch:
                if self._chooser and r.outcome == NO_CONSENT and r.message.id in mine:
                    await fall_back(self._chooser, r.message.id, now)


async def _finish(batch: list[Result], owner: str, at: datetime) -> set[int]:
    """Move each row to its outcome, if still leased to ``owner``; the ids that were.

    One statement per (outcome, error) group; retries one each, as each has its own time.
    """
    mine: set[int] = set()
    groups: dict[tuple[str, str], list[int]] = {}
    for r in batch:
        if r.outcome == RETRY:
            mine |= await _ids(
                f"UPDATE notify_outbox SET status = ?, next_attempt_at = ?, last_error = ?, "
                f"{_RELEASE} WHERE id = ? AND {_MINE} RETURNING id",
                [QUEUED, r.retry_at_ms, r.error, r.message.id, owner],
            )
        else:
            error = "" if r.outcome in (SENT, UNCLAIMED, HELD) else r.error
            groups.setdefault((r.outcome, error), []).append(r.message.id)
    for (outcome, error), ids in groups.items():
        marks = ", ".join("?" * len(ids))
        params: list[object]
        if outcome == UNCLAIMED:  # as it was before the claim, which counted an attempt
            change, params = "status = ?, attempts = attempts - 1", [QUEUED]
        elif outcome == HELD:  # the same, held back as a pause holds its campaign's rows
            change = "status = ?, attempts = attempts - 1, next_attempt_at = next_attempt_at + ?"
            params = [QUEUED, HELD_FROM]
        else:
            change = "status = ?, last_error = ?, sent_at = ?"
            params = [outcome, error, at if outcome == SENT else None]
        mine |= await _ids(
            f"UPDATE notify_outbox SET {change}, {_RELEASE} "
            f"WHERE id IN ({marks}) AND {_MINE} RETURNING id",
            [*params, *ids, owner],
        )
    return mine


async def _ids(statement: str, params: list[object]) -> set[int]:
    return {int(row["id"]) for row in await sql.rows(statement, list(params))}


async def _settle(results: list[Result], at: datetime) -> None:
    spent: Counter[consents.ConsentKey] = Counter()
    released: Counter[consents.ConsentKey] = Counter()
    exhausted: Counter[consents.ConsentKey] = Counter()
    for r in results:
        m = r.message
        key = (m.citizen_id, m.channel, m.template_id)
        held = 1 if m.consent == ONE_TIME else 0
        if r.outcome == NO_CONSENT:
            exhausted[key] += held  # also ends a long-term consent the platform no longer has
        elif held and r.outcome == SENT:
            spent[key] += 1
        elif held and r.outcome == FAILED:
            released[key] += 1
    await consents.settle(spent, released, exhausted, at)


async def _record_attempts(results: list[Result], owner: str, at: datetime) -> None:
    """One multi-row INSERT: building ORM objects cost more than the sends themselves."""
    if not results:
        return
    now_ms = int(at.timestamp() * 1000)
    params: list[object] = []
    for r in results:
        retry_in = None if r.retry_at_ms is None else r.retry_at_ms - now_ms
        params += [
            r.message.id,
            r.message.attempts,
            owner,
            r.outcome,
            r.code[:64],
            r.detail[:200],
            r.elapsed_ms,
            retry_in,
            at,
        ]
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(results))
    await sql.execute(f"INSERT INTO notify_attempt ({_ATTEMPT_COLUMNS}) VALUES {rows}", params)
