"""Moving a case: the one path every change takes (state, deadline clock, audit, milestone)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from core.cases import audit
from core.cases.context import CaseContext
from core.cases.finish import record_finish
from core.cases.machine import PAUSED, next_status
from core.cases.milestones import record_milestone
from core.cases.models import Application
from core.cases.notes import check_note
from core.errors import Conflict, InvalidInput


def _due(ctx: CaseContext, case: Application, paused: int, extended: int) -> dict[str, Any]:
    assert case.accepted_on is not None
    due, provisional = ctx.calendar.due_date(case.accepted_on, case.promised_days, paused, extended)
    return {"due_date": due, "due_provisional": provisional}


def _extension(ctx: CaseContext, case: Application, days: object) -> dict[str, Any]:
    if case.extended_days:
        raise Conflict("The time limit has already been extended once.", code="already_extended")
    room = case.legal_days - case.promised_days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= room:
        raise InvalidInput(
            f"'days' must be a whole number from 1 to {room} (the statutory limit).",
            code="invalid_extension",
            details={"max_days": room},
        )
    return {"extended_days": days, **_due(ctx, case, case.paused_workdays, days)}


def _clock(
    ctx: CaseContext, case: Application, action: str, target: str, today: date, days: object
) -> dict[str, Any]:
    """How the promised-days clock changes with this move."""
    if action == "accept":
        case.accepted_on = today
        return {"accepted_on": today, **_due(ctx, case, 0, 0)}
    if action == "extend":
        return _extension(ctx, case, days)
    if target in PAUSED and case.accepted_on is not None:
        return {"paused_since": today}
    if case.status in PAUSED and case.paused_since is not None:
        paused = case.paused_workdays + ctx.calendar.workdays_between(case.paused_since, today)
        return {
            "paused_since": None,
            "paused_workdays": paused,
            **_due(ctx, case, paused, case.extended_days),
        }
    return {}


def event_for(action: str, target: str) -> str:
    return "application.extended" if action == "extend" else f"application.{target}"


async def move(
    ctx: CaseContext,
    case: Application,
    action: str,
    actor: str,
    note: str = "",
    *,
    days: object = None,
    extra: dict[str, Any] | None = None,
) -> Application:
    """Apply ``action``; Conflict when someone else changed the case since it was read."""
    check_note(action, note)
    target = next_status(case.status, action, case.resume_status)
    now = ctx.clock.now()
    changes = _clock(ctx, case, action, target, now.date(), days) | (extra or {})
    if target == "supplement_requested":
        changes["resume_status"] = case.status
    async with in_transaction():
        # the version guard makes concurrent moves safe: one wins, the other updates no row
        updated = await Application.filter(id=case.id, version=case.version).update(
            status=target, version=case.version + 1, updated_at=now, **changes
        )
        if not updated:
            raise Conflict(
                "The case was changed by someone else; reload and try again.",
                code="concurrent_update",
            )
        await audit.append(case.id, actor, action, case.status, target, note, now)
        await record_milestone(ctx, case, event_for(action, target), target, note)
        await record_finish(case, target, now, ctx.calendar)
    return await Application.get(id=case.id)
