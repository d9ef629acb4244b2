"""The supervision jobs of ``citysvc worker``: sweep cases, queue digests, post to robots.

Each takes the worker's ``WorkerContext`` (settings, clock, shared state, the WeCom
client). A sweep runs in one worker at a time (a shared-state lock); the robot queue
may be flushed by several, each department under its own lock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.feedback_sweep import sweep_feedback
from bot.wecom import RobotKeys, RobotPost, SendBudget, collect, queue_digests
from core.cases.calendar import load_calendar
from core.clock import CST
from core.supervision.sweep import sweep
from integrations import keys
from notifications.worker_context import WorkerContext

log = logging.getLogger("citysvc.bot.jobs")

SWEEP_EVERY = 300.0
FLUSH_EVERY = 10.0
_SWEEP_LOCK = keys.LOCK + "supervision-sweep"


def digest_time(now: datetime, ctx: WorkerContext) -> datetime:
    """Today's digest time (China Standard Time) for ``now``."""
    local = now.astimezone(CST)
    at = ctx.settings.supervision.digest_at
    return local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)


async def supervision_job(ctx: WorkerContext) -> None:
    """Sweep every open case and queue today's digests (one worker at a time)."""
    token = await ctx.state.acquire(_SWEEP_LOCK, ttl=SWEEP_EVERY)
    if token is None:
        return
    try:
        now = ctx.clock.now()
        report = await sweep(now, await load_calendar(), ctx.settings.supervision)
        digests = await queue_digests(RobotKeys(ctx.cipher), now, digest_time(now, ctx))
        if report.raised or report.resolved or digests:
            log.info(
                "supervision: %d raised, %d resolved, %d digest parts",
                len(report.raised),
                report.resolved,
                digests,
            )
    finally:
        await ctx.state.release(_SWEEP_LOCK, token)


async def robot_job(ctx: WorkerContext) -> None:
    """Queue new alerts and post what the robots' budgets allow."""
    wecom = ctx.platforms.wecom
    if wecom is None:
        return
    wall = ctx.clock
    now = wall.now()
    await collect(now)
    budget = SendBudget(ctx.state, lambda: wall.now().timestamp())
    post = RobotPost(wecom, RobotKeys(ctx.cipher), budget, ctx.state)
    report = await post.flush(now)
    if report.sent:
        log.info(
            "wecom: %d messages, %d lines, %d waiting", report.sent, report.lines, report.waiting
        )


_FEEDBACK_LOCK = keys.LOCK + "feedback-sweep"


async def feedback_job(ctx: WorkerContext) -> None:
    """Default ratings and overdue-answer warnings (one worker at a time)."""
    token = await ctx.state.acquire(_FEEDBACK_LOCK, ttl=SWEEP_EVERY)
    if token is None:
        return
    try:
        now = ctx.clock.now()
        report = await sweep_feedback(now, ctx.settings.ratings.default_days)
        if report.defaulted or report.raised or report.resolved:
            log.info(
                "feedback: %d rated by default, %d warnings raised, %d resolved",
                report.defaulted,
                report.raised,
                report.resolved,
            )
    finally:
        await ctx.state.release(_FEEDBACK_LOCK, token)
