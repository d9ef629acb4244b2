"""Finding cases, always scoped to who asks: a citizen's own, a clerk's department's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.cases.machine import CLOSED, PAUSED
from core.cases.models import AgentAuthorization, Application
from core.cases.numbers import is_valid_number
from core.clock import CST
from core.errors import Forbidden, InvalidInput, NotFound
from core.paging import FIRST, Page, fetch_page
from core.staff.models import StaffMember

CASE_ROLES = ("clerk", "supervisor", "admin")  # who reads cases
# who changes them: supervisors (电子监察) watch, warn and rule on appeals, and never decide
# a case they supervise
ACTING_ROLES = ("clerk", "admin")
STATUSES = (
    "submitted",
    "accepted",
    "refused",
    "supplement_requested",
    "under_review",
    "suspended",
    "approved",
    "denied",
    "result_mailed",
    "delivered",
    "collected",
    "withdrawn",
)


def not_found(number: str) -> NotFound:
    return NotFound("No such case.", code="case_not_found", details={"number": number})


async def _visible_to(citizen_id: str) -> Q:
    """The cases a citizen may see: their own, and those they filed as agent while the
    principal's authorisation for that item stands (revoking it cuts the agent off)."""
    held = await AgentAuthorization.filter(agent_id=citizen_id, revoked_at=None).values_list(
        "citizen_id", "item_code"
    )
    scope = Q(citizen_id=citizen_id)
    for principal, item_code in held:
        scope |= Q(agent_id=citizen_id, citizen_id=principal, item_code=item_code)
    return scope


async def citizen_case(number: str, citizen_id: str) -> Application:
    """The case if ``_visible_to`` lets the citizen see it; 404 otherwise (never reveal it)."""
    if not is_valid_number(number):
        raise not_found(number)
    case = await Application.get_or_none(Q(number=number) & await _visible_to(citizen_id))
    if case is None:
        raise not_found(number)
    return case


async def citizen_cases(citizen_id: str, page: Page = FIRST) -> tuple[list[Application], int]:
    """A page of the cases ``_visible_to`` the citizen, newest first, and their number."""
    return await fetch_page(Application.filter(await _visible_to(citizen_id)), page, "-id")


def _department_scope(staff: StaffMember) -> Q:
    if staff.role not in CASE_ROLES:
        raise Forbidden("Your role does not handle cases.", code="role_not_allowed")
    return Q() if staff.role == "admin" else Q(department_code=staff.department_code)


async def staff_case(number: str, staff: StaffMember) -> Application:
    """The case if it belongs to the staff member's department (admins: any); else 404."""
    scope = _department_scope(staff)
    case = (
        await Application.get_or_none(scope & Q(number=number)) if is_valid_number(number) else None
    )
    if case is None:
        raise not_found(number)
    return case


async def staff_case_to_act(number: str, staff: StaffMember) -> Application:
    """``staff_case`` for a change: 403 ``role_not_allowed`` for a role that only reads."""
    case = await staff_case(number, staff)
    if staff.role not in ACTING_ROLES:
        raise Forbidden(
            "Supervisors read and warn; they do not act on cases.", code="role_not_allowed"
        )
    return case


@dataclass(frozen=True)
class CaseFilter:
    """What a staff list narrows by, beyond status and overdue (the console's queue):
    an item code, a case number (whole, or its leading part), filing days (China dates)."""

    item_code: str | None = None
    number: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None


NO_FILTER = CaseFilter()


def _narrowed(query: QuerySet[Application], wanted: CaseFilter) -> QuerySet[Application]:
    if wanted.item_code:
        query = query.filter(item_code=wanted.item_code)
    if wanted.number:
        query = query.filter(number__startswith=wanted.number)
    if wanted.filed_from:
        query = query.filter(created_at__gte=datetime.combine(wanted.filed_from, time(), CST))
    if wanted.filed_to:
        end = datetime.combine(wanted.filed_to + timedelta(days=1), time(), CST)
        query = query.filter(created_at__lt=end)
    return query


async def staff_cases(
    staff: StaffMember,
    status: str | None,
    overdue: bool,
    today: date,
    page: Page = FIRST,
    wanted: CaseFilter = NO_FILTER,
) -> tuple[list[Application], int]:
    """A page of the department's cases (admins: all), filtered, and their number."""
    query = _narrowed(Application.filter(_department_scope(staff)), wanted)
    if status:
        if status not in STATUSES:
            raise InvalidInput(
                "Unknown status.", code="invalid_status", details={"allowed": list(STATUSES)}
            )
        query = query.filter(status=status)
    if overdue:
        query = query.filter(due_date__lt=today).exclude(status__in=[*CLOSED, *PAUSED])
    return await fetch_page(query, page, "-id")
