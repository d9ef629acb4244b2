"""The citizen's inbox: the messages they were sent or are due, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.cases.models import Application
from core.clock import CST
from core.outbox.models import OutboxMessage
from core.paging import Page, fetch_page

_FALLBACK_TITLE = "服务通知"


def title_of(event: str, context: dict[str, Any]) -> str:
    """What the message was about, in a line: a topic's title, or the item and its news."""
    if context.get("title"):
        return str(context["title"])
    item, news = context.get("item_name"), context.get("status_text")
    if item and news:
        return f"{item}：{news}"
    return str(item or news or _FALLBACK_TITLE)


def _at(row: OutboxMessage) -> datetime:
    """The time sent, else the time due (China time)."""
    if row.sent_at is not None:
        return row.sent_at.astimezone(CST)
    return datetime.fromtimestamp(row.next_attempt_at / 1000, UTC).astimezone(CST)


async def inbox(citizen_id: str, page: Page) -> tuple[list[dict[str, Any]], int]:
    """A page of the citizen's messages, newest first, and how many there are."""
    rows, total = await fetch_page(OutboxMessage.filter(citizen_id=citizen_id), page, "-id")
    case_ids = {r.application_id for r in rows if r.application_id is not None}
    numbers = dict(
        await Application.filter(id__in=case_ids).values_list("id", "number") if case_ids else []
    )
    return [
        {
            "event": r.event,
            "title": title_of(r.event, dict(r.context)),
            "at": _at(r).isoformat(),
            "channel": r.channel,
            "status": r.status,
            "application_number": numbers.get(r.application_id),
        }
        for r in rows
    ], total
