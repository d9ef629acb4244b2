"""Complaints, suggestions and corrections (我要纠错): routed, answered within a deadline.

Feedback naming a case goes to the case's department, feedback naming an item to the
item's current department; naming neither, it goes to the administrators
(``department_code`` None). A reply is due ``FEEDBACK_REPLY_DAYS`` working days after the
day it arrived (the cases' calendar). The reply and the citizen's ``feedback.replied``
message commit together: ``notify`` runs inside the reply's transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.cases.finish import china_date
from core.cases.models import Application
from core.cases.queries import citizen_case
from core.cases.workdays import WorkCalendar
from core.catalogue.models import ItemVersion
from core.catalogue.service import current_version
from core.clock import CST
from core.errors import InvalidInput
from core.feedback.errors import AlreadyReplied, FeedbackNotFound, InvalidFeedbackKind
from core.feedback.models import Feedback
from core.feedback.queues import department_scope, status_page
from core.paging import Page, fetch_page
from core.staff.models import StaffMember
from core.totals import tally

KINDS = ("complaint", "suggestion", "correction")
FEEDBACK_KINDS_TEXT = {"complaint": "投诉", "suggestion": "建议", "correction": "纠错"}
STATUSES = ("open", "replied")
MAX_CONTENT = 2000
MAX_REPLY = 2000

Notify = Callable[[Feedback], Awaitable[None]]


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if value is None:
        raise InvalidInput(f"'{name}' is required.", code="missing_field", details={"field": name})
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(
            f"'{name}' must be text of 1 to {limit} characters.", details={"field": name}
        )
    return value.strip()


def _optional(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidInput(f"'{name}' must be text.", details={"field": name})
    return value


async def submit(
    citizen_id: str,
    body: dict[str, Any],
    now: datetime,
    calendar: WorkCalendar,
    reply_days: int,
) -> Feedback:
    """File the citizen's feedback, routed to the department that must answer it."""
    kind = body.get("kind")
    if kind not in KINDS:
        raise InvalidFeedbackKind(details={"allowed": list(KINDS)})
    content = _text(body, "content", MAX_CONTENT)
    item_code, number = _optional(body, "item_code"), _optional(body, "application_number")
    if kind == "correction" and item_code is None:
        raise InvalidInput(
            "A correction names the item whose guide is wrong.",
            code="missing_field",
            details={"field": "item_code"},
        )
    department: str | None = None
    application_id: int | None = None
    version: int | None = None
    if item_code is not None:
        current = await current_version(item_code)  # 404 item_not_found
        department, version = current.department_id, current.version
    if number is not None:
        case = await citizen_case(number, citizen_id)  # 404: never reveal another's case
        application_id, department = case.id, case.department_code
        item_code = item_code or case.item_code  # a complaint about a case counts for its item
    due, provisional = calendar.add_workdays(now.astimezone(CST).date(), reply_days)
    async with in_transaction():
        row = await Feedback.create(
            citizen_id=citizen_id,
            kind=kind,
            content=content,
            item_code=item_code,
            item_version=version,
            application_id=application_id,
            department_code=department,
            status="open",
            due_date=due,
            due_provisional=provisional,
            created_at=now,
        )
        if kind == "complaint" and item_code is not None:  # the figures' most complained-of
            await tally.add(china_date(now), department, item_code, complaints=1)
    return row


async def _numbers(rows: list[Feedback]) -> dict[int, str]:
    ids = [r.application_id for r in rows if r.application_id is not None]
    return {
        int(i): str(n) for i, n in await Application.filter(id__in=ids).values_list("id", "number")
    }


def view(row: Feedback, numbers: dict[int, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "content": row.content,
        "item_code": row.item_code,
        "application_number": numbers.get(row.application_id or 0),
        "status": row.status,
        "reply": row.reply,
        "replied_at": row.replied_at.astimezone(CST).isoformat() if row.replied_at else None,
        "due_date": row.due_date.isoformat(),
        "created_at": row.created_at.astimezone(CST).isoformat(),
    }


async def citizen_page(citizen_id: str, page: Page) -> tuple[list[dict[str, Any]], int]:
    rows, total = await fetch_page(Feedback.filter(citizen_id=citizen_id), page, "-id")
    numbers = await _numbers(rows)
    return [view(r, numbers) for r in rows], total


def scope(member: StaffMember) -> Q:
    """A department's feedback; administrators see everything, including what is theirs."""
    return department_scope(member, "您的岗位不处理群众意见。")


async def staff_page(
    member: StaffMember, status: str | None, page: Page
) -> tuple[list[dict[str, Any]], int]:
    """Never who wrote it: the department answers the matter, the platform the citizen."""
    rows, total = await status_page(Feedback.filter(scope(member)), status, STATUSES, page)
    numbers = await _numbers(rows)
    return [{**view(r, numbers), "department": r.department_code} for r in rows], total


async def reply(
    member: StaffMember, feedback_id: int, body: dict[str, Any], now: datetime, notify: Notify
) -> dict[str, Any]:
    text = _text(body, "reply", MAX_REPLY)
    row = await Feedback.get_or_none(Q(id=feedback_id) & scope(member))
    if row is None:
        raise FeedbackNotFound(details={"id": feedback_id})
    async with in_transaction():
        updated = await Feedback.filter(id=row.id, status="open").update(
            status="replied", reply=text, replied_by=f"staff:{member.username}", replied_at=now
        )
        if not updated:
            raise AlreadyReplied()
        row = await Feedback.get(id=row.id)
        await notify(row)
    numbers = await _numbers([row])
    return {**view(row, numbers), "department": row.department_code}


async def overdue(today: date) -> list[Feedback]:
    """Feedback still unanswered past its due date."""
    return await Feedback.filter(status="open", due_date__lt=today)


async def item_history(code: str) -> list[dict[str, Any]]:
    """An item's versions, newest first, each with the corrections (我要纠错) it answered:
    those filed while the version before it was current. A correction therefore shows in
    the history once the catalogue has been updated after it."""
    await current_version(code)  # 404 item_not_found
    versions = (
        await ItemVersion.filter(item_id=code)
        .order_by("-version")
        .values("version", "name", "created_at")
    )
    corrections: dict[int, list[dict[str, Any]]] = {}
    for c in await Feedback.filter(item_code=code, kind="correction").order_by("id"):
        corrections.setdefault((c.item_version or 0) + 1, []).append(
            {
                "id": c.id,
                "content": c.content,
                "filed_at": c.created_at.astimezone(CST).isoformat(),
                "status": c.status,
                "reply": c.reply,
            }
        )
    return [
        {
            "version": v["version"],
            "name": v["name"],
            "created_at": v["created_at"].astimezone(CST).isoformat(),
            "corrections": corrections.get(v["version"], []),
        }
        for v in versions
    ]
