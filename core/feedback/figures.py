"""The public figures (docs/api.md, "Public board and figures"), computed in SQL.

Over the cases filed from ``from`` to ``to`` (China dates, inclusive), as they stand now:

Six queries, one per table and question, run concurrently; each selects by the case's filing
time through an index (the counts of cases and applicants read the index alone).

* ``finished``: cases with a ``case_finish`` row (they entered a finished state once).
* ``on_time_rate``: cases with a due date finished by it / (cases with a due date
  finished + cases open past it). "Open past it" means in progress (``accepted``,
  ``under_review``) with the due date before today: a paused case's clock stands still.
* ``no_visit_rate``: finished cases delivered by EMS or that finished refused or denied /
  finished cases.
* ``avg_working_days``: the mean of the working days from acceptance to finishing, pauses
  excluded, stored when each case finished (cases never accepted do not count).
* ``satisfaction_rate``: ratings of 3 or more / ratings, default and voided ones excluded;
  ``poor_ratings`` counts levels 1 and 2 not voided.
* ``realname_citizens``: distinct applicants of those cases who verified their real name.
* ``top_complained``: the 10 items with most complaints filed in the same dates.

Rates are fractions from 0 to 1, None when nothing counts. Reads go through the ORM's
connection (a thread on SQLite, the pool on PostgreSQL): these are scans, not point reads.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise import connections

from core.clock import CST
from core.db import numbered
from core.errors import InvalidInput

MAX_DAYS = 3660  # a range of at most ten years
TOP = 10

_CASES = """
SELECT COUNT(*) AS cases FROM application WHERE created_at >= ? AND created_at < ? {scope}
"""
_PAST_DUE = """
SELECT {key}COUNT(*) AS open_past_due FROM application
WHERE status IN ('accepted', 'under_review') AND due_date < ?
  AND created_at >= ? AND created_at < ? {scope} {group}
"""
_FINISHED = """
SELECT {key}COUNT(*) AS finished,
  SUM(CASE WHEN delivery_method = 'ems' OR status IN ('refused', 'denied') THEN 1 ELSE 0 END)
    AS no_visit,
  SUM(CASE WHEN due_date IS NOT NULL AND finished_on <= due_date THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN due_date IS NOT NULL THEN 1 ELSE 0 END) AS due_finished,
  AVG(working_days) AS avg_days
FROM case_finish
WHERE filed_at >= ? AND filed_at < ? {scope} {group}
"""
_WHOLE = {"key": "", "group": ""}  # the two templates above over the whole selection
_BY_DEPARTMENT = {"key": "department_code, ", "group": "GROUP BY department_code"}
_RATINGS = """
SELECT COUNT(*) AS rated,
  SUM(CASE WHEN level >= 3 THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END) AS poor
FROM rating
WHERE filed_at >= ? AND filed_at < ? AND NOT voided AND NOT is_default {scope}
"""
_REALNAME = """
SELECT COUNT(*) AS citizens
FROM (SELECT DISTINCT citizen_id FROM application
      WHERE created_at >= ? AND created_at < ? {scope}) d
JOIN citizen c ON c.id = d.citizen_id
WHERE c.realname_verified
"""
_COMPLAINED = """
SELECT item_code, COUNT(*) AS n FROM feedback
WHERE kind = 'complaint' AND item_code IS NOT NULL AND created_at >= ? AND created_at < ?
{scope}
GROUP BY item_code ORDER BY n DESC, item_code LIMIT {top}
"""


def parse_day(raw: str | None, name: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError as exc:
        raise InvalidInput(
            f"'{name}' must be a date YYYY-MM-DD.", code="invalid_date", details={"field": name}
        ) from exc


def check_range(start: date, end: date) -> None:
    if end < start or (end - start).days > MAX_DAYS:
        raise InvalidInput(
            "'to' must not be before 'from', and the range at most ten years.",
            code="invalid_date",
            details={"field": "to"},
        )


def _rate(part: Any, whole: Any) -> float | None:
    whole = int(whole or 0)
    return round(int(part or 0) / whole, 4) if whole else None


def _on_time(finished: dict[str, Any], past_due: dict[str, Any]) -> float | None:
    """Finished by the due date / (finished with a due date + open past it)."""
    due = int(finished.get("due_finished") or 0) + int(past_due.get("open_past_due") or 0)
    return _rate(finished.get("on_time"), due)


class _Query:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def value(self, v: Any) -> Any:
        """Dates and times as the driver compares them: typed for asyncpg, ISO text for
        SQLite (which stores both as text, every time written in China Standard Time)."""
        if self.dialect == "postgres":
            return v
        if isinstance(v, datetime):
            return v.astimezone(CST).isoformat(" ")
        if isinstance(v, date):
            return v.isoformat()
        return v

    async def rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        conn = connections.get("default")
        text = numbered(sql) if self.dialect == "postgres" else sql
        rows: list[dict[str, Any]] = await conn.execute_query_dict(
            text, [self.value(p) for p in params]
        )
        return rows


def _scope(department: str | None, item: str | None) -> tuple[str, list[Any]]:
    """Every table read here carries the case's department and item code."""
    clauses, params = [], []
    if department:
        clauses.append("AND department_code = ?")
        params.append(department)
    if item:
        clauses.append("AND item_code = ?")
        params.append(item)
    return " ".join(clauses), params


