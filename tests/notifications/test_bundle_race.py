"""A bundle's last two cases finishing at the same moment send exactly one ``bundle.completed``.

Two clerks approve the two open cases of a bundle concurrently, through the same ``move``
the staff API runs. On PostgreSQL both transactions are held until each has changed its
case and is about to record the milestone, so each is open while the other looks: before
the sink locked the filing, neither saw the other's case closed and no push was queued.
SQLite runs one write transaction at a time, so there the two simply run one after the other.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from tortoise import connections

from core.bundles.models import BundleFiling
from core.cases.context import CaseContext
from core.cases.models import Application
from core.cases.transitions import move
from core.cases.workdays import WorkCalendar
from core.clock import CST, FrozenClock
from core.outbox.models import OutboxMessage
from core.ports import MilestoneEvent, MilestoneSink
from integrations.licences.sandbox import SandboxLicenceRegistry
from tests import builders as b
from tests.bot.conftest import make_case
from tests.notifications.conftest import Rig

NUMBER = "YJS20261126-000001-0"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CST)


class HeldSink:
    """The real sink, entered by both transactions only once both have changed their case."""

    def __init__(self, sink: MilestoneSink, parties: int) -> None:
        self.sink = sink
        self.barrier = asyncio.Barrier(parties) if parties > 1 else None

    async def record(self, event: MilestoneEvent) -> None:
        if self.barrier is not None:
            await asyncio.wait_for(self.barrier.wait(), timeout=10)
        await self.sink.record(event)


async def race(rig: Rig) -> None:
    citizen = await rig.citizen()
    await BundleFiling.create(
        number=NUMBER,
        bundle_code="birth",
        bundle_name="出生一件事",
        citizen_id=citizen,
        case_count=3,
        created_at=NOW,
    )
    cases = [
        await make_case(status, citizen_id=citizen, bundle_number=NUMBER)
        for status in ("approved", "under_review", "under_review")
    ]
    postgres = connections.get("default").capabilities.dialect == "postgres"
    sink = HeldSink(rig.sink, parties=2 if postgres else 1)
    ctx = CaseContext(FrozenClock(NOW), WorkCalendar(), b.cipher(), SandboxLicenceRegistry(), sink)
    await asyncio.gather(*(move(ctx, case, "approve", "staff:clerk") for case in cases[1:]))

    assert await Application.filter(bundle_number=NUMBER, status="approved").count() == 3
    sent = await OutboxMessage.filter(event="bundle.completed").values_list("key", flat=True)
    assert sent == [f"bundle:{NUMBER}:completed"]
    assert (await BundleFiling.get(number=NUMBER)).completed_at is not None


async def test_the_last_two_cases_at_once_send_one_push(rig: Rig) -> None:
    await race(rig)


async def test_the_last_two_cases_at_once_send_one_push_on_postgres(pg_rig: Rig) -> None:
    await race(pg_rig)
