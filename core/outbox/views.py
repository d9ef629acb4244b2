"""What staff see of a case's messages (docs/api.md): one read of the outbox."""

from __future__ import annotations

from typing import Any

from core.outbox.models import OutboxMessage


async def messages_for(application_id: int) -> list[dict[str, Any]]:
    """What staff see of a case's messages (docs/api.md), oldest first."""
    rows = (
        await OutboxMessage.filter(application_id=application_id)
        .order_by("id")
        .values("event", "channel", "status", "attempts", "last_error")
    )
    return [
        {
            "event": r["event"],
            "channel": r["channel"],
            "status": r["status"],
            "attempts": r["attempts"],
            "error": r["last_error"] or None,
        }
        for r in rows
    ]
