"""`citysvc calendar set DAY workday|holiday [--note]`, `calendar list`, `calendar recompute`.

Setting a day recomputes every open case's promised deadline at once; running servers and
workers pick the override up within a minute (they reload the calendar).
"""

from __future__ import annotations

import asyncio
import sys

from citysvc.dbrun import with_database
from core.cases.deadlines import recompute_open_deadlines, set_override
from core.cases.models import CalendarOverride
from core.errors import DomainError


async def _set(day: str, kind: str, note: str) -> str:
    override = await set_override(day, kind, note)
    changed = await recompute_open_deadlines()
    what = "a working day" if override.is_workday else "a day off"
    return f"{override.day} is now {what}; {changed} open case deadlines changed"


async def _list() -> str:
    rows = await CalendarOverride.all().order_by("day")
    kinds = {True: "workday", False: "holiday"}
    return "\n".join(f"{r.day} {kinds[r.is_workday]} {r.note}".rstrip() for r in rows) or "none"


async def _recompute() -> str:
    return f"{await recompute_open_deadlines()} open case deadlines changed"


def run(action: str, day: str | None, kind: str | None, note: str) -> int:
    try:
        if action == "set":
            if not day or not kind:
                print("citysvc calendar set DAY workday|holiday", file=sys.stderr)
                return 2
            print(asyncio.run(with_database(lambda: _set(day, kind, note))))
        elif action == "list":
            print(asyncio.run(with_database(_list)))
        else:
            print(asyncio.run(with_database(_recompute)))
    except DomainError as exc:
        print(f"citysvc calendar: {exc.message}", file=sys.stderr)
        return 2
    return 0
