"""The figures' running totals (``figure_day``, the cases' previous-filing times) stay equal
to a fresh computation from the cases, finishes, ratings and complaints themselves, after
filings over several days, transitions of every kind, ratings (one voided on appeal),
complaints and suggestions, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tortoise import connections

from core.clock import FrozenClock
from core.feedback.figures import figures
from core.feedback.models import Rectification
from core.totals import tally
from core.totals.models import FigureDay
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

OTHER = "320112-000-XK-00002"  # an item of department MZ
FIRST_DAY = date(2026, 11, 26)


async def _totals() -> list[tuple[Any, ...]]:
    rows = await FigureDay.all().order_by("day", "department_code", "item_code").values()
    return [
        tuple(r[k] for k in ("day", "department_code", "item_code", *tally.COUNTERS))
        for r in rows
        if any(r[k] for k in tally.COUNTERS)  # a row voided back to zero counts as none
    ]


async def _distinct_verified(start: date, end: date, scope: str, value: str | None) -> int:
    """Distinct verified applicants counted the plain way, for comparison."""
    where, params = ("", []) if value is None else (f"AND a.{scope} = ?", [value])
    sql = (
        "SELECT a.citizen_id, a.created_at FROM application a JOIN citizen c "
        f"ON c.id = a.citizen_id WHERE c.realname_verified {where}"
    )
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        sql = sql.replace("?", "$1")
    rows = await conn.execute_query_dict(sql, params)
    return len({r["citizen_id"] for r in rows if start <= tally.china_day(_at(r)) <= end})


def _at(row: dict[str, Any]) -> Any:
    from datetime import datetime

    at = row["created_at"]
    return at if isinstance(at, datetime) else datetime.fromisoformat(str(at))


async def _complain(api: Api, token: str, kind: str, **refs: str) -> None:
    status, body, _ = await api.call(
        "POST", "/api/v1/feedback", token=token, json={"kind": kind, "content": "太慢了", **refs}
    )
    assert status == 201, body


async def _rate(api: Api, token: str, number: str, level: int) -> None:
    status, body, _ = await api.call(
        "POST", f"/api/v1/applications/{number}/rating", token=token, json={"level": level}
    )
    assert status == 201, body


async def mixed_flow(api: Api, wechat: WeChatSandbox, clock: FrozenClock) -> None:
    await b.add_item()
    await b.add_item(code=OTHER, department="MZ", promised=1)
    one = await b.citizen_token(api, wechat, openid="o-one")
    two = await b.citizen_token(api, wechat, openid="o-two")
    await b.verify_directly((await b.me(api, one))["id"])
    clerk = await b.staff_token(api, "clerk1")
    mz = await b.staff_token(api, "clerk-mz", department="MZ")
    supervisor = await b.staff_token(api, "sup-ga", "supervisor", "GA")

    # day 1: three cases of citizen one (two items), one of citizen two
    a1 = await b.file_case(api, one, method="pickup")
    a2 = await b.file_case(api, one)
    m1 = await b.file_case(api, one, code=OTHER)
    t1 = await b.file_case(api, two)
    for action in ("accept", "start_review", "approve"):
        assert (await b.act(api, clerk, a1, action))[0] == 200
    assert (await b.act(api, clerk, a2, "refuse", note="材料不全"))[0] == 200
    assert (await b.act(api, mz, m1, "accept"))[0] == 200
    assert (await b.act(api, clerk, t1, "accept"))[0] == 200

    clock.advance(days=1)  # day 2 (staff sign in again: their sessions lapsed overnight)
    clerk, supervisor = await b.staff_login(api, "clerk1"), await b.staff_login(api, "sup-ga")
    a3 = await b.file_case(api, one)
    t2 = await b.file_case(api, two, code=OTHER)
    assert (await b.act(api, clerk, a1, "hand_over"))[0] == 200  # finished already: counted once
    for action in ("accept", "start_review", "suspend"):
        assert (await b.act(api, clerk, a3, action, note="等待鉴定结果"))[0] == 200
    for action in ("start_review", "deny"):
        assert (await b.act(api, clerk, t1, action, note="不符合条件"))[0] == 200
    await _rate(api, one, a1, 4)
    await _rate(api, one, a2, 1)
    await _rate(api, two, t1, 2)
    task = await Rectification.filter(status="open").order_by("id").first()
    assert task is not None
    for token, action in ((clerk, "appeal"), (supervisor, "void")):
        status, body, _ = await api.call(
            "POST",
            f"/api/v1/staff/rectifications/{task.id}",
            token=token,
            json={"action": action, "note": "已核实"},
        )
        assert status == 200, body
    await _complain(api, one, "complaint", item_code=OTHER)
    await _complain(api, two, "complaint", application_number=t1)
    await _complain(api, two, "suggestion", item_code=OTHER)
    await _complain(api, two, "complaint")  # names nothing: not about an item

    clock.advance(days=6)  # day 8: the in-progress cases are past due (MZ promises 1 day)
    mz = await b.staff_login(api, "clerk-mz")
    assert (await b.act(api, mz, m1, "start_review"))[0] == 200
    assert t2

    kept, today = await _totals(), FIRST_DAY + timedelta(days=8)
    assert sum(row[3] for row in kept) == 6  # cases
    ranges = [(FIRST_DAY, FIRST_DAY), (FIRST_DAY + timedelta(days=1),) * 2, (FIRST_DAY, today)]
    scopes: list[dict[str, str]] = [{}, {"department": "GA"}, {"item": OTHER}]
    scopes.append({"department": "MZ", "item": OTHER})
    before = [await figures(s, e, today, **scope) for s, e in ranges for scope in scopes]
    for (start, end), scope in ((r, s) for r in ranges for s in scopes):
        found = await figures(start, end, today, **scope)
        key, value = next(iter(scope.items()), ("item_code", None))
        column = "department_code" if key == "department" else "item_code"
        assert found["realname_citizens"] == await _distinct_verified(start, end, column, value)
    whole = before[2 * len(scopes)]
    assert (whole["cases"], whole["finished"], whole["poor_ratings"]) == (6, 3, 1)
    assert whole["top_complained"] == [  # a tie: by item code
        {"item_code": b.item_row()["code"], "count": 1},
        {"item_code": OTHER, "count": 1},
    ]

    await tally.rebuild()  # the fresh computation from the rows themselves
    assert await _totals() == kept
    assert [await figures(s, e, today, **scope) for s, e in ranges for scope in scopes] == before


async def test_running_totals_equal_a_fresh_computation(
    api: Api, wechat: WeChatSandbox, clock: FrozenClock
) -> None:
    await mixed_flow(api, wechat, clock)


async def test_running_totals_equal_a_fresh_computation_on_postgres(
    pg_api: Api, wechat: WeChatSandbox, clock: FrozenClock
) -> None:
    await mixed_flow(pg_api, wechat, clock)
