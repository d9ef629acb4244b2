"""Supervision sweeps on both sides of deadlines, across the 2026 National Day holiday.

2026: Oct 1-7 off, Saturday Oct 10 a working day (调休). Thresholds are the defaults: 1
working day left is yellow, past due is red (plus an escalation to supervisors), a
supplement waited 5 working days is yellow, a submission not accepted after 1 full working
day is yellow. The clock is a FrozenClock moved by hand; nothing sleeps.
"""

from __future__ import annotations

from datetime import date, datetime

from core.alerts.models import StaffAlert
from core.cases.models import Application
from core.cases.workdays import WorkCalendar
from core.clock import CST, FrozenClock
from core.settings import Supervision
from core.supervision.sweep import ESCALATED, NEAR, NOT_ACCEPTED, OVERDUE, SUPPLEMENT, sweep
from tests.bot.conftest import db, make_case

__all__ = ["db"]

CAL = WorkCalendar()
RULES = Supervision()


async def _sweep_on(clock: FrozenClock, day: date) -> set[tuple[str, str]]:
    """Sweep at 09:00 on ``day``; the (case number, kind) pairs raised by this sweep."""
    clock.set(datetime(day.year, day.month, day.day, 9, 0, tzinfo=CST))
    report = await sweep(clock.now(), CAL, RULES)
    numbers = dict(await Application.all().values_list("id", "number"))
    return {(numbers[a.application_id], a.kind) for a in report.raised}


async def _open() -> set[tuple[int, str]]:
    return set(await StaffAlert.filter(resolved_at=None).values_list("application_id", "kind"))


async def test_deadline_across_national_day(db: str) -> None:
    clock = FrozenClock(datetime(2026, 9, 29, 9, 0, tzinfo=CST))
    after_holiday = await make_case("under_review", due=date(2026, 10, 8))
    before_holiday = await make_case("accepted", due=date(2026, 9, 30))
    on_saturday = await make_case("under_review", due=date(2026, 10, 10))
    far = await make_case("under_review", due=date(2026, 10, 14))
    closed = await make_case("approved", due=date(2026, 9, 1))
    a, b, s = after_holiday.number, before_holiday.number, on_saturday.number

    # Sep 29: Oct 8 is 2 working days away (Sep 30, Oct 8); Sep 30 is 1 away.
    assert await _sweep_on(clock, date(2026, 9, 29)) == {(b, NEAR)}
    # Sep 30: 8 calendar days to Oct 8 but only one working day: yellow now.
    assert await _sweep_on(clock, date(2026, 9, 30)) == {(a, NEAR)}
    # Oct 1 (holiday): Sep 30 has passed: red, escalated to the supervisor, yellow resolved.
    assert await _sweep_on(clock, date(2026, 10, 1)) == {(b, OVERDUE), (b, ESCALATED)}
    assert (before_holiday.id, NEAR) not in await _open()
    # Oct 8: due today, already warned; Saturday Oct 10 is 2 working days away (9th, 10th).
    assert await _sweep_on(clock, date(2026, 10, 8)) == set()
    # Oct 9 (Fri): Oct 8 passed; the adjusted Saturday is the next working day.
    assert await _sweep_on(clock, date(2026, 10, 9)) == {(a, OVERDUE), (a, ESCALATED), (s, NEAR)}
    # Oct 12: Saturday's case is overdue too; Oct 14 is 2 working days away: nothing yet.
    assert await _sweep_on(clock, date(2026, 10, 12)) == {(s, OVERDUE), (s, ESCALATED)}
    assert await _sweep_on(clock, date(2026, 10, 13)) == {(far.number, NEAR)}

    kinds = await StaffAlert.filter(application_id=closed.id).count()
    assert kinds == 0  # closed cases carry no warnings however late they were


async def test_each_case_and_level_alerted_once(db: str) -> None:
    clock = FrozenClock(datetime(2026, 10, 9, 9, 0, tzinfo=CST))
    case = await make_case("under_review", due=date(2026, 10, 8))
    for day in (9, 9, 10, 12, 13):
        await _sweep_on(clock, date(2026, 10, day))
    rows = await StaffAlert.filter(application_id=case.id).order_by("kind")
    assert [(r.kind, r.level) for r in rows] == [(OVERDUE, "critical"), (ESCALATED, "critical")]
    escalation = next(r for r in rows if r.kind == ESCALATED)
    assert "科室负责人" in escalation.message and case.number in escalation.message


async def test_submission_not_accepted_within_one_working_day(db: str) -> None:
    clock = FrozenClock(datetime(2026, 9, 30, 9, 0, tzinfo=CST))
    filed = datetime(2026, 9, 30, 16, 30, tzinfo=CST)  # the last afternoon before the holiday
    case = await make_case("submitted", filed=filed)
    # Oct 8 is the one working day it had; only once that has passed is it late.
    assert await _sweep_on(clock, date(2026, 10, 7)) == set()
    assert await _sweep_on(clock, date(2026, 10, 8)) == set()
    assert await _sweep_on(clock, date(2026, 10, 9)) == {(case.number, NOT_ACCEPTED)}
    # accepted later: the warning is resolved and never raised again
    await Application.filter(id=case.id).update(status="accepted", due_date=date(2026, 10, 30))
    assert await _sweep_on(clock, date(2026, 10, 12)) == set()
    assert (case.id, NOT_ACCEPTED) not in await _open()


async def test_supplement_pending_too_long(db: str) -> None:
    clock = FrozenClock(datetime(2026, 9, 30, 9, 0, tzinfo=CST))
    waiting = await make_case(
        "supplement_requested", due=date(2026, 10, 20), paused_since=date(2026, 9, 24)
    )
    # Sep 28, 29, 30 are 3 working days (Sep 25-27 are the Mid-autumn holiday)
    assert await _sweep_on(clock, date(2026, 9, 30)) == set()
    # the holiday week does not count: Oct 8 is the fourth working day, Oct 9 the fifth
    assert await _sweep_on(clock, date(2026, 10, 8)) == set()
    assert await _sweep_on(clock, date(2026, 10, 9)) == {(waiting.number, SUPPLEMENT)}
    # a paused case has no deadline warnings even past its old due date
    assert await _sweep_on(clock, date(2026, 10, 21)) == set()


async def test_thresholds_are_configurable(db: str) -> None:
    clock = FrozenClock(datetime(2026, 10, 12, 9, 0, tzinfo=CST))
    case = await make_case("under_review", due=date(2026, 10, 15))
    clock.set(datetime(2026, 10, 12, 9, 0, tzinfo=CST))
    report = await sweep(clock.now(), CAL, Supervision(near_deadline_days=3))
    assert [(a.application_id, a.kind) for a in report.raised] == [(case.id, NEAR)]
    assert "3 个工作日" in report.raised[0].message
