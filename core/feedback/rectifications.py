"""Rectification tasks: what a department does about a poor rating.

Clerks call the citizen back, rectify, or appeal; a supervisor of the department (or an
administrator) upholds the appeal's rating (the task reopens) or voids it (it no longer
counts in the figures). Staff never see who rated: a task shows the case, the level and
the comment only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.cases.finish import china_date
from core.cases.models import Application
from core.cases.notes import MAX_NOTE
from core.clock import CST
from core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from core.feedback.errors import RectificationNotFound
from core.feedback.models import Rating, Rectification
from core.feedback.queues import department_scope, status_page
from core.paging import Page
from core.staff.models import StaffMember
from core.totals import tally

STATUSES = ("open", "called_back", "rectified", "appealed", "voided")
CLERK_ACTIONS = {
    ("open", "call_back"): "called_back",
    ("called_back", "rectify"): "rectified",
    ("open", "appeal"): "appealed",
    ("called_back", "appeal"): "appealed",
}
SUPERVISOR_ACTIONS = {("appealed", "uphold"): "open", ("appealed", "void"): "voided"}
ACTIONS = ("call_back", "rectify", "appeal", "uphold", "void")
OPEN = ("open", "called_back")  # still owed by the department: these can be overdue


def scope(member: StaffMember) -> Q:
    """The tasks a staff member sees: their department's (admins: all)."""
    return department_scope(member, "您的岗位不处理整改任务。")


async def task_page(
    member: StaffMember, status: str | None, page: Page
) -> tuple[list[dict[str, Any]], int]:
    query = Rectification.filter(scope(member))
    tasks, total = await status_page(query, status, STATUSES, page)
    return await views(tasks), total


async def views(tasks: list[Rectification]) -> list[dict[str, Any]]:
    ratings = {
        r["id"]: r
        for r in await Rating.filter(id__in=[t.rating_id for t in tasks]).values(
            "id", "level", "comment"
        )
    }
    numbers = dict(
        await Application.filter(id__in=[t.application_id for t in tasks]).values_list(
            "id", "number"
        )
    )
    return [
        task_view(t, ratings[t.rating_id], str(numbers.get(t.application_id, ""))) for t in tasks
    ]


def task_view(task: Rectification, rating: dict[str, Any], number: str) -> dict[str, Any]:
    """What staff see: never who rated (the applicant or an agent)."""
    return {
        "id": task.id,
        "application_number": number,
        "level": rating["level"],
        "comment": rating["comment"],
        "status": task.status,
        "due_date": task.due_date.isoformat(),
        "due_provisional": task.due_provisional,
        "history": task.history,
        "created_at": task.created_at.astimezone(CST).isoformat(),
    }


def _target(member: StaffMember, status: str, action: str) -> str:
    if action not in ACTIONS:
        raise InvalidInput("Unknown action.", code="invalid_action", details={"allowed": ACTIONS})
    table = CLERK_ACTIONS if (status, action) in CLERK_ACTIONS else SUPERVISOR_ACTIONS
    if action in ("uphold", "void") and member.role not in ("supervisor", "admin"):
        raise Forbidden("申诉由科室负责人审核，请联系科室负责人。", code="role_not_allowed")
    if action not in ("uphold", "void") and member.role == "supervisor":
        raise Forbidden("回访、整改和申诉由经办人办理。", code="role_not_allowed")
    target = table.get((status, action))
    if target is None:
        raise InvalidTransition(
            f"'{action}' is not allowed while the task is '{status}'.",
            details={"status": status, "action": action},
        )
    return target


async def act(
    member: StaffMember, task_id: int, action: str, note: str, now: datetime
) -> dict[str, Any]:
    """Apply ``action``; 404 for another department's task, 409 from a wrong state."""
    task = await Rectification.get_or_none(Q(id=task_id) & scope(member))
    if task is None:
        raise RectificationNotFound(details={"id": task_id})
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"说明请控制在{MAX_NOTE}字以内。", details={"field": "note"})
    target = _target(member, task.status, action)
    entry = {
        "action": action,
        "note": note,
        "by": f"staff:{member.username}",
        "at": now.astimezone(CST).isoformat(),
    }
    async with in_transaction():
        updated = await Rectification.filter(id=task.id, version=task.version).update(
            status=target,
            version=task.version + 1,
            history=[*task.history, entry],
            updated_at=now,
        )
        if not updated:
            raise Conflict(
                "The task was changed by someone else; reload and try again.",
                code="concurrent_update",
            )
        if action in ("void", "uphold"):
            await Rating.filter(id=task.rating_id).update(voided=action == "void")
        if action == "void":  # a voided rating no longer counts in the figures
            rating = await Rating.get(id=task.rating_id)
            await tally.add(
                china_date(rating.filed_at),
                rating.department_code,
                rating.item_code,
                **tally.rating_deltas(rating.level, sign=-1),
            )
    fresh = await Rectification.get(id=task.id)
    return (await views([fresh]))[0]


async def overdue(today: date) -> list[Rectification]:
    """Tasks still owed past their due date."""
    return await Rectification.filter(status__in=list(OPEN), due_date__lt=today)
