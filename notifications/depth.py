"""Outbox depth by lane and status: read from the database, so every process reports the same."""

from __future__ import annotations

from tortoise import connections

_DEPTH = "SELECT lane, status, COUNT(*) FROM notify_outbox GROUP BY lane, status"


async def outbox_depth() -> list[tuple[str, str, int]]:
    """``(lane, status, count)`` for every lane and status that holds a message.

    Through the ORM's connection, not ``core.db.fetch``'s inline SQLite reader: counting a
    million-row outbox takes tens of milliseconds, which must not stall the event loop.
    """
    _, rows = await connections.get("default").execute_query(_DEPTH)
    return [(str(row[0]), str(row[1]), int(row[2])) for row in rows]
