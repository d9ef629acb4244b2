"""The campaign jobs of ``citysvc worker``: due campaigns and exam releases.

``campaign_job`` runs every ``EVERY`` seconds, so a due campaign starts within a minute.
One worker at a time runs a round (a shared-state lock); each batch also checks the saved
cursor it started from, so even two rounds overlapping could not queue a batch twice.
"""

from __future__ import annotations

import logging

from core.ports import Clock
from core.settings import Settings
from integrations import keys
from integrations.wiring import Platforms
from notifications.campaigns.runner import CampaignRunner
from notifications.exam_release import ReleaseAnnouncer
from notifications.templates import Registry
from notifications.worker_context import WorkerContext
from notifications.worker_jobs import app_ids

log = logging.getLogger("citysvc.notifications.campaigns.jobs")

EVERY = 5.0
LOCK = keys.LOCK + "campaigns"
LOCK_TTL = 600.0  # longer than a round: fixing a million-citizen audience takes about a minute


def make_runners(
    registry: Registry, platforms: Platforms, settings: Settings, clock: Clock
) -> tuple[CampaignRunner, ReleaseAnnouncer]:
    """The runner and the announcer for the worker's platforms and settings."""
    conf, apps = settings.campaigns, app_ids(platforms)
    runner = CampaignRunner(
        registry, apps, clock, cap=conf.cap, cap_days=conf.cap_days, batch=conf.batch
    )
    return runner, ReleaseAnnouncer(registry, apps, clock, batch=conf.batch)


async def campaign_job(ctx: WorkerContext) -> None:
    """The worker job: exam releases, then due campaigns, by one worker at a time."""
    token = await ctx.state.acquire(LOCK, ttl=LOCK_TTL)
    if token is None:
        return
    try:
        announced = await ctx.releases.run_due()
        queued = await ctx.campaigns.run_due()
        if announced or queued:
            log.info("campaigns: %d queued, %d release messages", queued, announced)
    finally:
        await ctx.state.release(LOCK, token)
