"""The public figures against a hand-computed fixture of 48 cases in every state.

Range 2026-11-01 .. 2026-11-20 (China dates), asked on 2026-11-26. Groups (count, state,
due date, finished on, working days, delivery):

 g1  5 submitted                                 (one filed 11-01 00:00, one 11-20 23:59)
 g2  3 accepted       due 11-30                  not overdue
 g3  2 accepted       due 11-20   item B         overdue (open, past due)
 g4  4 under_review   due 11-25                  overdue
 g5  2 under_review   due 12-01
 g6  3 supplement_requested due 11-10            paused: not overdue
 g7  2 suspended      due 11-10                  paused: not overdue
 g8  2 withdrawn
 g9  4 refused        (never accepted)           finished, no visit (refused)
 g10 6 approved       due 11-20, on 11-18, 3 wd  pickup: on time
 g11 4 denied         due 11-20, on 11-22, 7 wd  item B: late, no visit (denied)
 g12 5 result_mailed  due 11-20, on 11-20, 5 wd  ems: on time, no visit
 g13 3 delivered      due 11-15, on 11-16, 6 wd  ems, department MZ item C: late, no visit
 g14 3 collected      due 11-20, on 11-19, 4 wd  (approved first) pickup: on time

cases 48; finished 4+6+4+5+3+3 = 25; no visit 4+4+5+3 = 16 -> 0.64;
on time 6+5+3 = 14 / (finished with a due date 21 + open overdue 2+4 = 6) = 14/27 = 0.5185;
avg working days (18+28+25+18+12)/21 = 101/21 = 4.81.
Ratings (levels; d = default 5, v = voided): g9 1,2,d ; g11 3,1v,4 ; g12 5,5,4,2,d ;
g13 3 ; g14 5,1 -> counted 1,2,3,4,5,5,4,2,3,5,1: 7 of 11 at 3 or more = 0.6364; poor 4.
Applicants: g1-g7 citizen 1 (verified), g8-g10 citizen 2 (verified), g11-g14 citizen 3
(not verified); the cases outside the range citizen 4 (verified) -> realname 2.
Complaints in range: B x5, A x3, C x1 (suggestions and out-of-range ones do not count).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.cases.models import Application, CaseFinish
from core.cases.numbers import format_number
from core.clock import CST
from core.db import close_db, init_db
from core.feedback.figures import figures
from core.feedback.models import Feedback, Rating
from core.identity.models import Citizen
from core.totals import tally
from tests import harness

TODAY = date(2026, 11, 26)
START, END = date(2026, 11, 1), date(2026, 11, 20)
FILED = datetime(2026, 11, 5, 10, 0, tzinfo=CST)
A, B, C = "ITEM-A", "ITEM-B", "ITEM-C"
_serial = iter(range(1, 100_000))
# the first and last moments of the range (China time): both inside it
BOUNDARIES = {
    (0, 0): datetime(2026, 11, 1, 0, 0, tzinfo=CST),
    (0, 1): datetime(2026, 11, 20, 23, 59, 59, tzinfo=CST),
}

# (count, status, due, finished on, working days, delivery, item, department, citizen)
GROUPS: list[tuple[int, str, date | None, date | None, int | None, str, str, str, int]] = [
    (5, "submitted", None, None, None, "pickup", A, "GA", 1),
    (3, "accepted", date(2026, 11, 30), None, None, "ems", A, "GA", 1),
    (2, "accepted", date(2026, 11, 20), None, None, "ems", B, "GA", 1),
    (4, "under_review", date(2026, 11, 25), None, None, "pickup", A, "GA", 1),
    (2, "under_review", date(2026, 12, 1), None, None, "pickup", A, "GA", 1),
    (3, "supplement_requested", date(2026, 11, 10), None, None, "pickup", A, "GA", 1),
    (2, "suspended", date(2026, 11, 10), None, None, "pickup", A, "GA", 1),
    (2, "withdrawn", None, None, None, "ems", A, "GA", 2),
    (4, "refused", None, date(2026, 11, 6), None, "pickup", A, "GA", 2),
    (6, "approved", date(2026, 11, 20), date(2026, 11, 18), 3, "pickup", A, "GA", 2),
    (4, "denied", date(2026, 11, 20), date(2026, 11, 22), 7, "pickup", B, "GA", 3),
    (5, "result_mailed", date(2026, 11, 20), date(2026, 11, 20), 5, "ems", A, "GA", 3),
    (3, "delivered", date(2026, 11, 15), date(2026, 11, 16), 6, "ems", C, "MZ", 3),
    (3, "collected", date(2026, 11, 20), date(2026, 11, 19), 4, "pickup", A, "GA", 3),
]
# levels per group index; "d" default, "v1" voided 1, None unrated
RATINGS: dict[int, list[Any]] = {
    8: [1, 2, "d", None],
    10: [3, "v1", 4, None],
    11: [5, 5, 4, 2, "d"],
    12: [3, None, None],
    13: [5, 1, None],
}


async def _case(
    status: str,
    filed: datetime,
    due: date | None,
    delivery: str,
    item: str,
    department: str,
    citizen: uuid.UUID,
) -> Application:
    return await Application.create(
        number=format_number(filed.date(), next(_serial)),
        citizen_id=citizen,
        item_code=item,
        item_version_id=1,
        department_code=department,
        status=status,
        delivery_method=delivery,
        promised_days=5,
        legal_days=20,
        accepted_on=filed.date() if due else None,
        due_date=due,
        created_at=filed,
        updated_at=filed,
    )


async def _finish(case: Application, status: str, on: date, days: int | None) -> None:
    first = "approved" if status in ("result_mailed", "delivered", "collected") else status
    await CaseFinish.create(
        application_id=case.id,
        status=first,
        item_code=case.item_code,
        item_name=case.item_code,
        department_code=case.department_code,
        department_name=case.department_code,
        finished_at=datetime(on.year, on.month, on.day, 15, 0, tzinfo=CST),
        finished_on=on,
        working_days=days,
        filed_at=case.created_at,
        delivery_method=case.delivery_method,
        due_date=case.due_date,
    )


async def _rate(case: Application, level: Any) -> None:
    if level is None:
        return
    await Rating.create(
        application_id=case.id,
        department_code=case.department_code,
        item_code=case.item_code,
        level=5 if level == "d" else int(str(level).lstrip("v")),
        is_default=level == "d",
        voided=str(level).startswith("v"),
        created_at=FILED,
        filed_at=case.created_at,
    )


async def build_fixture() -> None:
    citizens = {}
    for n, verified in ((1, True), (2, True), (3, False), (4, True)):
        citizens[n] = (await Citizen.create(realname_verified=verified)).id
    for index, (count, status, due, on, days, delivery, item, dept, who) in enumerate(GROUPS):
        for k in range(count):
            filed = BOUNDARIES.get((index, k), FILED)
            case = await _case(status, filed, due, delivery, item, dept, citizens[who])
            if on is not None:
                await _finish(case, status, on, days)
            await _rate(case, RATINGS.get(index, [None] * count)[k])
    # outside the range: filed the evening before and the midnight after; both finished,
    # rated poorly and by a verified citizen
    for filed in (
        datetime(2026, 10, 31, 23, 59, 59, tzinfo=CST),
        datetime(2026, 11, 21, 0, 0, tzinfo=CST),
    ):
        case = await _case("refused", filed, None, "pickup", A, "GA", citizens[4])
        await _finish(case, "refused", filed.date(), None)
        await _rate(case, 1)
    complaints = [(B, "GA")] * 5 + [(A, "GA")] * 3 + [(C, "MZ")]
    for item, dept in complaints:
        await _feedback("complaint", item, dept, FILED)
    for _ in range(4):
        await _feedback("suggestion", A, "GA", FILED)
    for _ in range(2):
        await _feedback("complaint", C, "MZ", FILED + timedelta(days=20))
    await tally.rebuild()  # rows written directly: the running totals computed from them


async def _feedback(kind: str, item: str, department: str, at: datetime) -> None:
    await Feedback.create(
        citizen_id=uuid.uuid4(),
        kind=kind,
        content="x",
        item_code=item,
        department_code=department,
        status="open",
        due_date=at.date(),
        created_at=at,
    )


EXPECTED_ALL = {
    "cases": 48,
    "finished": 25,
    "no_visit_rate": 0.64,
    "on_time_rate": 0.5185,
    "avg_working_days": 4.81,
    "satisfaction_rate": 0.6364,
    "poor_ratings": 4,
    "realname_citizens": 2,
    "top_complained": [
        {"item_code": B, "count": 5},
        {"item_code": A, "count": 3},
        {"item_code": C, "count": 1},
    ],
}
# department GA: without g13 (3 delivered, MZ, item C, rated 3)
EXPECTED_GA = {
    "cases": 45,
    "finished": 22,
    "no_visit_rate": round(13 / 22, 4),
    "on_time_rate": round(14 / 24, 4),
    "avg_working_days": round(83 / 18, 2),
    "satisfaction_rate": 0.6,
    "poor_ratings": 4,
    "realname_citizens": 2,
    "top_complained": [{"item_code": B, "count": 5}, {"item_code": A, "count": 3}],
}
# item B: g3 (2 accepted, overdue) and g11 (4 denied, late, rated 3, 1 voided, 4)
EXPECTED_B = {
    "cases": 6,
    "finished": 4,
    "no_visit_rate": 1.0,
    "on_time_rate": 0.0,
    "avg_working_days": 7.0,
    "satisfaction_rate": 1.0,
    "poor_ratings": 0,
    "realname_citizens": 1,
    "top_complained": [{"item_code": B, "count": 5}],
}


def _pick(found: dict[str, Any]) -> dict[str, Any]:
    return {k: found[k] for k in EXPECTED_ALL}


async def check_figures() -> None:
    await build_fixture()
    assert _pick(await figures(START, END, TODAY)) == EXPECTED_ALL
    assert _pick(await figures(START, END, TODAY, department="GA")) == EXPECTED_GA
    assert _pick(await figures(START, END, TODAY, item=B)) == EXPECTED_B
    empty = await figures(date(2025, 1, 1), date(2025, 1, 2), TODAY)
    assert _pick(empty) == {
        "cases": 0,
        "finished": 0,
        "no_visit_rate": None,
        "on_time_rate": None,
        "avg_working_days": None,
        "satisfaction_rate": None,
        "poor_ratings": 0,
        "realname_citizens": 0,
        "top_complained": [],
    }


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def test_figures_match_the_hand_computed_fixture(db: str) -> None:
    await check_figures()


@pytest.mark.postgres
async def test_figures_match_on_postgres(postgres_template: str) -> None:
    url = await harness.fresh_postgres(os.environ["CITYSVC_TEST_POSTGRES_URL"], postgres_template)
    EXECUTOR_CACHE.clear()
    await init_db(url)
    try:
        await check_figures()
    finally:
        await close_db()
        EXECUTOR_CACHE.clear()


async def test_figures_over_http(api: harness.Api) -> None:
    await build_fixture()
    status, body, _ = await api.call(
        "GET", "/api/v1/public/figures?from=2026-11-01&to=2026-11-20&department=GA"
    )
    assert status == 200
    assert _pick(body) == EXPECTED_GA
    for query in ("from=2026-13-01", "from=2026-11-20&to=2026-11-01", "to=tomorrow"):
        status, body, _ = await api.call("GET", f"/api/v1/public/figures?{query}")
        assert (status, body["error"]["code"]) == (422, "invalid_date"), query
