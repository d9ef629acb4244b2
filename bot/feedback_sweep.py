"""Sweeps of the feedback loop: default ratings, and warnings for overdue answers.

* A case unrated ``RATING_DEFAULT_DAYS`` after it first became rateable is rated 5
  (``core.feedback.ratings.rate_by_default``).
* ``rectification_overdue`` (red): a poor rating's rectification still ``open`` or
  ``called_back`` after its due date; for the case's department.
* ``feedback_overdue:{id}`` (yellow): a complaint, suggestion or correction unanswered after
  its due date; for its department, or for the administrators (department ``""``) when it
  named neither an item nor a case. The alert names the feedback's case, or none (``0``).

They are ``StaffAlert`` rows like the case warnings, so they reach the staff API's warnings
and the WeCom robots the same way, once each, and are resolved when the answer comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.alerts.models import StaffAlert
from core.alerts.service import raise_alert
from core.cases.models import Application
from core.clock import CST
from core.feedback import rectifications
from core.feedback import service as feedback
from core.feedback.ratings import rate_by_default
from core.feedback.service import FEEDBACK_KINDS_TEXT

RECTIFY_OVERDUE = "rectification_overdue"
FEEDBACK_OVERDUE = "feedback_overdue:"
ADMINISTRATORS = ""  # the department of alerts addressed to administrators


@dataclass
class FeedbackSweep:
    defaulted: int
    raised: int
    resolved: int


async def sweep_feedback(now: datetime, default_days: int) -> FeedbackSweep:
    today = now.astimezone(CST).date()
    defaulted = await rate_by_default(now, default_days)
    holds: set[tuple[int, str]] = set()
    raised = 0
    tasks = await rectifications.overdue(today)
    numbers = dict(
        await Application.filter(id__in=[t.application_id for t in tasks]).values_list(
            "id", "number"
        )
    )
    for task in tasks:
        holds.add((task.application_id, RECTIFY_OVERDUE))
        number = numbers.get(task.application_id, "")
        message = (
            f"办件 {number} 的差评整改已超过期限（{task.due_date:%Y-%m-%d}），"
            "请尽快回访群众并完成整改。"
        )
        raised += await _raise(
            task.department_code, task.application_id, RECTIFY_OVERDUE, "critical", message, now
        )
    for row in await feedback.overdue(today):
        kind = f"{FEEDBACK_OVERDUE}{row.id}"
        case_id = row.application_id or 0
        holds.add((case_id, kind))
        what = FEEDBACK_KINDS_TEXT.get(row.kind, "意见")
        message = (
            f"群众{what}（编号 {row.id}）已超过答复期限（{row.due_date:%Y-%m-%d}），请尽快答复。"
        )
        department = row.department_code or ADMINISTRATORS
        raised += await _raise(department, case_id, kind, "warning", message, now)
    return FeedbackSweep(defaulted, raised, await _resolve_answered(holds, now))


async def _raise(
    department: str, case_id: int, kind: str, level: str, message: str, now: datetime
) -> int:
    alert = await raise_alert(
        department_code=department,
        application_id=case_id,
        kind=kind,
        level=level,
        message=message,
        at=now,
    )
    return int(alert is not None)


async def _resolve_answered(holds: set[tuple[int, str]], now: datetime) -> int:
    rows = (
        await StaffAlert.filter(resolved_at=None)
        .filter(kind__in=[RECTIFY_OVERDUE])
        .values_list("id", "application_id", "kind")
    )
    rows += await StaffAlert.filter(
        resolved_at=None, kind__startswith=FEEDBACK_OVERDUE
    ).values_list("id", "application_id", "kind")
    stale = [alert_id for alert_id, case_id, kind in rows if (case_id, kind) not in holds]
    if not stale:
        return 0
    return await StaffAlert.filter(id__in=stale).update(resolved_at=now)
