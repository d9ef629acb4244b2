"""Claiming due messages so that each is sent by one worker at a time.

PostgreSQL: ``UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)``, both halves (expired
leases, then due rows) in one statement: any number of workers on any number of machines
claim disjoint rows without waiting for each other.

SQLite (one machine): one claimer at a time, the worker holding the lease row in
``notify_claimer``; it renews the lease while alive and another worker takes over once it
expires. The claim itself is still one atomic ``UPDATE ... RETURNING``, so even two claimers
could not take the same row; the lease keeps them from contending for SQLite's write lock.

A claimed row is ``sending`` with ``lease_owner`` and ``lease_expires_at``; a row still
``sending`` past its lease belonged to a worker that died, and is claimed again.
"""

from __future__ import annotations

from typing import Any

from core.db import fetch
from core.outbox.models import ClaimerLease
from core.rows import as_json
from notifications import sql
from notifications.channels import Outgoing

SQLITE_CLAIMER = "sqlite"
# Two halves, each walking its own index in order and stopping after LIMIT rows: one query
# with OR would collect and sort every due row on each claim (a 100,000-message campaign).
_QUEUED = "lane = ? AND status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at"
_EXPIRED = "lane = ? AND status = 'sending' AND lease_expires_at <= ? ORDER BY lease_expires_at"
_COLUMNS = (
    "id, lane, key, citizen_id, event, channel, recipient, template_id, page, data, consent, "
    "attempts"
)
_SET = "status = 'sending', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1"


def _claim_sql(due: str) -> str:
    """SQLite: one half of the claim."""
    return (
        f"UPDATE notify_outbox SET {_SET} WHERE id IN "
        f"(SELECT id FROM notify_outbox WHERE {due} LIMIT ?) RETURNING {_COLUMNS}"
    )


def _postgres_claim_sql() -> str:
    """PostgreSQL: both halves in one statement, expired leases first. One round trip: under
    a campaign's load each query waited ~10 ms for the CPU, and a milestone's claim made two
    (parameters: lane, now, limit, lane, now, limit, owner, lease, limit)."""
    columns = ", ".join("o." + c.strip() for c in _COLUMNS.split(","))
    return (
        f"WITH expired AS (SELECT id FROM notify_outbox WHERE {_EXPIRED} LIMIT ? "
        f"FOR UPDATE SKIP LOCKED), queued AS (SELECT id FROM notify_outbox WHERE {_QUEUED} "
        "LIMIT ? FOR UPDATE SKIP LOCKED) "
        f"UPDATE notify_outbox AS o SET {_SET.replace('attempts + 1', 'o.attempts + 1')} "
        "FROM (SELECT id FROM expired UNION ALL SELECT id FROM queued LIMIT ?) AS due "
        f"WHERE o.id = due.id RETURNING {columns}"
    )


_POSTGRES_CLAIM = _postgres_claim_sql()


class Claimer:
    """Claims due rows of a lane for ``owner``.

    ``lease`` (seconds) is how long a claimed row stays this worker's; ``claimer_lease`` how
    long the SQLite claimer role does (short, so a successor of a dead worker starts soon).
    """

    def __init__(self, owner: str, lease: float, claimer_lease: float = 10.0) -> None:
        self.owner = owner
        self.lease_ms = int(lease * 1000)
        self.claimer_lease_ms = int(min(lease, claimer_lease) * 1000)
        self._holds_until = 0  # epoch ms until which this worker holds the SQLite lease
        self._was_full: dict[str, bool] = {}  # lane -> the last SQLite claim took its limit

    async def _due(self, lane: str, now_ms: int) -> bool:
        """Whether anything is due: cheap reads, so idle workers poll without writing."""
        return await _exists(_QUEUED, lane, now_ms) or await _exists(_EXPIRED, lane, now_ms)

    async def claim(self, lane: str, limit: int, now_ms: int) -> list[Outgoing]:
        """Take up to ``limit`` due rows of ``lane``, a dead worker's first; [] when another
        worker holds the SQLite claimer role."""
        if limit <= 0:
            return []
        lease_until = now_ms + self.lease_ms
        if sql.dialect() == "postgres":
            due = [lane, now_ms, limit]
            found = await sql.rows(_POSTGRES_CLAIM, [*due, *due, self.owner, lease_until, limit])
            return [_outgoing(row) for row in found]
        # On SQLite any UPDATE takes the write lock, so an idle worker looks first (PostgreSQL
        # does not: a claim that finds nothing writes nothing, and under a campaign the look's
        # reads were a third of a milestone's claim). After a full claim more rows are likely
        # due: the look is skipped.
        if not self._was_full.get(lane) and not await self._due(lane, now_ms):
            return []
        if not await self._sqlite_lease(now_ms):
            self._was_full[lane] = False  # another worker claims: look before trying again
            return []
        params = [self.owner, lease_until, lane, now_ms]
        found = []
        if await _exists(_EXPIRED, lane, now_ms):
            found = await sql.rows(_claim_sql(_EXPIRED), [*params, limit])
        if len(found) < limit:
            found += await sql.rows(_claim_sql(_QUEUED), [*params, limit - len(found)])
        self._was_full[lane] = len(found) == limit
        return [_outgoing(row) for row in found]

    async def _sqlite_lease(self, now_ms: int) -> bool:
        """Hold (or renew) the single-claimer lease; renewed when a third of it is used."""
        if self._holds_until - now_ms > self.claimer_lease_ms * 2 // 3:
            return True
        await ClaimerLease.bulk_create(
            [ClaimerLease(name=SQLITE_CLAIMER, owner="", expires_at=0)], ignore_conflicts=True
        )
        until = now_ms + self.claimer_lease_ms
        taken = await sql.execute(
            "UPDATE notify_claimer SET owner = ?, expires_at = ? "
            "WHERE name = ? AND (owner = ? OR expires_at <= ?)",
            [self.owner, until, SQLITE_CLAIMER, self.owner, now_ms],
        )
        self._holds_until = until if taken else 0
        return bool(taken)

    async def release(self) -> None:
        """Give the SQLite lease up at a clean shutdown so a successor need not wait."""
        if self._holds_until and sql.dialect() == "sqlite":
            await sql.execute(
                "UPDATE notify_claimer SET expires_at = 0 WHERE name = ? AND owner = ?",
                [SQLITE_CLAIMER, self.owner],
            )
            self._holds_until = 0


async def _exists(due: str, lane: str, now_ms: int) -> bool:
    return bool(
        await fetch(f"SELECT 1 AS x FROM notify_outbox WHERE {due} LIMIT 1", [lane, now_ms])
    )


def _outgoing(row: dict[str, Any]) -> Outgoing:
    return Outgoing(
        id=int(row["id"]),
        lane=str(row["lane"]),
        key=str(row["key"]),
        citizen_id=str(row["citizen_id"]),
        event=str(row["event"]),
        channel=str(row["channel"]),
        recipient=str(row["recipient"] or ""),
        template_id=str(row["template_id"] or ""),
        page=str(row["page"] or ""),
        data=dict(as_json(row["data"]) or {}),
        consent=row["consent"],
        attempts=int(row["attempts"]),
    )
