"""The worker's carrier polling: one round at a time across every worker process."""

from __future__ import annotations

import logging

from core.cases.calendar import load_calendar
from core.cases.context import CaseContext
from core.clock import SystemClock
from core.pii import PiiCipher
from core.ports import Clock, MilestoneSink
from core.shipping.poller import poll_parcels
from integrations.keys import LOCK
from integrations.wiring import Platforms

log = logging.getLogger("citysvc.worker.tracking")

POLL_EVERY = 600.0  # seconds between rounds; each number is asked at most every 30 minutes
POLL_LOCK = LOCK + "tracking-poll"


class _NoLicences:
    """The poller never reads the licence registry, but a CaseContext holds one."""

    async def find(self, id_number: str, license_type: str) -> str | None:
        return None


async def poll_tracking(
    platforms: Platforms, clock: Clock | None = None, sink: MilestoneSink | None = None
) -> None:
    """Query silent parcels and resubscribe failed ones, unless another worker is at it.

    ``sink`` receives the milestones the poller produces (``application.delivered``,
    ``shipment.delivery_failed``): bind the notification outbox's sink here (this floor
    cannot import it); without one they are recorded only.
    """
    tracker = platforms.tracking
    if tracker is None:
        return
    token = await platforms.state.acquire(POLL_LOCK, ttl=POLL_EVERY)
    if token is None:
        return
    try:
        settings = platforms.settings
        cipher = PiiCipher.from_env_value(
            settings.pii_key, settings.pii_old_keys, settings.staff_security.pii_cipher
        )
        calendar = await load_calendar()
        ctx = CaseContext(clock or SystemClock(), calendar, cipher, _NoLicences(), sink)
        report = await poll_parcels(ctx, tracker, settings.tracking.silent_hours)
        if report.queried:
            log.info(
                "tracking: %d queried, %d applied, %d subscribed",
                report.queried,
                report.applied,
                report.subscribed,
            )
    finally:
        await platforms.state.release(POLL_LOCK, token)
