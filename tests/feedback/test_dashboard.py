"""The console's figures dashboard over the hand-computed fixture of ``test_figures``: the
department comparison, satisfaction period by period and the complained-of items agree
with the public figures' own definitions."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.catalogue.models import Department
from core.db import close_db, init_db
from core.feedback.dashboard import dashboard, periods
from core.feedback.figures import figures
from tests import harness
from tests.feedback.test_figures import END, START, TODAY, build_fixture


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def check_dashboard() -> None:
    await build_fixture()
    await Department.create(code="GA", name="公安局")
    found = await dashboard(START, END, TODAY)
    # GA: 14 on time of 22 finished with a due date + 2 open past it (EXPECTED_GA);
    # MZ: g13's 3 delivered cases, due 11-15, finished 11-16: all late
    assert found["on_time_by_department"] == [
        {
            "department": "GA",
            "department_name": "公安局",
            "on_time_rate": round(14 / 24, 4),
            "finished": 22,
            "open_past_due": 6,
        },
        {
            "department": "MZ",
            "department_name": "MZ",
            "on_time_rate": 0.0,
            "finished": 3,
            "open_past_due": 0,
        },
    ]
    for row in found["on_time_by_department"]:
        alone = await figures(START, END, TODAY, department=row["department"])
        assert row["on_time_rate"] == alone["on_time_rate"]
    # every rating of the fixture belongs to a case filed on 11-05 (the week from 11-02)
    assert [(s["label"], s["rated"], s["satisfaction_rate"]) for s in found["satisfaction"]] == [
        ("11月1日起", 0, None),
        ("11月2日起", 11, 0.6364),
        ("11月9日起", 0, None),
        ("11月16日起", 0, None),
    ]
    assert found["top_complained"] == [
        {"item_code": "ITEM-B", "item_name": "ITEM-B", "count": 5},
        {"item_code": "ITEM-A", "item_name": "ITEM-A", "count": 3},
        {"item_code": "ITEM-C", "item_name": "ITEM-C", "count": 1},
    ]
    assert found["headline"] == await figures(START, END, TODAY)
    narrowed = await dashboard(START, END, TODAY, department="MZ")
    assert narrowed["headline"]["cases"] == 3
    assert [s["rated"] for s in narrowed["satisfaction"]] == [0, 1, 0, 0]
    assert len(narrowed["on_time_by_department"]) == 2  # the comparison always shows all


async def test_dashboard_matches_the_fixture(db: str) -> None:
    await check_dashboard()


@pytest.mark.postgres
async def test_dashboard_matches_on_postgres(postgres_template: str) -> None:
    url = await harness.fresh_postgres(os.environ["CITYSVC_TEST_POSTGRES_URL"], postgres_template)
    EXECUTOR_CACHE.clear()
    await init_db(url)
    try:
        await check_dashboard()
    finally:
        await close_db()
        EXECUTOR_CACHE.clear()


def test_long_ranges_go_by_month_short_ones_by_week() -> None:
    months = periods(date(2026, 1, 15), date(2026, 4, 2))
    assert [(label, a.isoformat(), b.isoformat()) for label, a, b in months] == [
        ("2026年1月", "2026-01-15", "2026-01-31"),
        ("2026年2月", "2026-02-01", "2026-02-28"),
        ("2026年3月", "2026-03-01", "2026-03-31"),
        ("2026年4月", "2026-04-01", "2026-04-02"),
    ]
    weeks = periods(date(2026, 11, 4), date(2026, 11, 17))
    assert [(a.day, b.day) for _, a, b in weeks] == [(4, 8), (9, 15), (16, 17)]
