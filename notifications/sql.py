"""Raw SQL for the few statements the ORM cannot say (claims with SKIP LOCKED, clamped counters).

Statements are written once with ``?`` placeholders and numbered for PostgreSQL. They run on
the current connection, which inside ``in_transaction()`` is that transaction's.
"""

from __future__ import annotations

from typing import Any

from tortoise import connections


def dialect() -> str:
    """``sqlite`` or ``postgres``."""
    return str(connections.get("default").capabilities.dialect)


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...``."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


def _prepare(sql: str) -> tuple[Any, str]:
    conn = connections.get("default")
    return conn, numbered(sql) if conn.capabilities.dialect == "postgres" else sql


async def execute(sql: str, params: list[Any]) -> int:
    """Run a write; the number of rows it changed."""
    conn, text = _prepare(sql)
    changed, _ = await conn.execute_query(text, params)
    return int(changed)


async def execute_many(sql: str, values: list[list[Any]]) -> None:
    """Run one write once for each parameter list."""
    conn, text = _prepare(sql)
    await conn.execute_many(text, values)


async def rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Run a read, or a write with RETURNING; its rows as dicts."""
    conn, text = _prepare(sql)
    result: list[dict[str, Any]] = await conn.execute_query_dict(text, params)
    return result
