"""The figures of the benefits sweep (免申即享) for the console: per policy, how many citizens
were told they qualify (in all, and day by day), what became of those messages, and how many
of the told citizens then filed the policy's item (and how many of those were approved at
once by the item's rules).

A notice is the ``policy_notice`` row written with the message (``policy:{code}:{citizen}``),
so counts of notices and of messages agree by construction; a filing counts when the told
citizen filed the policy's item after the notice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from core.cases.instant import ACTOR as INSTANT
from core.clock import CST
from core.policies.models import Policy
from notifications import sql

DAYS = 30  # the day-by-day series covers this many days up to today
_DAY = {
    "sqlite": "substr(created_at, 1, 10)",  # stored as text in China time
    "postgres": "to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')",
}


def _at(moment: datetime) -> Any:
    """A time as the driver compares it (text in China time on SQLite, as stored there)."""
    return moment.astimezone(CST).isoformat(" ") if sql.dialect() == "sqlite" else moment


async def _notices() -> dict[str, dict[str, Any]]:
    rows = await sql.rows(
        "SELECT policy_code, COUNT(*) AS n, MAX(created_at) AS last FROM policy_notice "
        "GROUP BY policy_code",
        [],
    )
    return {str(r["policy_code"]): r for r in rows}


async def _by_day(since: datetime) -> dict[tuple[str, str], int]:
    day = _DAY[sql.dialect()]
    rows = await sql.rows(
        f"SELECT policy_code, {day} AS day, COUNT(*) AS n FROM policy_notice "
        f"WHERE created_at >= ? GROUP BY policy_code, {day}",
        [_at(since)],
    )
    return {(str(r["policy_code"]), str(r["day"])): int(r["n"]) for r in rows}


async def _messages(code: str) -> dict[str, int]:
    rows = await sql.rows(
        "SELECT status, COUNT(*) AS n FROM notify_outbox WHERE key >= ? AND key < ? "
        "GROUP BY status",
        [f"policy:{code}:", f"policy:{code};"],
    )
    return {str(r["status"]): int(r["n"]) for r in rows}


async def _uptake(code: str, item_code: str) -> tuple[int, int]:
    """(cases of the policy's item filed by told citizens after the notice, of which
    approved at filing by the item's rules)."""
    rows = await sql.rows(
        "SELECT COUNT(a.id) AS filed, SUM(CASE WHEN EXISTS (SELECT 1 FROM audit_entry e "
        "WHERE e.application_id = a.id AND e.actor = ?) THEN 1 ELSE 0 END) AS instant "
        "FROM policy_notice p JOIN application a ON a.citizen_id = p.citizen_id "
        "AND a.item_code = ? AND a.created_at >= p.created_at WHERE p.policy_code = ?",
        [INSTANT, item_code, code],
    )
    return int(rows[0]["filed"] or 0), int(rows[0]["instant"] or 0)


async def policy_figures(today: date, days: int = DAYS) -> list[dict[str, Any]]:
    """One entry per policy: ``{"code", "name", "item_code", "told", "last_told_at",
    "messages": {status: n}, "filed", "instant", "by_day": [{"date", "told"}]}``."""
    first = today - timedelta(days=days - 1)
    notices = await _notices()
    daily = await _by_day(datetime.combine(first, time(0), CST))
    found = []
    for policy in await Policy.all().order_by("code"):
        notice = notices.get(policy.code, {})
        filed, instant = await _uptake(policy.code, policy.item_code)
        found.append(
            {
                "code": policy.code,
                "name": policy.name,
                "item_code": policy.item_code,
                "told": int(notice.get("n") or 0),
                "last_told_at": _shown(notice.get("last")),
                "messages": await _messages(policy.code),
                "filed": filed,
                "instant": instant,
                "by_day": [
                    {"date": d.isoformat(), "told": daily.get((policy.code, d.isoformat()), 0)}
                    for d in (first + timedelta(days=n) for n in range(days))
                ],
            }
        )
    return found


def _shown(value: Any) -> str | None:
    """A stored time as ``YYYY-MM-DD HH:MM`` China time (text on SQLite, a datetime on
    PostgreSQL)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{moment.astimezone(CST):%Y-%m-%d %H:%M}"
