"""Open warnings as staff see them: scoped to the member's department, coloured, by
department (the staff API's ``/warnings`` and the console's supervision pages)."""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from core.alerts.models import StaffAlert
from core.alerts.service import open_alerts
from core.cases.models import Application
from core.errors import Forbidden
from core.paging import FIRST, Page
from core.staff.models import StaffMember

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
