"""The public board (审批直播间): one anonymised entry per case when it first finishes.

``record_finish`` is called by ``core.cases.transitions.move`` inside the transaction of the
change, so an entry exists exactly when the change committed. Entries carry the item's and
department's names as they were, never the case number or anything about the citizen.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.cases.models import Application
from core.cases.workdays import WorkCalendar
from core.catalogue.models import Department, ItemVersion
from core.clock import CST
from core.feedback import tally
from core.feedback.models import CaseFinish

# 办结: a case is finished once it first enters one of these (docs/api.md)
FINISHED = frozenset({"approved", "denied", "refused", "result_mailed", "delivered", "collected"})
# the states in which a citizen may rate the case
RATEABLE = frozenset({"refused", "denied", "result_mailed", "delivered", "collected"})
BOARD_LIMIT = 200  # entries one answer carries at most


def china_date(at: datetime) -> date:
    return at.astimezone(CST).date()


def working_days(case: Application, on: date, calendar: WorkCalendar) -> int | None:
    """Working days from acceptance to ``on``, days paused (supplement, suspension) excluded."""
    if case.accepted_on is None:
        return None
    return max(0, calendar.workdays_between(case.accepted_on, on) - case.paused_workdays)


async def record_finish(
    case: Application, target: str, at: datetime, calendar: WorkCalendar
) -> CaseFinish | None:
    """The case's board entry when ``target`` first finishes it; None otherwise."""
    if target not in FINISHED or case.status in FINISHED:
        return None
    version = await ItemVersion.get_or_none(id=case.item_version_id)
    department = await Department.get_or_none(code=case.department_code)
    on = china_date(at)
    row = CaseFinish(
        application_id=case.id,
        status=target,
        item_code=case.item_code,
        item_name=version.name if version else case.item_code,
        department_code=case.department_code,
        department_name=department.name if department else case.department_code,
        finished_at=at,
        finished_on=on,
        working_days=working_days(case, on, calendar),
        filed_at=case.created_at,
        delivery_method=case.delivery_method,
        due_date=case.due_date,
    )
    # ON CONFLICT DO NOTHING: a case finishes once, and a failed insert would abort the
    # caller's PostgreSQL transaction
    await CaseFinish.bulk_create([row], ignore_conflicts=True)
    # the move's version guard lets one change finish a case: counted once
    deltas = tally.finish_deltas(target, row.delivery_method, row.due_date, on, row.working_days)
    await tally.add(china_date(case.created_at), case.department_code, case.item_code, **deltas)
    return row


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
