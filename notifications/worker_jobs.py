"""The notification engine's parts for the processes' roots, and its dispatch job.

``citysvc.worker`` runs each job again and again; ``dispatch`` keeps the dispatcher's
pipeline running for a stretch of ``STRETCH`` seconds per call, so a stop signal is
honoured within about that long while sends in flight are finished and recorded. The
dispatcher is the one the worker's root built (``WorkerContext``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from core.outbox.models import CAMPAIGN_LANE, MILESTONE_LANE
from core.settings import Notify
from integrations.wiring import Platforms
from notifications.channels import (
    ALIPAY,
    OFFICIAL_ACCOUNT,
    WECHAT,
    AlipaySender,
    ChannelChooser,
    NotFollowing,
    OaLinkDirectory,
    OfficialAccountDirectory,
    OfficialAccountSender,
    Sender,
    WeChatSender,
)
from notifications.dispatcher import DispatchConfig, Dispatcher
from notifications.outbox import OutboxSink
from notifications.pacing import PlatformLimiter
from notifications.templates import Registry
from notifications.worker_context import WorkerContext

# Seconds of dispatching per job run: the worker's stop signal is honoured within about this
# long; each stretch ends by finishing its sends and handing unsent claims back.
STRETCH = 3.0


def app_ids(platforms: Platforms) -> dict[str, str]:
    """The configured mini-program of each platform (accounts of other apps are not sent to)."""
    found = {}
    if platforms.wechat is not None:
        found[WECHAT] = platforms.wechat.appid
    if platforms.alipay is not None:
        found[ALIPAY] = platforms.alipay.appid
    return found


def make_chooser(registry: Registry, platforms: Platforms) -> ChannelChooser:
    """The chooser over the configured apps; the Official Account is the last channel when
    its server API is configured (appid and secret), with followers as the bot linked them."""
    oa = platforms.official_account_client
    directory: OfficialAccountDirectory = NotFollowing()
    if oa is not None:
        directory = OaLinkDirectory(oa.appid)
    return ChannelChooser(registry, app_ids(platforms), directory)


def make_sink(registry: Registry, platforms: Platforms) -> OutboxSink:
    """The MilestoneSink the API passes into CaseContext."""
    return OutboxSink(make_chooser(registry, platforms))


def senders(platforms: Platforms, notify: Notify) -> dict[str, Sender]:
    """The sender of each channel; the Official Account's refuses when it is not configured."""
    miniprogram = platforms.wechat.appid if platforms.wechat is not None else None
    oa_sender = OfficialAccountSender(platforms.official_account_client, miniprogram)
    found: dict[str, Sender] = {OFFICIAL_ACCOUNT: oa_sender}
    if platforms.wechat is not None:
        found[WECHAT] = WeChatSender(platforms.wechat, notify.miniprogram_state)
    if platforms.alipay is not None:
        found[ALIPAY] = AlipaySender(platforms.alipay)
    return found


def make_dispatcher(registry: Registry, platforms: Platforms, notify: Notify) -> Dispatcher:
    """A dispatcher sending through ``platforms`` under ``notify``'s limits."""
    limiter = PlatformLimiter(
        platforms.state, {WECHAT: notify.wechat_rate, ALIPAY: notify.alipay_rate}
    )
    lanes: Mapping[str, int] = {
        MILESTONE_LANE: notify.concurrency,
        CAMPAIGN_LANE: max(1, notify.concurrency // 2),
    }
    config = DispatchConfig(lease=notify.lease_seconds, concurrency=lanes, lanes=notify.lanes)
    chooser = make_chooser(registry, platforms)
    return Dispatcher(senders(platforms, notify), limiter, chooser, config)


async def dispatch(ctx: WorkerContext) -> None:
    """The worker job that sends the outbox, for a stretch."""
    await ctx.dispatcher.run(asyncio.Event(), duration=STRETCH)


async def close_dispatch(ctx: WorkerContext) -> None:
    """At the worker's clean shutdown: hand the SQLite claimer role over at once, so a
    restarted worker sends milestones without waiting out the old one's lease."""
    await ctx.dispatcher.close()
