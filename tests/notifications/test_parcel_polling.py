"""The worker's polling job as wired from settings: one round at a time, silent parcels caught."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from citysvc.worker import jobs, open_worker
from core.cases.context import CaseContext
from core.cases.models import Application
from core.cases.workdays import WorkCalendar
from core.clock import FrozenClock
from core.db import close_db, init_db
from core.pii import PiiCipher
from core.shipping.service import record_shipment, subscribe_parcel
from integrations.licences.sandbox import SandboxLicenceRegistry
from integrations.tracking.sandbox import QUERY, CarrierSandbox
from integrations.wiring import open_platforms
from notifications.parcel_polling import POLL_LOCK, poll_tracking
from notifications.worker_context import WorkerContext
from tests import harness
from tests.core.shipping.conftest import CUSTOMER, KEY, UNREACHABLE, make_case

NUMBER = "EA123456785CN"


@pytest.fixture
async def carrier(clock: FrozenClock) -> AsyncIterator[CarrierSandbox]:
    async with CarrierSandbox(now=clock.now) as sandbox:
        sandbox.add_account(CUSTOMER, KEY)
        yield sandbox


@pytest.fixture
async def worker(
    database_url: str, carrier: CarrierSandbox, clock: FrozenClock
) -> AsyncIterator[WorkerContext]:
    settings = harness.settings_for(
        database_url,
        TRACKING_API_BASE=carrier.base_url,
        TRACKING_CUSTOMER=CUSTOMER,
        TRACKING_KEY=KEY,
        TRACKING_SILENT_HOURS="6",
        PUBLIC_BASE_URL=UNREACHABLE.removesuffix("/webhooks/tracking"),
    )
    await init_db(database_url)
    opened = open_platforms(settings)
    yield open_worker(settings, opened, clock)
    await opened.close()
    await close_db()


async def test_the_job_catches_a_silent_parcel_once_at_a_time(
    worker: WorkerContext, carrier: CarrierSandbox, clock: FrozenClock
) -> None:
    platforms = worker.platforms
    ctx = CaseContext(
        clock, WorkCalendar(), PiiCipher.from_env_value(harness.PII_KEY), SandboxLicenceRegistry()
    )
    case = await make_case(ctx)
    await record_shipment(ctx, case, NUMBER, "staff:clerk1")
    assert platforms.tracking is not None
    assert await subscribe_parcel(platforms.tracking, NUMBER, clock.now())
    for _ in range(4):
        await carrier.advance(NUMBER)  # pushed to an address nobody listens on: lost
    clock.advance(hours=6, minutes=1)  # TRACKING_SILENT_HOURS=6
    token = await platforms.state.acquire(POLL_LOCK, ttl=60)
    assert token is not None
    await poll_tracking(worker)  # another worker holds the round
    assert carrier.calls[QUERY] == 0
    await platforms.state.release(POLL_LOCK, token)
    await poll_tracking(worker)
    assert carrier.calls[QUERY] == 1
    assert (await Application.get(id=case.id)).status == "delivered"


def test_the_worker_runs_the_job() -> None:
    (job,) = [job for job in jobs() if job.name == "tracking.poll"]
    assert job.run is poll_tracking
