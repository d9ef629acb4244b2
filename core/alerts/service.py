"""Raising and listing staff alerts."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core.alerts.models import StaffAlert
from core.paging import FIRST, Page, fetch_page

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
