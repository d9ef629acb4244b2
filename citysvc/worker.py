"""`citysvc worker`: runs the background jobs (dispatch, sweeps, polling) until signalled."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.worker_jobs import (
    FLUSH_EVERY,
    SWEEP_EVERY,
    feedback_job,
    robot_job,
    supervision_job,
)
from core.cases import audit_keys
from core.clock import SystemClock
from core.db import close_db, init_db
from core.heartbeat import service as heartbeat
from core.settings import Settings
from core.staff import access_log
from core.uploads.service import remove_orphans
from integrations.tracking.job import POLL_EVERY, poll_tracking
from integrations.wiring import Platforms, open_platforms
from notifications.campaign_jobs import EVERY as CAMPAIGN_EVERY
from notifications.campaign_jobs import campaign_job
from notifications.policy_sweep import EVERY as POLICY_EVERY
from notifications.policy_sweep import policy_job
from notifications.worker_jobs import DispatchJob, with_milestone_sink

log = logging.getLogger("citysvc.worker")

Job = Callable[[Platforms], Awaitable[None]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: float
    run: Job
    close: Job | None = None  # at a clean shutdown, after the last run


ORPHANS_EVERY = 3600.0


async def orphans_job(platforms: Platforms) -> None:
    """Files no case lists, a day after their upload (any worker; removals are idempotent)."""
    await remove_orphans(platforms.settings.upload_dir, SystemClock().now())


class HeartbeatJob:
    """Stamps this process alive every few seconds; a clean stop says so at once."""

    def __init__(self) -> None:
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._clock = SystemClock()
        self._started_at = self._clock.now()

    async def __call__(self, platforms: Platforms) -> None:
        await heartbeat.beat(self.worker, self._clock, self._started_at)

    async def close(self, platforms: Platforms) -> None:
        await heartbeat.stopped(self.worker, self._clock)


def jobs() -> list[PeriodicJob]:
    """The jobs this release runs; each feature adds its own here."""
    dispatch = DispatchJob()
    beat = HeartbeatJob()
    return [
        PeriodicJob("worker.heartbeat", heartbeat.BEAT_EVERY, beat, close=beat.close),
        # the poller's delivered / delivery_failed milestones queue messages like the API's
        PeriodicJob("tracking.poll", POLL_EVERY, with_milestone_sink(poll_tracking)),
        # every=0: the job itself runs the dispatcher for a stretch, then returns to be re-run
        PeriodicJob("notifications.dispatch", 0.0, dispatch, close=dispatch.close),
        PeriodicJob("supervision.sweep", SWEEP_EVERY, supervision_job),
        PeriodicJob("supervision.robots", FLUSH_EVERY, robot_job),
        # default ratings (好差评) and overdue rectification / feedback answers
        PeriodicJob("feedback.sweep", SWEEP_EVERY, feedback_job),
        # due campaigns and exam releases: queued on the campaign lane, paced, resumable
        PeriodicJob("campaigns.run", CAMPAIGN_EVERY, campaign_job()),
        PeriodicJob("uploads.orphans", ORPHANS_EVERY, orphans_job),
        PeriodicJob("staff.access_log_retention", ACCESS_LOG_SWEEP_EVERY, access_log_retention),
        # benefits without applying: who newly qualifies for a policy hears of it once
        PeriodicJob("policies.sweep", POLICY_EVERY, policy_job()),
    ]


ACCESS_LOG_SWEEP_EVERY = 6 * 3600.0


async def access_log_retention(platforms: Platforms) -> None:
    """Drop access-log lines past ``STAFF_ACCESS_LOG_DAYS`` (never younger than six months:
    the sweep refuses to, and so does the database). Several workers doing it is harmless."""
    keep = platforms.settings.staff_security.access_log_days
    deleted = await access_log.sweep(SystemClock().now(), keep)
    if deleted:
        log.info("access log: %d lines past %d days removed", deleted, keep)


async def _loop(job: PeriodicJob, platforms: Platforms, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job.run(platforms)
        except Exception:  # one failed round must not end the worker; the next round retries
            log.exception("job %s failed", job.name)
        try:
            await asyncio.wait_for(stop.wait(), timeout=job.every)
        except TimeoutError:
            continue
    if job.close is not None:
        try:
            await job.close(platforms)
        except Exception:  # the successor then waits for a lease to expire, nothing worse
            log.exception("closing job %s failed", job.name)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run every job until SIGTERM/SIGINT (or ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await init_db(settings.database_url)
    try:
        await run_jobs(settings, stop)
    finally:
        await close_db()
    return 0


async def run_jobs(settings: Settings, stop: asyncio.Event) -> None:
    """Every job, each in its own loop, until ``stop`` is set (the database already open)."""
    # the carrier poller moves cases, and each move appends a keyed audit entry
    audit_keys.configure(audit_keys.audit_keys(settings.secret_key, settings.audit_key))
    platforms = open_platforms(settings)
    try:
        tasks = [asyncio.create_task(_loop(job, platforms, stop)) for job in jobs()]
        log.info("worker started with %d jobs", len(tasks))
        await stop.wait()
        await asyncio.gather(*tasks)
    finally:
        await platforms.close()


async def check_workers(settings: Settings) -> int:
    """`citysvc worker --check`: 0 when at least one worker stamped itself recently, else 1."""
    await init_db(settings.database_url)
    try:
        rows = await heartbeat.liveness(SystemClock())
    finally:
        await close_db()
    for row in rows:
        state = "alive" if row.alive else "silent"
        print(f"{row.worker}\t{state}\tlast seen {row.age_seconds:.0f} s ago")
    if not any(row.alive for row in rows):
        print("no worker is running", file=sys.stderr)
        return 1
    return 0
