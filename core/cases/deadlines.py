"""Recomputing promised deadlines after the calendar changed (an override, new holiday data)."""

from __future__ import annotations

from datetime import date

from core.cases.calendar import load_calendar
from core.cases.machine import CLOSED
from core.cases.models import Application, CalendarOverride
from core.errors import InvalidInput


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
