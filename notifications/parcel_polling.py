"""The worker's carrier polling: one round at a time across every worker process.

It lives beside the outbox because its milestones (``application.delivered``,
``shipment.delivery_failed``) queue messages like the API's: the case context carries the
worker's outbox sink.
"""

from __future__ import annotations

import logging

from core.cases.calendar import load_calendar
from core.cases.context import CaseContext
from core.shipping.poller import poll_parcels
from integrations.keys import LOCK
from notifications.worker_context import WorkerContext

log = logging.getLogger("citysvc.worker.tracking")

POLL_EVERY = 600.0  # seconds between rounds; each number is asked at most every 30 minutes
POLL_LOCK = LOCK + "tracking-poll"


async def poll_tracking(ctx: WorkerContext) -> None:
    """Query silent parcels and resubscribe failed ones, unless another worker is at it."""
    tracker = ctx.platforms.tracking
    if tracker is None:
        return
    token = await ctx.state.acquire(POLL_LOCK, ttl=POLL_EVERY)
    if token is None:
        return
    try:
        # the calendar as administrators left it now (overrides reach every round)
        cases = CaseContext(ctx.clock, await load_calendar(), ctx.cipher, ctx.licences, ctx.sink)
        report = await poll_parcels(cases, tracker, ctx.settings.tracking.silent_hours)
        if report.queried:
            log.info(
                "tracking: %d queried, %d applied, %d subscribed",
                report.queried,
                report.applied,
                report.subscribed,
            )
    finally:
        await ctx.state.release(POLL_LOCK, token)
