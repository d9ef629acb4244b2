"""The publicity calendar: the days campaigns ride on, and the campaigns already planned.

Publicity works when it rides on what people need that day: food safety on 3·15, labour
rights on 5·1, exam scores on their release day (read from the exams loaded with
``citysvc exams import``), traffic and bus routes before a statutory holiday (from the
working-day calendar's data), plus every campaign by its send time. Dates are China dates.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from core.campaigns.models import Campaign
from core.cases.workdays import holiday_name
from core.clock import CST
from core.exams.models import Exam
from core.topics.catalog import BY_KEY

# (month, day, what the day is, the topic that rides on it)
OBSERVANCES = (
    (3, 15, "3·15 国际消费者权益日", "food_safety"),
    (5, 1, "5·1 国际劳动节", "labour_rights"),
)
HOLIDAY_TOPICS = ("highway_traffic", "bus_routes")
STATUS_NAMES = {
    "draft": "草稿",
    "scheduled": "已排期",
    "running": "发送中",
    "paused": "已暂停",
    "completed": "已完成",
    "cancelled": "已取消",
}


@dataclass(frozen=True)
class Event:
    """One thing on one day: ``kind`` is observance, holiday, exam_release or campaign;
    ``topics`` the topic a campaign is about, or those a day suggests (first: the main one)."""

    day: date
    kind: str
    title: str
    topics: tuple[str, ...] = ()
    campaign_id: int | None = None
    status: str | None = None

    def shown(self) -> dict[str, Any]:
        """``{"date", "kind", "title", "topic", "topic_name", "plans": [{"topic", "name"}],
        "campaign_id", "status", "status_name"}``."""
        data = asdict(self) | {"date": self.day.isoformat()}
        del data["day"], data["topics"]
        known = [t for t in self.topics if t in BY_KEY]
        data["topic"] = self.topics[0] if self.topics else None
        data["topic_name"] = BY_KEY[known[0]].name if known else None
        data["plans"] = [{"topic": t, "name": BY_KEY[t].name} for t in known]
        data["status_name"] = STATUS_NAMES.get(self.status or "")
        return data


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _fixed(start: date, end: date) -> list[Event]:
    found = []
    for day in _days(start, end):
        for month, mday, title, topic in OBSERVANCES:
            if (day.month, day.day) == (month, mday):
                found.append(Event(day, "observance", title, (topic,)))
        name = holiday_name(day)
        if name and holiday_name(day - timedelta(days=1)) != name:
            found.append(Event(day, "holiday", f"{name}假期开始", HOLIDAY_TOPICS))
    return found


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(0), CST),
        datetime.combine(end + timedelta(days=1), time(0), CST),
    )


async def _exams(start: date, end: date) -> list[Event]:
    lo, hi = _bounds(start, end)
    exams = await Exam.filter(release_at__gte=lo, release_at__lt=hi).order_by("release_at")
    return [
        Event(
            e.release_at.astimezone(CST).date(),
            "exam_release",
            f"{BY_KEY[e.topic].name if e.topic in BY_KEY else e.topic}发布（{e.key}）",
            (e.topic,),
        )
        for e in exams
    ]


async def _campaigns(start: date, end: date) -> list[Event]:
    lo, hi = _bounds(start, end)
    campaigns = await Campaign.filter(send_at__gte=lo, send_at__lt=hi).order_by("send_at", "id")
    return [
        Event(c.send_at.astimezone(CST).date(), "campaign", c.name, (c.topic,), c.id, c.status)
        for c in campaigns
    ]


async def events(start: date, end: date) -> list[Event]:
    """Everything from ``start`` to ``end`` (inclusive), by day, fixed days first."""
    found = _fixed(start, end) + await _exams(start, end) + await _campaigns(start, end)
    order = {"observance": 0, "holiday": 1, "exam_release": 2, "campaign": 3}
    return sorted(found, key=lambda e: (e.day, order[e.kind]))


async def month(year: int, month_number: int, today: date) -> dict[str, Any]:
    """A month as weeks (Monday first) of days, each with its events and holiday name:
    ``{"year", "month", "prev", "next", "weeks": [[{"date", "day", "in_month", "today",
    "holiday", "events"}]]}`` (``prev``/``next``: ``YYYY-MM``)."""
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_number)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day: dict[date, list[dict[str, Any]]] = {}
    for event in await events(first, last):
        by_day.setdefault(event.day, []).append(event.shown())
    start = date(year, month_number, 1)
    before = start - timedelta(days=1)
    after = start + timedelta(days=32)
    return {
        "year": year,
        "month": month_number,
        "prev": f"{before.year}-{before.month:02d}",
        "next": f"{after.year}-{after.month:02d}",
        "weeks": [
            [
                {
                    "date": day.isoformat(),
                    "day": day.day,
                    "in_month": day.month == month_number,
                    "today": day == today,
                    "holiday": holiday_name(day),
                    "events": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
    }


async def upcoming(today: date, days: int = 120) -> list[dict[str, Any]]:
    """The next ``days`` days' events, for the campaign list's side column."""
    return [e.shown() for e in await events(today, today + timedelta(days=days))]
