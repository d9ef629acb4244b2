"""Checkpoints of the audit trail kept outside the database (``citysvc audit anchor``).

An anchor lists every case's chain head (case id, seq, hash) and the highest id of an
unkeyed (pre-0008b) entry, signed with HMAC-SHA256 under the anchor key
(``core.cases.audit_keys``). An operator ships the file to write-once storage. Verifying
against it (``citysvc audit verify --anchor FILE``) catches, besides what the keyed chain
catches, a rewrite of every hash up to the checkpoint (the head no longer matches), a chain
cut short or removed (its head is missing), and an entry rewritten as unkeyed after the
checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.cases import audit_keys
from core.cases.audit import LEGACY, Break, verify_all
from core.cases.models import AuditEntry
from core.db import fetch_tuples

FORMAT = "citysvc-audit-anchor/1"

_HEADS = """
SELECT e.application_id, e.seq, e.hash FROM audit_entry e
WHERE e.application_id > ? AND e.seq = (
  SELECT MAX(seq) FROM audit_entry WHERE application_id = e.application_id)
ORDER BY e.application_id LIMIT ?
"""


class AnchorInvalid(ValueError):
    """The file is not an anchor, or its signature does not verify under the audit key."""


@dataclass(frozen=True)
class Anchor:
    created_at: str
    legacy_ceiling: int
    heads: dict[int, tuple[int, str]]


def _sign(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(audit_keys.current().anchor, canonical, hashlib.sha256).hexdigest()


async def make_anchor(now: datetime, batch: int = 5000) -> dict[str, Any]:
    """The signed checkpoint of every chain as it stands now (a JSON-ready dict)."""
    heads: list[list[Any]] = []
    after = 0
    while rows := await fetch_tuples(_HEADS, [after, batch]):
        heads.extend([int(case), int(seq), str(digest)] for case, seq, digest in rows)
        after = int(rows[-1][0])
    ceiling = await AuditEntry.filter(alg=LEGACY).order_by("-id").first()
    body = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "legacy_ceiling": ceiling.id if ceiling is not None else 0,
        "heads": heads,
    }
    return body | {"mac": _sign(body)}


def read_anchor(text: str) -> Anchor:
    """The anchor in ``text``; AnchorInvalid when malformed or not signed under our key."""
    try:
        data = json.loads(text)
        body = {k: data[k] for k in ("format", "created_at", "legacy_ceiling", "heads")}
        mac = str(data["mac"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorInvalid("not an audit anchor file") from exc
    if body["format"] != FORMAT:
        raise AnchorInvalid(f"unknown anchor format {body['format']!r}")
    if not hmac.compare_digest(_sign(body), mac):
        raise AnchorInvalid("the anchor's signature does not verify under this AUDIT_KEY")
    heads = {int(case): (int(seq), str(digest)) for case, seq, digest in body["heads"]}
    return Anchor(str(body["created_at"]), int(body["legacy_ceiling"]), heads)


async def verify_with_anchor(anchor: Anchor) -> Break | None:
    """``verify_all``, and every anchored head still in place with its anchored hash."""
    reached: set[int] = set()

    def at_head(entry: AuditEntry) -> str | None:
        head = anchor.heads.get(entry.application_id)
        if head is None or entry.seq != head[0]:
            return None
        reached.add(entry.application_id)
        if entry.hash != head[1]:
            return f"differs from the checkpoint of {anchor.created_at}: the trail was rewritten"
        return None

    broken = await verify_all(legacy_ceiling=anchor.legacy_ceiling, head_check=at_head)
    if broken is not None:
        return broken
    for case_id in sorted(set(anchor.heads) - reached):
        return Break(
            case_id,
            anchor.heads[case_id][0],
            f"missing: the checkpoint of {anchor.created_at} holds entries up to here",
        )
    return None
