"""The tamper-evident trail: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import orjson
from tortoise import connections
from tortoise.expressions import Q

from core.cases.models import AuditEntry
from core.cases.views import timeline_item
from core.db import fetch_tuples

GENESIS = "0" * 64

_APPEND_TIMELINE = {
    "sqlite": "UPDATE application SET citizen_timeline = "
    "json_insert(citizen_timeline, '$[#]', json(?)) WHERE id = ?",
    "postgres": "UPDATE application SET citizen_timeline = "
    "citizen_timeline || jsonb_build_array($1::jsonb) WHERE id = $2",
}


def entry_hash(
    prev_hash: str,
    application_id: int,
    seq: int,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str,
    note: str,
    at: datetime,
) -> str:
    canonical = json.dumps(
        [
            prev_hash,
            application_id,
            seq,
            actor,
            action,
            from_status,
            to_status,
            note,
            at.isoformat(timespec="microseconds"),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append(
    application_id: int,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str,
    note: str,
    at: datetime,
) -> AuditEntry:
    """Append one entry; call inside the transaction that changed the case."""
    last = await AuditEntry.filter(application_id=application_id).order_by("-seq").first()
    prev_hash, seq = (last.hash, last.seq + 1) if last else (GENESIS, 1)
    digest = entry_hash(
        prev_hash, application_id, seq, actor, action, from_status, to_status, note, at
    )
    # the citizen's stored timeline grows in the same transaction; a case filed before
    # migration 0004 has none (NULL stays NULL) and its timeline is read from this trail
    item = orjson.dumps(timeline_item(action, to_status, note, at)).decode()
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    await conn.execute_query(_APPEND_TIMELINE[dialect], [item, application_id])
    return await AuditEntry.create(
        application_id=application_id,
        seq=seq,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        at=at,
        prev_hash=prev_hash,
        hash=digest,
    )


@dataclass(frozen=True)
class Break:
    application_id: int
    seq: int
    reason: str


def _check(entry: AuditEntry, prev_hash: str, seq: int) -> str | None:
    if entry.seq != seq:
        return f"expected entry {seq}, found {entry.seq} (an entry was removed)"
    if entry.prev_hash != prev_hash:
        return "previous-hash link does not match"
    recomputed = entry_hash(
        entry.prev_hash,
        entry.application_id,
        entry.seq,
        entry.actor,
        entry.action,
        entry.from_status,
        entry.to_status,
        entry.note,
        entry.at,
    )
    return None if recomputed == entry.hash else "content does not match its hash"


async def verify_all(batch: int = 5000) -> Break | None:
    """Walk every case's chain in (case, seq) order, then check that every case stands where
    its chain ends; the first broken entry, or None."""
    after, current, prev_hash, expected = (-1, 0), -1, GENESIS, 0
    while rows := await _page(after, batch):
        for entry in rows:
            if entry.application_id != current:
                current, prev_hash, expected = entry.application_id, GENESIS, 0
            expected += 1
            reason = _check(entry, prev_hash, expected)
            if reason:
                return Break(entry.application_id, entry.seq, reason)
            prev_hash = entry.hash
        after = (rows[-1].application_id, rows[-1].seq)
    return await _check_heads(batch)


# Each case's row against the end of its chain: every change bumps ``version`` (1 at filing)
# and appends one entry, so the last entry's seq is the version and its state the case's. A
# removed last entry breaks no link, but leaves the case ahead of its trail.
_HEADS = """
SELECT a.id, a.version, a.status, e.seq, e.to_status FROM application a
LEFT JOIN audit_entry e ON e.application_id = a.id
 AND e.seq = (SELECT MAX(seq) FROM audit_entry WHERE application_id = a.id)
WHERE a.id > ? ORDER BY a.id LIMIT ?
"""


async def _check_heads(batch: int) -> Break | None:
    after = 0
    while rows := await fetch_tuples(_HEADS, [after, batch]):
        for case_id, version, status, seq, to_status in rows:
            if (seq, to_status) != (version, status):
                return Break(
                    case_id,
                    int(seq or 0) + 1,
                    f"missing: the case is at change {version} ({status}) but its trail ends "
                    f"at entry {seq or 0} ({to_status or 'none'})",
                )
        after = int(rows[-1][0])
    return None


async def _page(after: tuple[int, int], batch: int) -> list[AuditEntry]:
    case_id, seq = after
    return (
        await AuditEntry.filter(
            Q(application_id__gt=case_id) | Q(application_id=case_id, seq__gt=seq)
        )
        .order_by("application_id", "seq")
        .limit(batch)
    )
