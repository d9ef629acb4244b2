"""The publicity calendar: 3·15 and 5·1, the days before statutory holidays, exam release days
from the exams loaded, and campaigns by their send time (China dates)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import pytest

from core.campaigns.models import CANCELLED, DRAFT, SCHEDULED, Campaign
from core.clock import CST
from core.db import close_db, init_db
from core.details import calendar
from core.exams.models import Exam


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def campaign(name: str, at: datetime, status: str = SCHEDULED) -> Campaign:
    return await Campaign.create(
        name=name,
        topic="food_safety",
        title="3·15 食品安全追溯",
        summary="扫码查来源",
        send_at=at,
        status=status,
        author_id=1,
        created_at=at,
        updated_at=at,
    )


def day(month: dict[str, Any], iso: str) -> dict[str, Any]:
    (found,) = [d for week in month["weeks"] for d in week if d["date"] == iso]
    return found


def kinds(cell: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["topic"]) for e in cell["events"]]


async def test_march_shows_315_the_campaigns_and_the_weeks(db: str) -> None:
    await campaign("3·15 提醒", datetime(2026, 3, 15, 9, 0, tzinfo=CST))
    # 23:30 China time on the 15th is 15:30 UTC: still the 15th here
    await campaign("晚间提醒", datetime(2026, 3, 15, 23, 30, tzinfo=CST), DRAFT)
    # 00:30 China time on 1 April is still March in UTC: not in March here
    await campaign("四月", datetime(2026, 4, 1, 0, 30, tzinfo=CST), CANCELLED)
    march = await calendar.month(2026, 3, today=date(2026, 3, 10))
    assert (march["prev"], march["next"]) == ("2026-02", "2026-04")
    weeks = march["weeks"]
    assert weeks[0][0]["date"] == "2026-02-23"  # Monday first; 1 March 2026 is a Sunday
    assert all(len(week) == 7 for week in weeks) and weeks[-1][-1]["date"] == "2026-04-05"
    assert day(march, "2026-03-10")["today"] and not day(march, "2026-03-11")["today"]
    fifteenth = day(march, "2026-03-15")
    assert kinds(fifteenth) == [
        ("observance", "food_safety"),
        ("campaign", "food_safety"),
        ("campaign", "food_safety"),
    ]
    assert fifteenth["events"][0]["title"] == "3·15 国际消费者权益日"
    assert [e["status_name"] for e in fifteenth["events"][1:]] == ["已排期", "草稿"]
    assert fifteenth["events"][1]["topic_name"] == "食品安全追溯"
    first_april = day(march, "2026-04-01")  # shown in the last week, outside the month
    assert not first_april["in_month"]
    assert [e["status"] for e in first_april["events"]] == [CANCELLED]


async def test_may_day_holidays_and_exam_releases(db: str) -> None:
    await Exam.create(
        key="zhongkao-2026", topic="zhongkao", release_at=datetime(2026, 7, 8, 8, 0, tzinfo=CST)
    )
    await Exam.create(
        key="gaokao-2026", topic="gaokao", release_at=datetime(2026, 6, 25, 0, 0, tzinfo=CST)
    )
    may = await calendar.month(2026, 5, today=date(2026, 5, 1))
    first = day(may, "2026-05-01")
    assert first["holiday"] == "劳动节"
    assert kinds(first) == [("observance", "labour_rights"), ("holiday", "highway_traffic")]
    assert [p["name"] for p in first["events"][1]["plans"]] == ["高速路况", "公交线路"]
    assert first["events"][1]["title"] == "劳动节假期开始"
    assert day(may, "2026-05-02")["events"] == []  # the holiday is announced on its first day
    assert day(may, "2026-05-02")["holiday"] == "劳动节"
    june = await calendar.month(2026, 6, today=date(2026, 6, 1))
    release = day(june, "2026-06-25")  # midnight China time: the 25th, not the 24th
    assert [(e["kind"], e["topic"], e["title"]) for e in release["events"]] == [
        ("exam_release", "gaokao", "高考成绩发布（gaokao-2026）")
    ]
    coming = await calendar.upcoming(date(2026, 6, 20), days=30)
    assert [(e["date"], e["kind"]) for e in coming if e["kind"] == "exam_release"] == [
        ("2026-06-25", "exam_release"),
        ("2026-07-08", "exam_release"),
    ]


async def test_years_past_the_holiday_data_still_show_the_fixed_days(db: str) -> None:
    march = await calendar.month(2031, 3, today=date(2031, 1, 1))
    assert kinds(day(march, "2031-03-15")) == [("observance", "food_safety")]
    assert all(d["holiday"] is None for week in march["weeks"] for d in week)
