"""The tamper-evident trail: each entry's hash covers its content and the previous hash.

Entries are keyed (``alg = "hmac-sha256"``): the hash is an HMAC under the chain key of
``core.cases.audit_keys``, a secret outside the database, so someone who rewrites entries
and recomputes their hashes cannot produce hashes that verify. Entries written before the
keyed chain (migration 0008b) keep their plain SHA-256 (``alg = "sha256"``) and still verify,
but only as the start of a chain: a plain entry after a keyed one is a break. Re-keying them
at migration was not chosen: it would need the secret in `citysvc migrate` (which needs only
the database) and would bless whatever had been changed before. A plain chain can still be
rewritten whole by someone holding the database; an anchor (``core.cases.anchor``) written
after the upgrade fixes every chain's head, and the highest plain entry, outside it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson
from tortoise import connections
from tortoise.expressions import Q

from core.cases import audit_keys
from core.cases.models import AuditEntry
from core.cases.views import STAFF_ONLY_ACTIONS, timeline_item
from core.db import fetch_tuples

GENESIS = "0" * 64
KEYED = "hmac-sha256"
LEGACY = "sha256"

_APPEND_TIMELINE = {
    "sqlite": "UPDATE application SET citizen_timeline = "
    "json_insert(citizen_timeline, '$[#]', json(?)) WHERE id = ?",
    "postgres": "UPDATE application SET citizen_timeline = "
    "citizen_timeline || jsonb_build_array($1::jsonb) WHERE id = $2",
}


def _canonical(
    prev_hash: str,
    application_id: int,
    seq: int,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str,
    note: str,
    at: datetime,
) -> bytes:
    return json.dumps(
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
    ).encode()


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
    """The plain SHA-256 of entries written before the chain was keyed (``alg = sha256``)."""
    canonical = _canonical(
        prev_hash, application_id, seq, actor, action, from_status, to_status, note, at
    )
    return hashlib.sha256(canonical).hexdigest()


def keyed_hash(
    key: bytes,
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
    """HMAC-SHA256 under the chain key, over the same content (``alg = hmac-sha256``)."""
    canonical = _canonical(
        prev_hash, application_id, seq, actor, action, from_status, to_status, note, at
    )
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


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
    digest = keyed_hash(
        audit_keys.current().chain,
        prev_hash,
        application_id,
        seq,
        actor,
        action,
        from_status,
        to_status,
        note,
        at,
    )
    # the citizen's stored timeline grows in the same transaction; a case filed before
    # migration 0004 has none (NULL stays NULL) and its timeline is read from this trail
    if action not in STAFF_ONLY_ACTIONS:
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
        alg=KEYED,
    )


@dataclass(frozen=True)
class Break:
    application_id: int
    seq: int
    reason: str


@dataclass
class _Walk:
    """Where the walk through one case's chain stands."""

    case: int = -1
    prev_hash: str = GENESIS
    expected: int = 0
    keyed_seen: bool = False


def _content_hash(entry: AuditEntry, key: bytes) -> str:
    fields = (
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
    return keyed_hash(key, *fields) if entry.alg == KEYED else entry_hash(*fields)


def _check(entry: AuditEntry, walk: _Walk, key: bytes, legacy_ceiling: int | None) -> str | None:
    if entry.seq != walk.expected:
        return f"expected entry {walk.expected}, found {entry.seq} (an entry was removed)"
    if entry.prev_hash != walk.prev_hash:
        return "previous-hash link does not match"
    if entry.alg == LEGACY:
        if walk.keyed_seen:
            return "an unkeyed entry after keyed ones (rewritten without the audit key)"
        if legacy_ceiling is not None and entry.id > legacy_ceiling:
            return "an unkeyed entry written after the checkpoint (rewritten without the key)"
    elif entry.alg != KEYED:
        return f"unknown hash algorithm {entry.alg!r}"
    recomputed = _content_hash(entry, key)
    if not hmac.compare_digest(recomputed, entry.hash):
        return "content does not match its hash"
    return None


HeadCheck = Callable[[AuditEntry], str | None]


async def verify_all(
    batch: int = 5000,
    *,
    legacy_ceiling: int | None = None,
    head_check: HeadCheck | None = None,
) -> Break | None:
    """Walk every case's chain in (case, seq) order, then check that every case stands where
    its chain ends; the first broken entry, or None. ``legacy_ceiling`` (from an anchor) is
    the highest id an unkeyed entry may have; ``head_check`` sees every entry (an anchor's
    heads)."""
    key = audit_keys.current().chain
    after, walk = (-1, 0), _Walk()
    while rows := await _page(after, batch):
        for entry in rows:
            if entry.application_id != walk.case:
                walk = _Walk(case=entry.application_id)
            walk.expected += 1
            reason = _check(entry, walk, key, legacy_ceiling)
            if reason is None and head_check is not None:
                reason = head_check(entry)
            if reason:
                return Break(entry.application_id, entry.seq, reason)
            walk.prev_hash, walk.keyed_seen = entry.hash, walk.keyed_seen or entry.alg == KEYED
        after = (rows[-1].application_id, rows[-1].seq)
    return await _check_heads(batch)


async def legacy_count() -> int:
    """Entries still under plain SHA-256 (written before the chain was keyed)."""
    return await AuditEntry.filter(alg=LEGACY).count()


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
