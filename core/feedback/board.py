"""The public board (审批直播间): one anonymised entry per case when it first finishes.

The entries are the ``case_finish`` rows that ``core.cases.finish.record_finish`` writes in
the transaction of the finishing change. They carry the item's and department's names as
they were, never the case number or anything about the citizen.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.cases.models import CaseFinish
from core.clock import CST

BOARD_LIMIT = 200  # entries one answer carries at most


def entry_view(row: dict[str, Any]) -> dict[str, Any]:
    at = row["finished_at"]
    at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return {
        "id": row["id"],
        "at": at.astimezone(CST).isoformat(),
        "item_name": row["item_name"],
        "department_name": row["department_name"],
        "status": row["status"],
    }


_FIELDS = ("id", "finished_at", "item_name", "department_name", "status")


async def board(today: date, since: int = 0, limit: int = BOARD_LIMIT) -> list[dict[str, Any]]:
    """Today's entries after ``since``, newest first."""
    rows = (
        await CaseFinish.filter(finished_on=today, id__gt=since)
        .order_by("-id")
        .limit(limit)
        .values(*_FIELDS)
    )
    return [entry_view(r) for r in rows]


async def entries_after(since: int, limit: int = BOARD_LIMIT) -> list[dict[str, Any]]:
    """Entries after ``since`` oldest first (the stream sends them in the order they came)."""
    rows = await CaseFinish.filter(id__gt=since).order_by("id").limit(limit).values(*_FIELDS)
    return [entry_view(r) for r in rows]


async def last_id() -> int:
    row = await CaseFinish.all().order_by("-id").first().values("id")
    return int(row["id"]) if row else 0
