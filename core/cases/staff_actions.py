"""A staff member's action on a case (accept, refuse, ..., revoke_instant): one use case."""

from __future__ import annotations

from core.cases.context import CaseContext
from core.cases.instant import check_revocable
from core.cases.machine import STAFF_ACTIONS
from core.cases.models import Application
from core.cases.queries import staff_case_to_act
from core.cases.transitions import move
from core.errors import Conflict, InvalidInput
from core.staff.models import StaffMember


async def act(
    ctx: CaseContext,
    member: StaffMember,
    number: str,
    action: str,
    note: str,
    days: object = None,
    *,
    instant_revoke_hours: float,
    shown_version: int | None = None,
) -> Application:
    """Move the case ``number`` by ``action`` as ``member`` (``transitions.move`` judges the
    state, the role and the note); an instant approval is revoked only within its window."""
    if action not in STAFF_ACTIONS:
        raise InvalidInput(
            "Unknown action.", code="invalid_action", details={"allowed": list(STAFF_ACTIONS)}
        )
    case = await staff_case_to_act(number, member)
    if shown_version is not None and shown_version != case.version:
        # the page the clerk acted from is out of date: a colleague acted meanwhile
        raise Conflict("The case changed since the page was shown.", code="concurrent_update")
    if action == "revoke_instant":
        await check_revocable(ctx, case, instant_revoke_hours)
    return await move(ctx, case, action, f"staff:{member.username}", note, days=days)
