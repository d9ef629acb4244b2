"""Supervision sweeps: warnings before (and when) a promise to a citizen is broken.

Rules, each in working days (``WorkCalendar``: holidays off, adjusted weekends worked):

* ``not_accepted`` (yellow): still ``submitted`` after ``accept_days`` full working days
  following the day of submission.
* ``near_deadline`` (yellow): in progress (``accepted``/``under_review``) with at most
  ``near_deadline_days`` working days left before ``due_date`` (0 = due today). Across a
  holiday the calendar gap can be long while the working-day gap is one.
* ``overdue`` (red): in progress after its ``due_date``; it escalates at once with a second
  alert, ``overdue_escalated``, addressed to the department's supervisors.
* ``supplement_pending`` (yellow): waiting ``supplement_days`` working days or more for the
  citizen's supplement.

Paused cases (supplement, suspension) carry no deadline warnings: their due date moves when
they resume. Alerts are ``core.alerts`` rows, unique per (case, kind), so each case gets
each warning once however often the sweep runs; a warning whose condition has passed (the
case moved on or closed) is resolved, and is not raised again for that case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.alerts.models import StaffAlert
from core.alerts.service import raise_alert
from core.cases.machine import CLOSED
from core.cases.models import Application
from core.cases.workdays import WorkCalendar
from core.clock import CST
from core.settings import Supervision

YELLOW, RED = "warning", "critical"  # core.alerts levels
NEAR, OVERDUE, ESCALATED = "near_deadline", "overdue", "overdue_escalated"
SUPPLEMENT, NOT_ACCEPTED = "supplement_pending", "not_accepted"
KINDS = (NEAR, OVERDUE, ESCALATED, SUPPLEMENT, NOT_ACCEPTED)
IN_PROGRESS = frozenset({"accepted", "under_review"})
_COLUMNS = (
    "id",
    "number",
    "item_code",
    "department_code",
    "status",
    "due_date",
    "paused_since",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class Finding:
    """A warning a case deserves today."""

    kind: str
    level: str
    message: str


def _day(value: date | datetime) -> date:
    return value.astimezone(CST).date() if isinstance(value, datetime) else value


def _progress(case: dict[str, Any], today: date, cal: WorkCalendar, near: int) -> list[Finding]:
    due: date | None = case["due_date"]
    if due is None:
        return []
    number = case["number"]
    if today > due:
        late = cal.workdays_between(due, today)
        by = f"{late} 个工作日" if late else ""
        message = f"办件 {number} 已超过承诺办结期限（{due:%Y-%m-%d}）{by}，请立即办理。"
        escalation = (
            f"请科室负责人督办：办件 {number} 已超期（期限 {due:%Y-%m-%d}），请督促经办人办结。"
        )
        return [Finding(OVERDUE, RED, message), Finding(ESCALATED, RED, escalation)]
    left = cal.workdays_between(today, due)
    if left > near:
        return []
    when = "今天到期" if left == 0 else f"仅剩 {left} 个工作日"
    return [
        Finding(NEAR, YELLOW, f"办件 {number} 距承诺办结期限（{due:%Y-%m-%d}）{when}，请抓紧办理。")
    ]


def assess(
    case: dict[str, Any], today: date, cal: WorkCalendar, rules: Supervision
) -> list[Finding]:
    """The warnings ``case`` (a row with ``_COLUMNS``) deserves on ``today``."""
    status, number = case["status"], case["number"]
    if status in IN_PROGRESS:
        return _progress(case, today, cal, rules.near_deadline_days)
    if status == "submitted":
        submitted = _day(case["created_at"])
        waited = cal.workdays_between(submitted, today)
        if waited > rules.accept_days:
            text = (
                f"办件 {number} 提交后 {waited - 1} 个工作日仍未受理，请及时受理或一次性告知补正。"
            )
            return [Finding(NOT_ACCEPTED, YELLOW, text)]
    if status == "supplement_requested":
        since = case["paused_since"] or _day(case["updated_at"])
        waited = cal.workdays_between(_day(since), today)
        if waited >= rules.supplement_days:
            text = f"办件 {number} 等待申请人补正已 {waited} 个工作日，请联系申请人或依法处理。"
            return [Finding(SUPPLEMENT, YELLOW, text)]
    return []


@dataclass
class SweepReport:
    raised: list[StaffAlert]
    resolved: int


async def sweep(now: datetime, cal: WorkCalendar, rules: Supervision) -> SweepReport:
    """Raise what today's cases deserve and resolve what no longer holds."""
    today = now.astimezone(CST).date()
    cases = await Application.exclude(status__in=list(CLOSED)).values(*_COLUMNS)
    known = set(await StaffAlert.filter(kind__in=KINDS).values_list("application_id", "kind"))
    holds: set[tuple[int, str]] = set()
    raised: list[StaffAlert] = []
    for case in cases:
        for finding in assess(case, today, cal, rules):
            holds.add((case["id"], finding.kind))
            if (case["id"], finding.kind) in known:
                continue
            alert = await raise_alert(
                department_code=case["department_code"],
                application_id=case["id"],
                kind=finding.kind,
                level=finding.level,
                message=finding.message,
                at=now,
            )
            if alert is not None:
                raised.append(alert)
    return SweepReport(raised, await _resolve_passed(holds, now))


async def _resolve_passed(holds: set[tuple[int, str]], now: datetime) -> int:
    """Resolve open supervision alerts whose condition no longer holds."""
    open_rows = await StaffAlert.filter(kind__in=KINDS, resolved_at=None).values_list(
        "id", "application_id", "kind"
    )
    stale = [alert_id for alert_id, case_id, kind in open_rows if (case_id, kind) not in holds]
    if not stale:
        return 0
    return await StaffAlert.filter(id__in=stale).update(resolved_at=now)
