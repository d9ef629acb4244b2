"""Recording a milestone: the row for the record, and the sink (notifications) in one go."""

from __future__ import annotations

from core.cases.context import CaseContext
from core.cases.models import Application, Milestone
from core.ports import MilestoneEvent


async def record_milestone(
    ctx: CaseContext, case: Application, event: str, status: str, note: str = ""
) -> Milestone:
    """Call inside the transaction of the change the milestone marks."""
    now = ctx.clock.now()
    milestone = await Milestone.create(
        application_id=case.id, event=event, note=note, created_at=now
    )
    if ctx.sink is not None:
        await ctx.sink.record(
            MilestoneEvent(
                milestone_id=milestone.id,
                application_id=case.id,
                number=case.number,
                citizen_id=str(case.citizen_id),
                item_code=case.item_code,
                event=event,
                status=status,
                note=note,
                at=now,
                bundle_number=case.bundle_number,
            )
        )
    return milestone
