"""Raising and listing staff alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core.alerts.models import StaffAlert
from core.cases.models import Application
from core.errors import Forbidden
from core.paging import FIRST, Page, fetch_page
from core.staff.models import StaffMember

LEVELS = ("info", "warning", "critical")


async def raise_alert(
    *,
    department_code: str,
    application_id: int,
    kind: str,
    level: str,
    message: str,
    at: datetime,
) -> StaffAlert | None:
    """Raise the alert; None when this case already had one of this ``kind``.

    Safe to call inside the caller's transaction, and concurrently: the insert runs in a
    savepoint, so losing the race on the unique key rolls back only the insert (PostgreSQL
    would otherwise abort the whole transaction).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown alert level {level!r}")
    if await StaffAlert.exists(application_id=application_id, kind=kind):
        return None
    try:
        async with in_transaction():
            return await StaffAlert.create(
                department_code=department_code,
                application_id=application_id,
                kind=kind,
                level=level,
                message=message,
                created_at=at,
            )
    except IntegrityError:
        return None


async def open_alerts(
    department_code: str | None, page: Page = FIRST
) -> tuple[list[StaffAlert], int]:
    """A page of unresolved alerts, newest first: of one department, or of all when ``None``
    (admins), and how many there are."""
    query = StaffAlert.filter(resolved_at=None)
    if department_code is not None:
        query = query.filter(department_code=department_code)
    return await fetch_page(query, page, "-id")


async def resolve_alert(alert_id: int, department_code: str | None, at: datetime) -> bool:
    """Mark an open alert resolved; False when there is no such open alert in the department."""
    query = StaffAlert.filter(id=alert_id, resolved_at=None)
    if department_code is not None:
        query = query.filter(department_code=department_code)
    return await query.update(resolved_at=at) > 0


async def open_by_level() -> list[tuple[str, int]]:
    """Open warnings of every department by level (``/metrics``)."""
    rows = (
        await StaffAlert.filter(resolved_at=None)
        .annotate(n=Count("id"))
        .group_by("level")
        .values_list("level", "n")
    )
    return [(str(level), int(n)) for level, n in rows]


WARNING_ROLES = ("clerk", "supervisor", "admin")
COLOURS = {"critical": "red", "warning": "yellow", "info": "blue"}


def warning_scope(member: StaffMember) -> str | None:
    """The department whose warnings ``member`` sees (None: every department, admins);
    403 ``role_not_allowed`` for a role that does not handle cases."""
    if member.role not in WARNING_ROLES:
        raise Forbidden("Your role does not handle cases.", code="role_not_allowed")
    return None if member.role == "admin" else member.department_code


def warning_view(alert: StaffAlert, numbers: dict[int, str]) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "level": alert.level,
        "colour": COLOURS.get(alert.level, alert.level),
        "audience": "supervisor" if alert.kind.endswith("_escalated") else "department",
        "department": alert.department_code,
        "number": numbers.get(alert.application_id),
        "message": alert.message,
        "created_at": alert.created_at.isoformat(),
    }


async def warning_page(member: StaffMember, page: Page = FIRST) -> tuple[list[dict[str, Any]], int]:
    """A page of the open warnings ``member`` may see, newest first, as the staff API and
    the console show them, and how many there are."""
    department = warning_scope(member)
    if department is None and member.role != "admin":
        return [], 0
    alerts, total = await open_alerts(department, page)
    case_ids = list({a.application_id for a in alerts})
    rows = await Application.filter(id__in=case_ids).values_list("id", "number")
    numbers = {int(case_id): str(number) for case_id, number in rows}
    return [warning_view(alert, numbers) for alert in alerts], total


async def open_by_department(member: StaffMember) -> list[tuple[str, str, int]]:
    """(department, level, count) of the open warnings ``member`` may see."""
    department = warning_scope(member)
    query = StaffAlert.filter(resolved_at=None)
    if department is not None:
        query = query.filter(department_code=department)
    elif member.role != "admin":
        return []
    rows = (
        await query.annotate(n=Count("id"))
        .group_by("department_code", "level")
        .values_list("department_code", "level", "n")
    )
    return sorted((str(d), str(level), int(n)) for d, level, n in rows)
