"""The public figures (docs/api.md, "Public board and figures"), computed in SQL.

Over the cases filed from ``from`` to ``to`` (China dates, inclusive), as they stand now:

Four queries run concurrently. The counts and sums come from ``figure_day``, the running
totals per day, department and item that every write keeps in step (``core.totals.tally``):
a year is a few hundred rows per item whatever the number of cases. What depends on today
(cases open past their due date) reads a partial index of the cases in progress; the
distinct applicants read the cases' filing-time indexes (each applicant is counted at the
first of their cases in the range).

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
* ``top_complained``: the 10 items with most complaints filed in the same dates (ties by
  item code).

Rates are fractions from 0 to 1, None when nothing counts. Reads go through the ORM's
connection (a thread on SQLite, the pool on PostgreSQL): these are scans, not point reads.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise import connections

from core.clock import CST
from core.db import numbered
from core.errors import InvalidInput

MAX_DAYS = 3660  # a range of at most ten years
TOP = 10

_TOTALS = """
SELECT {key}SUM(cases) AS cases, SUM(finished) AS finished, SUM(no_visit) AS no_visit,
  SUM(on_time) AS on_time, SUM(due_finished) AS due_finished, SUM(days_total) AS days_total,
  SUM(days_counted) AS days_counted, SUM(rated) AS rated, SUM(satisfied) AS satisfied,
  SUM(poor) AS poor
FROM figure_day WHERE day >= ? AND day <= ? {scope} {group}
"""
_PAST_DUE = """
SELECT {key}COUNT(*) AS open_past_due FROM application
WHERE status IN ('accepted', 'under_review') AND due_date < ?
  AND created_at >= ? AND created_at < ? {scope} {group}
"""
_WHOLE = {"key": "", "group": ""}  # the two templates above over the whole selection
_BY_DEPARTMENT = {"key": "department_code, ", "group": "GROUP BY department_code"}
# a citizen is counted at the first of their cases in the range: the one whose previous
# filing (in the same scope) came before it
_REALNAME = """
SELECT COUNT(*) AS citizens FROM application a JOIN citizen c ON c.id = a.citizen_id
WHERE a.created_at >= ? AND a.created_at < ? AND (a.{prior} IS NULL OR a.{prior} < ?)
  AND c.realname_verified {scope}
"""
# a department and an item both named: few cases, counted directly
_REALNAME_BOTH = """
SELECT COUNT(*) AS citizens
FROM (SELECT DISTINCT citizen_id FROM application a
      WHERE created_at >= ? AND created_at < ? {scope}) d
JOIN citizen c ON c.id = d.citizen_id
WHERE c.realname_verified
"""
_COMPLAINED = """
SELECT item_code, SUM(complaints) AS n FROM figure_day
WHERE day >= ? AND day <= ? AND complaints > 0 {scope}
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


def _on_time(totals: dict[str, Any], past_due: dict[str, Any]) -> float | None:
    """Finished by the due date / (finished with a due date + open past it)."""
    due = int(totals.get("due_finished") or 0) + int(past_due.get("open_past_due") or 0)
    return _rate(totals.get("on_time"), due)


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


def _scope(department: str | None, item: str | None, alias: str = "") -> tuple[str, list[Any]]:
    """Every table read here carries the case's department and item code."""
    clauses, params = [], []
    if department:
        clauses.append(f"AND {alias}department_code = ?")
        params.append(department)
    if item:
        clauses.append(f"AND {alias}item_code = ?")
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
    totals, past_due, realname, complained = await asyncio.gather(
        q.rows(_TOTALS.format(scope=scope, **_WHOLE), [start, end, *params]),
        q.rows(_PAST_DUE.format(scope=scope, **_WHOLE), [today, lo, hi, *params]),
        _realname(q, lo, hi, department, item),
        q.rows(_COMPLAINED.format(scope=scope, top=TOP), [start, end, *params]),
    )
    t = totals[0]
    counted = int(t["days_counted"] or 0)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "department": department,
        "item": item,
        "cases": int(t["cases"] or 0),
        "finished": int(t["finished"] or 0),
        "no_visit_rate": _rate(t["no_visit"], t["finished"]),
        "on_time_rate": _on_time(t, past_due[0]),
        "avg_working_days": round(int(t["days_total"]) / counted, 2) if counted else None,
        "satisfaction_rate": _rate(t["satisfied"], t["rated"]),
        "poor_ratings": int(t["poor"] or 0),
        "realname_citizens": realname,
        "top_complained": [
            {"item_code": row["item_code"], "count": int(row["n"])} for row in complained
        ],
    }


async def _realname(
    q: _Query, lo: datetime, hi: datetime, department: str | None, item: str | None
) -> int:
    """Distinct real-name-verified applicants of the cases filed in [lo, hi)."""
    scope, params = _scope(department, item, alias="a.")
    if department and item:
        rows = await q.rows(_REALNAME_BOTH.format(scope=scope), [lo, hi, *params])
    else:
        prior = "prior_at_item" if item else "prior_at_department" if department else "prior_at"
        rows = await q.rows(_REALNAME.format(prior=prior, scope=scope), [lo, hi, lo, *params])
    return int(rows[0]["citizens"] or 0)


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
    past_due, totals = await asyncio.gather(
        q.rows(_PAST_DUE.format(scope="", **_BY_DEPARTMENT), [today, lo, hi]),
        q.rows(_TOTALS.format(scope="AND department_code <> ''", **_BY_DEPARTMENT), [start, end]),
    )
    late = {str(r["department_code"]): r for r in past_due}
    done = {str(r["department_code"]): r for r in totals if int(r["cases"] or 0)}
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
    ``end``, from the totals ``figures`` reads: ``{"rated", "satisfaction_rate",
    "poor_ratings"}``."""
    q = _Query(connections.get("default").capabilities.dialect)
    check_range(start, end)
    scope, params = _scope(department, None)
    (row,) = await q.rows(_TOTALS.format(scope=scope, **_WHOLE), [start, end, *params])
    return {
        "rated": int(row["rated"] or 0),
        "satisfaction_rate": _rate(row["satisfied"], row["rated"]),
        "poor_ratings": int(row["poor"] or 0),
    }
