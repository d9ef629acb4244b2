"""Deadlines: how close a case is to its promise (the colours of queues and warnings), and
recomputing them after the calendar changed (an override, new holiday data)."""

from __future__ import annotations

from datetime import date

from core.cases.calendar import load_calendar
from core.cases.machine import CLOSED, PAUSED
from core.cases.models import Application, CalendarOverride
from core.cases.workdays import WorkCalendar
from core.errors import InvalidInput

GREEN, YELLOW, RED = "green", "yellow", "red"


def deadline_colour(
    status: str, due: date | None, today: date, calendar: WorkCalendar, near_days: int
) -> str | None:
    """Red past due, yellow within ``near_days`` working days of it (the supervision
    sweep's warning window, SUPERVISION_NEAR_DEADLINE_DAYS), green before; None for a case
    with no running clock (not accepted yet, paused, or closed)."""
    if due is None or status in CLOSED or status in PAUSED:
        return None
    if today > due:
        return RED
    return YELLOW if calendar.workdays_between(today, due) <= near_days else GREEN


def workdays_left(due: date | None, today: date, calendar: WorkCalendar) -> int | None:
    """Working days from today to the due date; negative when overdue, None without one."""
    if due is None:
        return None
    if today > due:
        return -calendar.workdays_between(due, today)
    return calendar.workdays_between(today, due)


async def set_override(day_text: str, kind: str, note: str) -> CalendarOverride:
    """Rule one day a working day or a day off; an override always beats the library."""
    if kind not in ("workday", "holiday"):
        raise InvalidInput("Say 'workday' or 'holiday'.", code="invalid_day_kind")
    try:
        day = date.fromisoformat(day_text)
    except ValueError as exc:
        raise InvalidInput("The day must be YYYY-MM-DD.", code="invalid_date") from exc
    override, _ = await CalendarOverride.update_or_create(
        day=day, defaults={"is_workday": kind == "workday", "note": note[:200]}
    )
    return override


async def recompute_open_deadlines(batch: int = 1000) -> int:
    """Recompute every open accepted case's due date; the number that changed."""
    calendar = await load_calendar()
    changed, last_id = 0, 0
    while (
        cases := await Application.filter(id__gt=last_id, accepted_on__not_isnull=True)
        .exclude(status__in=list(CLOSED))
        .order_by("id")
        .limit(batch)
    ):
        for case in cases:
            assert case.accepted_on is not None
            due, provisional = calendar.due_date(
                case.accepted_on, case.promised_days, case.paused_workdays, case.extended_days
            )
            if (due, provisional) != (case.due_date, case.due_provisional):
                await Application.filter(id=case.id).update(
                    due_date=due, due_provisional=provisional
                )
                changed += 1
        last_id = cases[-1].id
    return changed
