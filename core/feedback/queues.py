"""What the staff queues of rectifications and feedback share: who sees which rows, and one
page of them filtered by status."""

from __future__ import annotations

from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.errors import Forbidden, InvalidInput
from core.paging import Page, fetch_page
from core.staff.models import StaffMember

ROLES = ("clerk", "supervisor", "admin")
M = TypeVar("M", bound=Model)


def department_scope(member: StaffMember, refusal: str) -> Q:
    """A department's rows (administrators: all); ``refusal`` for roles that handle none."""
    if member.role not in ROLES:
        raise Forbidden(refusal, code="role_not_allowed")
    if member.role == "admin":
        return Q()
    if member.department_code is None:
        return Q(id=-1)  # a clerk or supervisor with no department sees nothing
    return Q(department_code=member.department_code)


async def status_page(
    query: QuerySet[M], status: str | None, allowed: tuple[str, ...], page: Page
) -> tuple[list[M], int]:
    """Newest first; an unknown ``status`` is 422 ``invalid_status``."""
    if status:
        if status not in allowed:
            raise InvalidInput(
                "Unknown status.", code="invalid_status", details={"allowed": list(allowed)}
            )
        query = query.filter(status=status)
    return await fetch_page(query, page, "-id")
