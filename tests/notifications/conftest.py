"""A notification rig: a migrated database, the sandboxes, real clients and a dispatcher.

Time and jitter are injected (``StepClock``, a seeded ``Random``); the platforms are the
sandboxes over real HTTP on loopback.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from tortoise.transactions import in_transaction

from core.clock import CST
from core.db import close_db, init_db
from core.identity.models import Citizen, PlatformAccount
from core.outbox.models import OutboxMessage
from core.ports import MilestoneEvent
from integrations.alipay.client import AlipayClient
from integrations.alipay.sandbox import AlipaySandbox
from integrations.http import new_session
from integrations.state import MemoryState
from integrations.wechat.client import WeChatClient
from integrations.wechat.sandbox import WeChatSandbox
from notifications import consents
from notifications.channels import (
    ALIPAY,
    OFFICIAL_ACCOUNT,
    WECHAT,
    AlipaySender,
    ChannelChooser,
    OfficialAccountSender,
    Sender,
    WeChatSender,
)
from notifications.dispatcher import DispatchConfig, Dispatcher
from notifications.outbox import OutboxSink
from notifications.pacing import PlatformLimiter
from notifications.templates import Registry, load_registry
from tests import harness
from tests.rsa_keys import app_keypair

_ids = itertools.count(1)


class StepClock:
    """Epoch seconds that move only when told to; starts at the real time so rows the sink
    dates by the wall clock are due at once."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def register_templates(registry: Registry, wechat: WeChatSandbox, alipay: AlipaySandbox) -> None:
    """Teach the sandboxes every template of the registry, with its keys."""
    for template in registry.templates.values():
        keys = [k for k, _ in template.data]
        if template.platform == WECHAT:
            wechat.add_template(template.template_id, keys, template.long_term)
        elif template.platform == OFFICIAL_ACCOUNT:
            wechat.add_oa_template(template.template_id, keys)
        else:
            alipay.add_template(template.template_id, keys)


@dataclass
class Rig:
    wechat: WeChatSandbox
    alipay: AlipaySandbox
    http: aiohttp.ClientSession
    registry: Registry
    clock: StepClock
    state: MemoryState = field(default_factory=MemoryState)
    config: DispatchConfig = field(
        default_factory=lambda: DispatchConfig(owner="worker-1", batch=200)
    )

    def __post_init__(self) -> None:
        private_pem, _ = app_keypair()
        self.wechat_client = WeChatClient(
            self.http, self.wechat.base_url, harness.WECHAT_APPID, harness.WECHAT_SECRET, self.state
        )
        self.alipay_client = AlipayClient(
            self.http,
            self.alipay.gateway_url,
            harness.ALIPAY_APPID,
            private_pem,
            self.alipay.alipay_public_key_pem,
        )
        app_ids = {WECHAT: harness.WECHAT_APPID, ALIPAY: harness.ALIPAY_APPID}
        self.chooser = ChannelChooser(self.registry, app_ids)
        self.sink = OutboxSink(self.chooser, now=self.clock)
        self.limiter = PlatformLimiter(self.state, {})
        self.dispatcher = self.make_dispatcher(self.config)

    def senders(self) -> dict[str, Sender]:
        return {
            WECHAT: WeChatSender(self.wechat_client),
            ALIPAY: AlipaySender(self.alipay_client),
            OFFICIAL_ACCOUNT: OfficialAccountSender(),
        }

    def make_dispatcher(
        self, config: DispatchConfig, seed: int = 7, now: Callable[[], float] | None = None
    ) -> Dispatcher:
        """A dispatcher on the step clock (or ``now``), with a seeded jitter."""
        return Dispatcher(
            self.senders(),
            self.limiter,
            self.chooser,
            config,
            now=now or self.clock,
            rng=random.Random(seed),
        )

    async def citizen(self, wechat: bool = True, alipay: bool = False) -> str:
        """A citizen with a WeChat and/or Alipay account of the configured apps."""
        citizen = await Citizen.create()
        if wechat:
            openid = self.wechat.add_user(harness.WECHAT_APPID)
            await PlatformAccount.create(
                citizen=citizen, platform=WECHAT, app_id=harness.WECHAT_APPID, open_id=openid
            )
        if alipay:
            await PlatformAccount.create(
                citizen=citizen,
                platform=ALIPAY,
                app_id=harness.ALIPAY_APPID,
                open_id=self.alipay.add_user(harness.ALIPAY_APPID),
            )
        return str(citizen.id)

    async def open_id(self, citizen_id: str, platform: str) -> str:
        account = await PlatformAccount.get(citizen_id=citizen_id, platform=platform)
        return account.open_id

    async def grant(
        self,
        citizen_id: str,
        event: str,
        platform: str = WECHAT,
        taps: int = 1,
        *,
        platform_side: bool = True,
    ) -> str:
        """The citizen accepted the event's template ``taps`` times (ledger and platform)."""
        template = self.registry.template(event, platform)
        assert template is not None
        for _ in range(taps):
            await consents.record_answers(
                citizen_id,
                platform,
                [template.template_id],
                [],
                self.registry,
                datetime.now(CST),
            )
        if platform_side:
            open_id = await self.open_id(citizen_id, platform)
            sandbox: Any = self.wechat if platform == WECHAT else self.alipay
            sandbox.grant_consent(open_id, template.template_id, taps, template.long_term)
        return template.template_id

    def event(
        self, citizen_id: str, event: str = "application.accepted", note: str = ""
    ) -> MilestoneEvent:
        """What the case services hand the sink for a new milestone of a new case."""
        number = next(_ids)
        return MilestoneEvent(
            milestone_id=number,
            application_id=number,
            number=f"20261126-{number:06d}-0",
            citizen_id=citizen_id,
            item_code="320112-000-XK-00001",
            event=event,
            status=event.split(".", 1)[1],
            note=note,
            at=datetime.now(CST),
        )

    async def milestone(
        self, citizen_id: str, event: str = "application.accepted", note: str = ""
    ) -> MilestoneEvent:
        """A new milestone, recorded inside a transaction as the case services do."""
        milestone = self.event(citizen_id, event, note)
        async with in_transaction():
            await self.sink.record(milestone)
        return milestone

    async def row(self, application_id: int) -> OutboxMessage:
        return await OutboxMessage.get(application_id=application_id)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def _rig(wechat: WeChatSandbox, alipay: AlipaySandbox) -> AsyncIterator[Rig]:
    registry = load_registry()
    register_templates(registry, wechat, alipay)
    async with new_session(timeout=1.0) as http:
        rig = Rig(wechat, alipay, http, registry, StepClock())
        yield rig
        rig.alipay_client.close()


@pytest.fixture
async def rig(db: str, wechat: WeChatSandbox, alipay: AlipaySandbox) -> AsyncIterator[Rig]:
    """The rig on a SQLite copy of the migrated template."""
    async for made in _rig(wechat, alipay):
        yield made


@pytest.fixture
async def pg_rig(
    postgres_url: str, postgres_template: str, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> AsyncIterator[Rig]:
    """The rig on a fresh PostgreSQL database."""
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    await init_db(url)
    try:
        async for made in _rig(wechat, alipay):
            yield made
    finally:
        await close_db()
