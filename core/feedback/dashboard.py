"""The figures dashboard of the staff console, for every staff role: on-time rate by
department, satisfaction over time and the most complained-of items, with the headline
figures. Every number comes from ``core.feedback.figures`` (the public figures' own
queries), so the dashboard and ``GET /api/v1/public/figures`` can never disagree.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from core.catalogue.models import Department, ItemVersion
from core.feedback import figures as f

WEEKLY_UP_TO = 62  # days: a shorter range is shown week by week, a longer one by month


def periods(start: date, end: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day) covering ``start`` to ``end``: calendar months, or
    Monday-to-Sunday weeks for a range of at most ``WEEKLY_UP_TO`` days."""
    found = []
    day = start
    weekly = (end - start).days < WEEKLY_UP_TO
    while day <= end:
        if weekly:
            last = min(end, day + timedelta(days=6 - day.weekday()))
            label = f"{day.month}月{day.day}日起"
        else:
            following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = min(end, following - timedelta(days=1))
            label = f"{day.year}年{day.month}月"
        found.append((label, day, last))
        day = last + timedelta(days=1)
    return found


async def _department_names() -> dict[str, str]:
    return dict(await Department.all().values_list("code", "name"))


async def _item_names(codes: list[str]) -> dict[str, str]:
    """The current name of each item (its latest version)."""
    rows = (
        await ItemVersion.filter(item_id__in=codes)
        .order_by("item_id", "version")
        .values_list("item_id", "name")
    )
    return {str(code): str(name) for code, name in rows}  # the latest version comes last


async def dashboard(
    start: date, end: date, today: date, department: str | None = None
) -> dict[str, Any]:
    """``{"from", "to", "department", "headline": figures, "on_time_by_department": [...],
    "satisfaction": [{"label", "from", "to", "rated", "satisfaction_rate", "poor_ratings"}],
    "top_complained": [{"item_code", "item_name", "count"}]}``; ``department`` narrows the
    headline and the satisfaction series (the department comparison always shows all)."""
    f.check_range(start, end)
    spans = periods(start, end)
    headline, by_department, names, *series = await asyncio.gather(
        f.figures(start, end, today, department),
        f.on_time_by_department(start, end, today),
        _department_names(),
        *(f.satisfaction(a, b, department) for _, a, b in spans),
    )
    complained = headline["top_complained"]
    items = await _item_names([str(c["item_code"]) for c in complained])
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "department": department,
        "department_name": names.get(department or ""),
        "headline": headline,
        "on_time_by_department": [
            row | {"department_name": names.get(row["department"], row["department"])}
            for row in by_department
        ],
        "satisfaction": [
            {"label": label, "from": a.isoformat(), "to": b.isoformat()} | s
            for (label, a, b), s in zip(spans, series, strict=True)
        ],
        "top_complained": [
            c | {"item_name": items.get(str(c["item_code"]), str(c["item_code"]))}
            for c in complained
        ],
    }
