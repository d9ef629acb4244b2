"""The moment a case first finishes (办结): ``record_finish`` writes its ``case_finish`` row
in the transaction of the change (``transitions.move``), so a row exists exactly when the
change committed. The public board (``core.feedback.board``) and the figures read it; it
carries the item's and department's names as they were, nothing about the citizen.
"""

from __future__ import annotations

from datetime import date, datetime

from core.cases.models import Application, CaseFinish
from core.cases.workdays import WorkCalendar
from core.catalogue.models import Department, ItemVersion
from core.clock import CST
from core.totals import tally

# 办结: a case is finished once it first enters one of these (docs/api.md)
FINISHED = frozenset({"approved", "denied", "refused", "result_mailed", "delivered", "collected"})
# the states in which a citizen may rate the case
RATEABLE = frozenset({"refused", "denied", "result_mailed", "delivered", "collected"})


def china_date(at: datetime) -> date:
    return at.astimezone(CST).date()


def working_days(case: Application, on: date, calendar: WorkCalendar) -> int | None:
    """Working days from acceptance to ``on``, days paused (supplement, suspension) excluded."""
    if case.accepted_on is None:
        return None
    return max(0, calendar.workdays_between(case.accepted_on, on) - case.paused_workdays)


async def record_finish(
    case: Application, target: str, at: datetime, calendar: WorkCalendar
) -> CaseFinish | None:
    """The case's board entry when ``target`` first finishes it; None otherwise."""
    if target not in FINISHED or case.status in FINISHED:
        return None
    version = await ItemVersion.get_or_none(id=case.item_version_id)
    department = await Department.get_or_none(code=case.department_code)
    on = china_date(at)
    row = CaseFinish(
        application_id=case.id,
        status=target,
        item_code=case.item_code,
        item_name=version.name if version else case.item_code,
        department_code=case.department_code,
        department_name=department.name if department else case.department_code,
        finished_at=at,
        finished_on=on,
        working_days=working_days(case, on, calendar),
        filed_at=case.created_at,
        delivery_method=case.delivery_method,
        due_date=case.due_date,
    )
    # ON CONFLICT DO NOTHING: a case finishes once, and a failed insert would abort the
    # caller's PostgreSQL transaction
    await CaseFinish.bulk_create([row], ignore_conflicts=True)
    # the move's version guard lets one change finish a case: counted once
    deltas = tally.finish_deltas(target, row.delivery_method, row.due_date, on, row.working_days)
    await tally.add(china_date(case.created_at), case.department_code, case.item_code, **deltas)
    return row
