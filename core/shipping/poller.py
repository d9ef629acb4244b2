"""Catching parcels the carrier went quiet about: query them instead of waiting for a push.

A push can be lost (our server down for longer than the provider retries, a SECRET_KEY
change that invalidated the push signatures, a subscription that never succeeded). A
parcel not finished and not heard of (push or answer) for ``silent_hours`` is queried;
a parcel whose subscription failed is subscribed again and queried. Either way one number
is asked at most every ``MIN_GAP``: Kuaidi100 asks customers not to query a number more
often than every half hour.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from core.cases.context import CaseContext
from core.errors import DomainError
from core.ports import TrackingProvider
from core.shipping.models import Shipment
from core.shipping.service import FINAL, apply_update, subscribe_parcel

log = logging.getLogger("citysvc.shipping.poller")

MIN_GAP = timedelta(minutes=30)


@dataclass
class PollReport:
    """What one round did: numbers queried, answers applied, subscriptions made."""

    queried: int = 0
    applied: int = 0
    subscribed: int = 0


async def due_numbers(now: datetime, silent_hours: int, limit: int) -> dict[str, bool]:
    """Tracking numbers to query now, each with whether it still needs subscribing."""
    silent = Q(checked_at__lt=now - timedelta(hours=silent_hours)) | Q(subscribed=False)
    not_asked = Q(polled_at=None) | Q(polled_at__lt=now - MIN_GAP)
    rows = (
        await Shipment.filter(silent & not_asked)
        .exclude(state__in=list(FINAL))
        .order_by("checked_at")
        .limit(limit)
        .values_list("tracking_number", "subscribed")
    )
    due: dict[str, bool] = {}
    for number, subscribed in rows:
        due[str(number)] = due.get(str(number), False) or not subscribed
    return due


async def poll_parcels(
    ctx: CaseContext, tracker: TrackingProvider, silent_hours: int, *, limit: int = 200
) -> PollReport:
    """One round: subscribe what failed to subscribe, query what went silent."""
    now = ctx.clock.now()
    report = PollReport()
    for number, unsubscribed in (await due_numbers(now, silent_hours, limit)).items():
        await Shipment.filter(tracking_number=number).update(polled_at=now)
        if unsubscribed and await subscribe_parcel(tracker, number, now):
            report.subscribed += 1
        report.queried += 1
        update = await tracker.query(number)
        if update is None:
            continue  # unreachable or nothing known yet: asked again after MIN_GAP
        try:
            await apply_update(ctx, update)
        except DomainError as exc:  # e.g. a concurrent change; the next round tries again
            log.warning("parcel %s: update not applied: %s", number, exc.code)
            continue
        report.applied += 1
    return report
