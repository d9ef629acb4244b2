"""The supervision jobs of ``citysvc worker``: sweep cases, queue digests, post to robots.

Both take the worker's ``Platforms`` (settings, shared state, the WeCom client) and an
optional clock (tests). A sweep runs in one worker at a time (a shared-state lock); the
robot queue may be flushed by several, each department under its own lock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.feedback_sweep import sweep_feedback
from bot.supervision import sweep
from bot.wecom import RobotKeys, RobotPost, SendBudget, collect, queue_digests
from core.cases.calendar import load_calendar
from core.clock import CST, SystemClock
from core.pii import PiiCipher
from core.ports import Clock
from integrations import keys
from integrations.wiring import Platforms

log = logging.getLogger("citysvc.bot.jobs")

SWEEP_EVERY = 300.0
FLUSH_EVERY = 10.0
_SWEEP_LOCK = keys.LOCK + "supervision-sweep"


def _robots(platforms: Platforms) -> RobotKeys:
    settings = platforms.settings
    return RobotKeys(
        PiiCipher.from_env_value(
            settings.pii_key, settings.pii_old_keys, settings.staff_security.pii_cipher
        )
    )


def digest_time(now: datetime, platforms: Platforms) -> datetime:
    """Today's digest time (China Standard Time) for ``now``."""
    local = now.astimezone(CST)
    at = platforms.settings.supervision.digest_at
    return local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)


async def supervision_job(platforms: Platforms, clock: Clock | None = None) -> None:
    """Sweep every open case and queue today's digests (one worker at a time)."""
    token = await platforms.state.acquire(_SWEEP_LOCK, ttl=SWEEP_EVERY)
    if token is None:
        return
    try:
        now = (clock or SystemClock()).now()
        report = await sweep(now, await load_calendar(), platforms.settings.supervision)
        digests = await queue_digests(_robots(platforms), now, digest_time(now, platforms))
        if report.raised or report.resolved or digests:
            log.info(
                "supervision: %d raised, %d resolved, %d digest parts",
                len(report.raised),
                report.resolved,
                digests,
            )
    finally:
        await platforms.state.release(_SWEEP_LOCK, token)


async def robot_job(platforms: Platforms, clock: Clock | None = None) -> None:
    """Queue new alerts and post what the robots' budgets allow."""
    if platforms.wecom is None:
        return
    wall: Clock = clock or SystemClock()
    now = wall.now()
    await collect(now)
    budget = SendBudget(platforms.state, lambda: wall.now().timestamp())
    post = RobotPost(platforms.wecom, _robots(platforms), budget, platforms.state)
    report = await post.flush(now)
    if report.sent:
        log.info(
            "wecom: %d messages, %d lines, %d waiting", report.sent, report.lines, report.waiting
        )


_FEEDBACK_LOCK = keys.LOCK + "feedback-sweep"


async def feedback_job(platforms: Platforms, clock: Clock | None = None) -> None:
    """Default ratings and overdue-answer warnings (one worker at a time)."""
    token = await platforms.state.acquire(_FEEDBACK_LOCK, ttl=SWEEP_EVERY)
    if token is None:
        return
    try:
        now = (clock or SystemClock()).now()
        report = await sweep_feedback(now, platforms.settings.ratings.default_days)
        if report.defaulted or report.raised or report.resolved:
            log.info(
                "feedback: %d rated by default, %d warnings raised, %d resolved",
                report.defaulted,
                report.raised,
                report.resolved,
            )
    finally:
        await platforms.state.release(_FEEDBACK_LOCK, token)
