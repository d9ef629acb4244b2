"""The working-day calendar with the administrator's overrides from the database."""

from __future__ import annotations

from core.cases.models import CalendarOverride
from core.cases.workdays import WorkCalendar


async def load_calendar() -> WorkCalendar:
    overrides = await CalendarOverride.all().values_list("day", "is_workday")
    return WorkCalendar({day: bool(work) for day, work in overrides})


async def refresh_calendar(calendar: WorkCalendar) -> None:
    """Pick up overrides an administrator set since start (`citysvc calendar set`)."""
    overrides = await CalendarOverride.all().values_list("day", "is_workday")
    calendar.set_overrides({day: bool(work) for day, work in overrides})
