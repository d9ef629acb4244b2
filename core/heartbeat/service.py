"""Worker liveness: stamped by the worker, judged by ``citysvc worker --check`` and ``/metrics``.

The API's ``/readyz`` does not look here on purpose: a stopped worker delays messages but
must not take the API out of its load balancer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.heartbeat.models import WorkerHeartbeat
from core.ports import Clock

BEAT_EVERY = 5.0  # seconds between stamps
STALE_AFTER = timedelta(seconds=30)  # six missed stamps: the worker is taken for dead
KEEP_STOPPED = timedelta(days=1)  # rows of cleanly stopped workers, kept for the record


@dataclass(frozen=True)
class Liveness:
    worker: str
    age_seconds: float
    alive: bool


async def beat(worker: str, clock: Clock, started_at: datetime) -> None:
    """Stamp ``worker`` as alive now."""
    now = clock.now()
    updated = await WorkerHeartbeat.filter(worker=worker).update(beat_at=now, stopped_at=None)
    if not updated:
        await WorkerHeartbeat.create(worker=worker, started_at=started_at, beat_at=now)


async def stopped(worker: str, clock: Clock) -> None:
    """A clean stop: not alive, and not counted as a dead worker either."""
    now = clock.now()
    await WorkerHeartbeat.filter(worker=worker).update(stopped_at=now)
    await WorkerHeartbeat.filter(stopped_at__lt=now - KEEP_STOPPED).delete()


async def liveness(clock: Clock) -> list[Liveness]:
    """Every worker that has not stopped cleanly, with the age of its last stamp."""
    now = clock.now()
    rows = await WorkerHeartbeat.filter(stopped_at=None).order_by("worker")
    return [
        Liveness(row.worker, age, age <= STALE_AFTER.total_seconds())
        for row in rows
        for age in [(now - row.beat_at).total_seconds()]
    ]
