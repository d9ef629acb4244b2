"""`citysvc worker`: runs the background jobs (dispatch, sweeps, polling) until signalled."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass
from datetime import datetime

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
from core.outbox.models import CAMPAIGN_LANE
from core.pii import PiiCipher
from core.ports import Clock, LicenceRegistry, NoLicences
from core.settings import NOTIFY_LANES, Settings
from core.staff import access_log
from core.uploads.service import remove_orphans
from integrations.wiring import Platforms, open_platforms
from notifications.campaigns.jobs import EVERY as CAMPAIGN_EVERY
from notifications.campaigns.jobs import campaign_job, make_runners
from notifications.outbox import OutboxSink
from notifications.parcel_polling import POLL_EVERY, poll_tracking
from notifications.policy_sweep import EVERY as POLICY_EVERY
from notifications.policy_sweep import policy_job
from notifications.templates import load_registry
from notifications.worker_context import Job, WorkerContext
from notifications.worker_jobs import close_dispatch, dispatch, make_chooser, make_dispatcher

log = logging.getLogger("citysvc.worker")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: float
    run: Job
    close: Job | None = None  # at a clean shutdown, after the last run
    lane: str | None = None  # runs only in a worker that sends this lane (NOTIFY_LANES)


ORPHANS_EVERY = 3600.0


async def orphans_job(ctx: WorkerContext) -> None:
    """Files no case lists, a day after their upload (any worker; removals are idempotent)."""
    await remove_orphans(ctx.settings.upload_dir, ctx.clock.now())


class HeartbeatJob:
    """Stamps this process alive every few seconds; a clean stop says so at once."""

    def __init__(self) -> None:
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._started_at: datetime | None = None

    async def __call__(self, ctx: WorkerContext) -> None:
        if self._started_at is None:
            self._started_at = ctx.clock.now()
        await heartbeat.beat(self.worker, ctx.clock, self._started_at)

    async def close(self, ctx: WorkerContext) -> None:
        await heartbeat.stopped(self.worker, ctx.clock)


def jobs(lanes: tuple[str, ...] = NOTIFY_LANES) -> list[PeriodicJob]:
    """The jobs this release runs; each feature adds its own here. A job tied to a lane runs
    only where that lane is sent: a milestone-only worker does not queue campaigns."""
    beat = HeartbeatJob()
    every = [
        PeriodicJob("worker.heartbeat", heartbeat.BEAT_EVERY, beat, close=beat.close),
        # the poller's delivered / delivery_failed milestones queue messages like the API's
        PeriodicJob("tracking.poll", POLL_EVERY, poll_tracking),
        # every=0: the job itself runs the dispatcher for a stretch, then returns to be re-run
        PeriodicJob("notifications.dispatch", 0.0, dispatch, close=close_dispatch),
        PeriodicJob("supervision.sweep", SWEEP_EVERY, supervision_job),
        PeriodicJob("supervision.robots", FLUSH_EVERY, robot_job),
        # default ratings (好差评) and overdue rectification / feedback answers
        PeriodicJob("feedback.sweep", SWEEP_EVERY, feedback_job),
        # due campaigns and exam releases: queued on the campaign lane, paced, resumable
        PeriodicJob("campaigns.run", CAMPAIGN_EVERY, campaign_job, lane=CAMPAIGN_LANE),
        PeriodicJob("uploads.orphans", ORPHANS_EVERY, orphans_job),
        PeriodicJob("staff.access_log_retention", ACCESS_LOG_SWEEP_EVERY, access_log_retention),
        # benefits without applying: who newly qualifies for a policy hears of it once
        PeriodicJob("policies.sweep", POLICY_EVERY, policy_job),
    ]
    return [job for job in every if job.lane is None or job.lane in lanes]


ACCESS_LOG_SWEEP_EVERY = 6 * 3600.0


async def access_log_retention(ctx: WorkerContext) -> None:
    """Drop access-log lines past ``STAFF_ACCESS_LOG_DAYS`` (never younger than six months:
    the sweep refuses to, and so does the database). Several workers doing it is harmless."""
    keep = ctx.settings.staff_security.access_log_days
    deleted = await access_log.sweep(ctx.clock.now(), keep)
    if deleted:
        log.info("access log: %d lines past %d days removed", deleted, keep)


async def _loop(job: PeriodicJob, ctx: WorkerContext, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job.run(ctx)
        except Exception:  # one failed round must not end the worker; the next round retries
            log.exception("job %s failed", job.name)
        try:
            await asyncio.wait_for(stop.wait(), timeout=job.every)
        except TimeoutError:
            continue
    if job.close is not None:
        try:
            await job.close(ctx)
        except Exception:  # the successor then waits for a lease to expire, nothing worse
            log.exception("closing job %s failed", job.name)


def open_worker(
    settings: Settings,
    platforms: Platforms,
    clock: Clock | None = None,
    licences: LicenceRegistry | None = None,
) -> WorkerContext:
    """The worker's composition root: every service its jobs use, built once from
    ``settings`` over the opened ``platforms``. A bad templates file stops it here, at start.
    ``licences``: the e-licence registry (none connected: ``NoLicences``; the demo's sandbox)."""
    clock = clock or SystemClock()
    registry = load_registry(settings.notify.templates_file)
    chooser = make_chooser(registry, platforms)
    campaigns, releases = make_runners(registry, platforms, settings, clock)
    return WorkerContext(
        settings=settings,
        platforms=platforms,
        clock=clock,
        cipher=PiiCipher.from_env_value(
            settings.pii_key, settings.pii_old_keys, settings.staff_security.pii_cipher
        ),
        licences=licences or NoLicences(),
        registry=registry,
        chooser=chooser,
        sink=OutboxSink(chooser),
        dispatcher=make_dispatcher(registry, platforms, settings.notify),
        campaigns=campaigns,
        releases=releases,
    )


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


async def run_jobs(
    settings: Settings, stop: asyncio.Event, licences: LicenceRegistry | None = None
) -> None:
    """Every job, each in its own loop, until ``stop`` is set (the database already open)."""
    # the carrier poller moves cases, and each move appends a keyed audit entry
    audit_keys.configure(audit_keys.audit_keys(settings.secret_key, settings.audit_key))
    platforms = open_platforms(settings)
    try:
        ctx = open_worker(settings, platforms, licences=licences)
        tasks = [asyncio.create_task(_loop(job, ctx, stop)) for job in jobs(settings.notify.lanes)]
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
