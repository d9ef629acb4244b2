"""What every job of ``citysvc worker`` is handed: the process's clients and services, built
once from ``Settings`` by the worker's root (``citysvc.worker.open_worker``).

A job is ``async (WorkerContext) -> None``; it builds nothing itself, so the dispatcher, the
campaign runner and the outbox sink live as long as the process and are shared by the jobs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.pii import PiiCipher
from core.ports import Clock, LicenceRegistry, SharedState
from core.settings import Settings
from integrations.wiring import Platforms
from notifications.campaigns.runner import CampaignRunner
from notifications.channels import ChannelChooser
from notifications.dispatcher import Dispatcher
from notifications.exam_release import ReleaseAnnouncer
from notifications.outbox import OutboxSink
from notifications.templates import Registry


@dataclass
class WorkerContext:
    settings: Settings
    platforms: Platforms
    clock: Clock
    cipher: PiiCipher
    licences: LicenceRegistry
    registry: Registry
    chooser: ChannelChooser
    sink: OutboxSink  # milestones recorded by jobs (the carrier poller) queue their messages
    dispatcher: Dispatcher
    campaigns: CampaignRunner
    releases: ReleaseAnnouncer

    @property
    def state(self) -> SharedState:
        return self.platforms.state


Job = Callable[[WorkerContext], Awaitable[None]]
