"""`citysvc audit verify [--anchor FILE]` and `citysvc audit anchor [--out FILE]`.

Both need the audit key (``AUDIT_KEY``, else ``SECRET_KEY``) and the database.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

from citysvc.dbrun import with_database
from core.cases import audit_keys
from core.cases.anchor import AnchorInvalid, make_anchor, read_anchor, verify_with_anchor
from core.cases.audit import Break, legacy_count, verify_all
from core.cases.models import Application
from core.clock import CST
from core.settings import environment


async def _describe(broken: Break) -> str:
    case = await Application.get_or_none(id=broken.application_id)
    number = case.number if case else f"id {broken.application_id}"
    return f"case {number}, entry {broken.seq}: {broken.reason}"


def run_verify(anchor_file: str | None = None) -> int:
    audit_keys.configure(audit_keys.keys_from_env(environment()))
    anchor = None
    if anchor_file is not None:
        try:
            anchor = read_anchor(Path(anchor_file).read_text(encoding="utf-8"))
        except (OSError, AnchorInvalid) as exc:
            print(f"audit anchor {anchor_file} refused: {exc}")
            return 1

    async def verify() -> tuple[str | None, int]:
        broken = await (verify_all() if anchor is None else verify_with_anchor(anchor))
        if broken is not None:
            return await _describe(broken), 0
        return None, await legacy_count()

    problem, unkeyed = asyncio.run(with_database(verify))
    if problem is not None:
        print(f"audit trail broken at {problem}")
        return 1
    print("audit trail intact")
    if anchor is not None:
        print(f"every chain matches the checkpoint of {anchor.created_at}")
    elif unkeyed:
        print(f"{unkeyed} entries from before the keyed chain: anchor them (citysvc audit anchor)")
    return 0


def run_anchor(out: str | None) -> int:
    audit_keys.configure(audit_keys.keys_from_env(environment()))
    now = datetime.now(CST)
    path = Path(out or f"audit-anchor-{now:%Y%m%dT%H%M%S}.json")
    anchor = asyncio.run(with_database(lambda: make_anchor(now)))
    path.write_text(json.dumps(anchor, ensure_ascii=False), encoding="utf-8")
    print(f"audit anchor of {len(anchor['heads'])} chains written to {path}")
    return 0
