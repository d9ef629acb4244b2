"""`citysvc audit verify`: exit 0 when every case's chain is intact, else name the first break."""

from __future__ import annotations

import asyncio

from citysvc.dbrun import with_database
from core.cases.audit import verify_all
from core.cases.models import Application


async def _verify() -> str | None:
    broken = await verify_all()
    if broken is None:
        return None
    case = await Application.get_or_none(id=broken.application_id)
    number = case.number if case else f"id {broken.application_id}"
    return f"case {number}, entry {broken.seq}: {broken.reason}"


def run_verify() -> int:
    problem = asyncio.run(with_database(_verify))
    if problem is None:
        print("audit trail intact")
        return 0
    print(f"audit trail broken at {problem}")
    return 1
