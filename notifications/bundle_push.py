"""One push for a one-thing bundle (一件事): when its last case is done, not one per item.

A milestone of a bundle's case queues its own message only when the citizen must act on it
(a supplement request, a failed delivery). When a milestone closes the last open case of
the filing, one ``bundle.completed`` message is queued, in the same transaction, once: the
filing's row is locked before the cases are read, so of two cases closing at once the later
sees both closed, and ``completed_at`` is set by a guarded update, so they cannot both send it.
"""

from __future__ import annotations

from core.bundles.models import BundleFiling
from core.cases.machine import CLOSED
from core.cases.models import Application
from core.clock import CST
from core.ports import MilestoneEvent
from notifications.channels import ChannelChooser
from notifications.templates import PLATFORMS, chinese_time

# the events a bundle's case still messages on its own: the citizen has something to do
OWN_MESSAGE = frozenset({"application.supplement_requested", "shipment.delivery_failed"})
EVENT = "bundle.completed"


def bundle_context(
    filing: BundleFiling, statuses: list[str], event: MilestoneEvent
) -> dict[str, str]:
    local = event.at.astimezone(CST)
    approved = sum(1 for s in statuses if s not in ("refused", "denied", "withdrawn"))
    note = f"共{len(statuses)}项已全部办结，其中{approved}项已办成"
    return {
        "number": filing.number,
        "item_code": filing.bundle_code,
        "item_name": filing.bundle_name,
        "status": "已办结",
        "status_text": "一件事已全部办结",
        "note": note,
        "time": chinese_time(event.at),
        "date": f"{local.year}年{local.month}月{local.day}日",
    }


async def on_bundle_milestone(chooser: ChannelChooser, event: MilestoneEvent, due: float) -> bool:
    """Queue the bundle's one push if this milestone finished it; True when the milestone
    should still get its own message."""
    from notifications.outbox import enqueue  # outbox calls this module

    number = event.bundle_number
    assert number is not None
    if event.status in CLOSED:
        # Lock the filing first: a case closing at the same moment waits here until this
        # transaction ends and then reads the statuses afresh (READ COMMITTED reads each
        # statement anew), so the later of the two sees both closed. Without the lock each
        # read the other's case as still open and nobody sent the push.
        filing = await BundleFiling.filter(number=number).select_for_update().first()
        statuses = [
            str(s)
            for s in await Application.filter(bundle_number=number).values_list("status", flat=True)
        ]
        done = filing is not None and len(statuses) == filing.case_count
        if filing is not None and done and all(s in CLOSED for s in statuses):
            won = await BundleFiling.filter(number=number, completed_at=None).update(
                completed_at=event.at
            )
            if won and any(chooser.registry.template(EVENT, p) for p in PLATFORMS):
                await enqueue(
                    f"bundle:{number}:completed",
                    await chooser.choose(event.citizen_id, EVENT),
                    bundle_context(filing, statuses, event),
                    citizen_id=event.citizen_id,
                    event=EVENT,
                    created_at=event.at,
                    due=due,
                )
    return event.event in OWN_MESSAGE
