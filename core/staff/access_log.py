"""The staff access log (GB/T 22239 level 3: security audit): who signed in, failed, was
locked out, viewed a case or downloaded a material, when and from where.

Lines are only ever appended (``record``); the database refuses to change one, or to delete
one younger than six months (migration 0009). ``sweep`` drops lines past the retention
period (``STAFF_ACCESS_LOG_DAYS``, at least 183), oldest first. Administrators read the log
through ``page``; what it shows is masked: free text passes ``redact`` (ID and phone numbers,
tokens) and a username that names no staff member (someone may have typed a password into
the field) keeps only its first character.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.masking import redact
from core.paging import Page, fetch_page
from core.settings import MIN_ACCESS_LOG_DAYS
from core.staff.models import StaffAccessEntry

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKED_OUT = "locked_out"
CASE_VIEWED = "case_viewed"
MATERIAL_DOWNLOADED = "material_downloaded"
EVENTS = (LOGIN, LOGIN_FAILED, LOCKED_OUT, CASE_VIEWED, MATERIAL_DOWNLOADED)


def _masked_username(username: str) -> str:
    text = username[:64]
    return text[:1] + "*" * min(len(text) - 1, 7) if len(text) > 1 else "*"


async def record(
    event: str,
    at: datetime,
    *,
    username: str,
    staff_id: int | None = None,
    address: str | None = None,
    subject: str | None = None,
    detail: str = "",
) -> None:
    """Append one line. ``staff_id`` None means the username names nobody: it is masked."""
    if event not in EVENTS:
        raise ValueError(f"unknown access-log event {event!r}")
    await StaffAccessEntry.create(
        at=at,
        event=event,
        staff_id=staff_id,
        username=username[:64] if staff_id is not None else _masked_username(username),
        address=(address or None) and address[:64],
        subject=(subject or None) and subject[:64],
        detail=redact(detail)[:200],
    )


def view(entry: StaffAccessEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "event": entry.event,
        "staff_id": entry.staff_id,
        "username": entry.username,
        "address": entry.address,
        "subject": entry.subject,
        "detail": redact(entry.detail),
    }


async def page(
    page: Page, *, event: str | None = None, staff_id: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Newest first: one page of lines and the count of every match."""
    query = StaffAccessEntry.all()
    if event is not None:
        query = query.filter(event=event)
    if staff_id is not None:
        query = query.filter(staff_id=staff_id)
    rows, total = await fetch_page(query, page, "-id")
    return [view(row) for row in rows], total


async def sweep(now: datetime, keep_days: int) -> int:
    """Delete lines older than ``keep_days`` (never fewer than 183): the count deleted."""
    cutoff = now - timedelta(days=max(keep_days, MIN_ACCESS_LOG_DAYS))
    return await StaffAccessEntry.filter(at__lt=cutoff).delete()