async def figures(
    start: date,
    end: date,
    today: date,
    department: str | None = None,
    item: str | None = None,
) -> dict[str, Any]:
    """The contract's figures over cases filed from ``start`` to ``end`` (inclusive)."""
    q = _Query(connections.get("default").capabilities.dialect)
    lo, hi = _window(start, end)
    scope, params = _scope(department, item)
    cases, past_due, finished, ratings, realname, complained = await asyncio.gather(
        q.rows(_CASES.format(scope=scope), [lo, hi, *params]),
        q.rows(_PAST_DUE.format(scope=scope, **_WHOLE), [today, lo, hi, *params]),
        q.rows(_FINISHED.format(scope=scope, **_WHOLE), [lo, hi, *params]),
        q.rows(_RATINGS.format(scope=scope), [lo, hi, *params]),
        q.rows(_REALNAME.format(scope=scope), [lo, hi, *params]),
        q.rows(_COMPLAINED.format(scope=scope, top=TOP), [lo, hi, *params]),
    )
    c, f, r = cases[0], finished[0], ratings[0]
    avg = f["avg_days"]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "department": department,
        "item": item,
        "cases": int(c["cases"] or 0),
        "finished": int(f["finished"] or 0),
        "no_visit_rate": _rate(f["no_visit"], f["finished"]),
        "on_time_rate": _on_time(f, past_due[0]),
        "avg_working_days": None if avg is None else round(float(Decimal(str(avg))), 2),
        "satisfaction_rate": _rate(r["satisfied"], r["rated"]),
        "poor_ratings": int(r["poor"] or 0),
        "realname_citizens": int(realname[0]["citizens"] or 0),
        "top_complained": [
            {"item_code": row["item_code"], "count": int(row["n"])} for row in complained
        ],
    }


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    check_range(start, end)
    return (
        datetime.combine(start, time(0), CST),
        datetime.combine(end + timedelta(days=1), time(0), CST),
    )


async def on_time_by_department(start: date, end: date, today: date) -> list[dict[str, Any]]:
    """``on_time_rate`` per department, by the same queries as ``figures`` grouped by the
    case's department: ``[{"department", "on_time_rate", "finished", "open_past_due"}]``."""
    q = _Query(connections.get("default").capabilities.dialect)
    lo, hi = _window(start, end)
    past_due, finished = await asyncio.gather(
        q.rows(_PAST_DUE.format(scope="", **_BY_DEPARTMENT), [today, lo, hi]),
        q.rows(_FINISHED.format(scope="", **_BY_DEPARTMENT), [lo, hi]),
    )
    late = {str(r["department_code"]): r for r in past_due}
    done = {str(r["department_code"]): r for r in finished}
    return [
        {
            "department": code,
            "on_time_rate": _on_time(done.get(code, {}), late.get(code, {})),
            "finished": int(done.get(code, {}).get("finished") or 0),
            "open_past_due": int(late.get(code, {}).get("open_past_due") or 0),
        }
        for code in sorted(set(late) | set(done))
    ]


async def satisfaction(start: date, end: date, department: str | None = None) -> dict[str, Any]:
    """``satisfaction_rate`` and the counts behind it over cases filed from ``start`` to
    ``end``, by the query ``figures`` runs: ``{"rated", "satisfaction_rate", "poor_ratings"}``."""
    q = _Query(connections.get("default").capabilities.dialect)
    lo, hi = _window(start, end)
    scope, params = _scope(department, None)
    (row,) = await q.rows(_RATINGS.format(scope=scope), [lo, hi, *params])
    return {
        "rated": int(row["rated"] or 0),
        "satisfaction_rate": _rate(row["satisfied"], row["rated"]),
        "poor_ratings": int(row["poor"] or 0),
    }
