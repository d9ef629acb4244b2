"""The running totals the public figures read (``figure_day``), kept in step with the writes.

One row per (China date, department, item) holds what the figures add up: cases filed that
day, how many of them finished (and of those: no visit, on time, with a due date, working
days), their ratings that count (not default, not voided) and the complaints filed that day
about the item. Every write that changes one of them adds its difference in its own
transaction (``add``), so the figures read a few hundred rows for a year instead of the
cases themselves, and are never behind.

A case also carries its applicant's previous filing time (``prior_at``: any case,
``prior_at_department``: in the same department, ``prior_at_item``: of the same item): the
distinct applicants of the cases filed in a range are the cases in it whose applicant's
previous filing came before the range, so they are counted without a DISTINCT over every
case. ``note_priors`` sets them at filing, with the citizen's row locked so two filings of
one citizen cannot both count as the first.

``rebuild`` recomputes all of it from the cases, finishes, ratings and complaints
themselves: the migration that introduced the table, the benchmark's bulk load and the
tests that write rows directly use it, and a test checks that the running totals equal it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.clock import CST
from core.db import numbered
from core.identity.models import Citizen

COUNTERS = (
    "cases",
    "finished",
    "no_visit",
    "on_time",
    "due_finished",
    "days_total",
    "days_counted",
    "rated",
    "satisfied",
    "poor",
    "complaints",
)
NO_VISIT_STATES = ("refused", "denied")
_pending: ContextVar[dict[tuple[date, str, str], dict[str, int]] | None] = ContextVar(
    "figure_day_pending", default=None
)

_UPSERT = (
    "INSERT INTO figure_day (day, department_code, item_code, {columns}) "
    "VALUES (?, ?, ?, {values}) "
    "ON CONFLICT (day, department_code, item_code) DO UPDATE SET {sums}"
)


def _conn(conn: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return conn or connections.get("default")


def _dialect(conn: BaseDBAsyncClient | None = None) -> str:
    return str(_conn(conn).capabilities.dialect)


def _param(value: Any, dialect: str) -> Any:
    """Dates and times as the driver compares them: typed for asyncpg, ISO text for SQLite
    (which stores both as text, every time written in China Standard Time)."""
    if dialect == "postgres":
        return value
    if isinstance(value, datetime):
        return value.astimezone(CST).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def execute(
    sql: str, params: list[Any], conn: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    client, dialect = _conn(conn), _dialect(conn)
    text = numbered(sql) if dialect == "postgres" else sql
    values = [_param(p, dialect) for p in params]
    rows: list[dict[str, Any]] = await client.execute_query_dict(text, values)
    return rows


def china_day(at: datetime) -> date:
    return at.astimezone(CST).date()


async def add(day: date, department: str | None, item: str, **deltas: int) -> None:
    """Add ``deltas`` (counter name: difference) to the row of ``day``, department, item.
    Call inside the transaction of the write it counts, as late in it as can be: the row
    stays locked until that transaction ends. A transaction that touches several rows (a
    bundle's filing) wraps its writes in ``batched()``, which adds them in one order, so
    that two such transactions never wait on each other."""
    changed = {k: v for k, v in deltas.items() if v}
    if not changed:
        return
    pending = _pending.get()
    if pending is not None:
        row = pending.setdefault((day, department or "", item), {})
        for k, v in changed.items():
            row[k] = row.get(k, 0) + v
        return
    await _add(day, department, item, changed)


@asynccontextmanager
async def batched() -> AsyncIterator[None]:
    """Collect the ``add`` calls made inside and write them at the end, row by row in
    (day, department, item) order; call inside the caller's transaction."""
    pending: dict[tuple[date, str, str], dict[str, int]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for (day, department, item), changed in sorted(pending.items()):
        await _add(day, department, item, changed)


async def _add(day: date, department: str | None, item: str, changed: dict[str, int]) -> None:
    unknown = set(changed) - set(COUNTERS)
    assert not unknown, unknown
    sql = _UPSERT.format(  # every counter on insert: the columns have no SQL default
        columns=", ".join(COUNTERS),
        values=", ".join("?" for _ in COUNTERS),
        sums=", ".join(f"{k} = figure_day.{k} + excluded.{k}" for k in changed),
    )
    await execute(sql, [day, department or "", item, *(changed.get(k, 0) for k in COUNTERS)])


def finish_deltas(
    status: str,
    delivery: str,
    due: date | None,
    on: date,
    working_days: int | None,
) -> dict[str, int]:
    """What a case's first finishing adds (the definitions in ``core.feedback.figures``)."""
    return {
        "finished": 1,
        "no_visit": int(delivery == "ems" or status in NO_VISIT_STATES),
        "on_time": int(due is not None and on <= due),
        "due_finished": int(due is not None),
        "days_total": working_days or 0,
        "days_counted": int(working_days is not None),
    }


def rating_deltas(level: int, sign: int = 1) -> dict[str, int]:
    """What a counted rating adds (``sign`` -1: what voiding it takes away)."""
    return {"rated": sign, "satisfied": sign * int(level >= 3), "poor": sign * int(level <= 2)}


async def note_priors(citizen_id: Any, department: str, item: str) -> dict[str, Any]:
    """The applicant's previous filing times for a case about to be filed: call inside the
    filing transaction. The citizen's row is locked first (PostgreSQL; SQLite writes one
    at a time anyway), so a second filing of the same citizen waits and then sees this one."""
    await Citizen.filter(id=citizen_id).select_for_update().only("id").first()
    rows = await execute(
        "SELECT MAX(created_at) AS p_any, "
        "MAX(CASE WHEN department_code = ? THEN created_at END) AS p_department, "
        "MAX(CASE WHEN item_code = ? THEN created_at END) AS p_item "
        "FROM application WHERE citizen_id = ?",
        [department, item, citizen_id if _dialect() == "postgres" else str(citizen_id)],
    )
    row = rows[0] if rows else {}
    return {
        "prior_at": _when(row.get("p_any")),
        "prior_at_department": _when(row.get("p_department")),
        "prior_at_item": _when(row.get("p_item")),
    }


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


_PRIORS = """
UPDATE application SET prior_at = p.p_any, prior_at_department = p.p_department,
  prior_at_item = p.p_item
FROM (SELECT id,
  LAG(created_at) OVER (PARTITION BY citizen_id ORDER BY created_at, id) AS p_any,
  LAG(created_at) OVER (PARTITION BY citizen_id, department_code ORDER BY created_at, id)
    AS p_department,
  LAG(created_at) OVER (PARTITION BY citizen_id, item_code ORDER BY created_at, id) AS p_item
  FROM application {where}) p
WHERE application.id = p.id
"""


async def recount_priors(citizen_id: Any) -> None:
    """Recompute one citizen's previous-filing times (after two citizens were joined)."""
    key = citizen_id if _dialect() == "postgres" else str(citizen_id)
    await execute(_PRIORS.format(where="WHERE citizen_id = ?"), [key])


def _day(column: str, dialect: str) -> str:
    if dialect == "postgres":
        return f"CAST(({column} AT TIME ZONE 'Asia/Shanghai') AS DATE)"
    return f"substr({column}, 1, 10)"  # stored as China-time ISO text


def _rebuild_sql(dialect: str) -> str:
    zeros = {k: "0" for k in COUNTERS}

    def select(day: str, department: str, item: str, table: str, where: str, **v: str) -> str:
        values = ", ".join(f"{v.get(k, zeros[k])} AS {k}" for k in COUNTERS)
        return f"SELECT {day} AS day, {department} AS department_code, {item} AS item_code, " + (
            f"{values} FROM {table} {where}"
        )

    finish = "delivery_method = 'ems' OR status IN ('refused', 'denied')"
    parts = [
        select(
            _day("created_at", dialect),
            "department_code",
            "item_code",
            "application",
            "",
            cases="1",
        ),
        select(
            _day("filed_at", dialect),
            "department_code",
            "item_code",
            "case_finish",
            "",
            finished="1",
            no_visit=f"CASE WHEN {finish} THEN 1 ELSE 0 END",
            on_time="CASE WHEN due_date IS NOT NULL AND finished_on <= due_date THEN 1 ELSE 0 END",
            due_finished="CASE WHEN due_date IS NOT NULL THEN 1 ELSE 0 END",
            days_total="COALESCE(working_days, 0)",
            days_counted="CASE WHEN working_days IS NOT NULL THEN 1 ELSE 0 END",
        ),
        select(
            _day("filed_at", dialect),
            "department_code",
            "item_code",
            "rating",
            "WHERE NOT voided AND NOT is_default",
            rated="1",
            satisfied="CASE WHEN level >= 3 THEN 1 ELSE 0 END",
            poor="CASE WHEN level <= 2 THEN 1 ELSE 0 END",
        ),
        select(
            _day("created_at", dialect),
            "COALESCE(department_code, '')",
            "item_code",
            "feedback",
            "WHERE kind = 'complaint' AND item_code IS NOT NULL",
            complaints="1",
        ),
    ]
    sums = ", ".join(f"SUM({k})" for k in COUNTERS)
    return (
        f"INSERT INTO figure_day (day, department_code, item_code, {', '.join(COUNTERS)}) "
        f"SELECT day, department_code, item_code, {sums} FROM ({' UNION ALL '.join(parts)}) t "
        "GROUP BY day, department_code, item_code"
    )


async def rebuild(conn: BaseDBAsyncClient | None = None) -> None:
    """Recompute ``figure_day`` and every case's previous-filing times from scratch (in the
    caller's transaction when ``conn`` is given: a migration's)."""
    if conn is not None:
        await _rebuild(conn)
        return
    async with in_transaction() as tx:
        await _rebuild(tx)


async def _rebuild(conn: BaseDBAsyncClient) -> None:
    await execute("DELETE FROM figure_day", [], conn)
    await execute(_rebuild_sql(_dialect(conn)), [], conn)
    await execute(_PRIORS.format(where=""), [], conn)
