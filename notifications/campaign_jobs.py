"""The campaign jobs of ``citysvc worker``: due campaigns and exam releases.

``campaign_job`` runs every ``EVERY`` seconds, so a due campaign starts within a minute.
One worker at a time runs a round (a shared-state lock); each batch also checks the saved
cursor it started from, so even two rounds overlapping could not queue a batch twice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from core.clock import SystemClock
from core.settings import Notify
from integrations import keys
from integrations.wiring import Platforms
from notifications.campaigns import CampaignRunner
from notifications.exam_release import ReleaseAnnouncer
from notifications.templates import Registry, load_registry
from notifications.worker_jobs import Job, app_ids

log = logging.getLogger("citysvc.notifications.campaign_jobs")

EVERY = 5.0
LOCK = keys.LOCK + "campaigns"
LOCK_TTL = 600.0  # longer than a round: fixing a million-citizen audience takes about a minute


def make_runners(
    registry: Registry, platforms: Platforms
) -> tuple[CampaignRunner, ReleaseAnnouncer]:
    """The runner and the announcer for the worker's platforms and settings."""
    conf, apps, clock = platforms.settings.campaigns, app_ids(platforms), SystemClock()
    runner = CampaignRunner(
        registry, apps, clock, cap=conf.cap, cap_days=conf.cap_days, batch=conf.batch
    )
    return runner, ReleaseAnnouncer(registry, apps, clock, batch=conf.batch)


def campaign_job(env: Mapping[str, str] | None = None) -> Job:
    """The worker job; the templates file is checked now (worker start)."""
    notify = Notify.from_env(os.environ if env is None else env)
    load_registry(notify.templates_file)
    made: dict[int, tuple[CampaignRunner, ReleaseAnnouncer]] = {}

    async def run(platforms: Platforms) -> None:
        pair = made.get(id(platforms))
        if pair is None:
            registry = load_registry(platforms.settings.notify.templates_file)
            pair = made[id(platforms)] = make_runners(registry, platforms)
        token = await platforms.state.acquire(LOCK, ttl=LOCK_TTL)
        if token is None:
            return
        try:
            announced = await pair[1].run_due()
            queued = await pair[0].run_due()
            if announced or queued:
                log.info("campaigns: %d queued, %d release messages", queued, announced)
        finally:
            await platforms.state.release(LOCK, token)

    return run
