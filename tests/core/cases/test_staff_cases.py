"""Staff work on a case as services: the detail as staff see it, and an action on it."""

from __future__ import annotations

import itertools
import uuid

import pytest

from core.cases.context import CaseContext
from core.cases.numbers import format_number
from core.cases.staff_actions import act
from core.clock import FrozenClock
from core.details.staff import staff_detail
from core.errors import InvalidInput, NotFound
from core.staff.service import add_staff
from tests.core.shipping.conftest import ctx, db, make_case

__all__ = ["ctx", "db"]
PASSWORD = "a long enough password 1"
_serials = itertools.count(1)


async def test_a_clerk_acts_and_sees_the_detail(
    db: str, ctx: CaseContext, clock: FrozenClock
) -> None:
    clerk = await add_staff("clerk1", PASSWORD, "clerk", "GA")
    case = await make_case(ctx, status="submitted")
    case.number = format_number(clock.now().date(), next(_serials))
    await case.save()
    await act(ctx, clerk, case.number, "accept", "", instant_revoke_hours=72)
    detail = await staff_detail(ctx, case.number, clerk)
    assert detail["status"] == "accepted"
    assert [(e["action"], e["actor"]) for e in detail["audit"]] == [("accept", "staff:clerk1")]
    assert detail["messages"] == []  # this context has no outbox sink: nothing was queued


async def test_an_unknown_action_or_another_department_is_refused(
    db: str, ctx: CaseContext, clock: FrozenClock
) -> None:
    clerk = await add_staff("clerk2", PASSWORD, "clerk", "GA")
    other = await add_staff("clerk3", PASSWORD, "clerk", "MZ")
    case = await make_case(ctx, status="submitted", citizen=uuid.uuid4())
    case.number = format_number(clock.now().date(), next(_serials))
    await case.save()
    with pytest.raises(InvalidInput) as unknown:
        await act(ctx, clerk, case.number, "approve_everything", "", instant_revoke_hours=72)
    assert unknown.value.code == "invalid_action"
    with pytest.raises(NotFound):
        await staff_detail(ctx, case.number, other)
    with pytest.raises(NotFound):
        await act(ctx, other, case.number, "accept", "", instant_revoke_hours=72)
