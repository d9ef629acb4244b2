"""Recording a shipment on PostgreSQL, where two clerks' transactions really overlap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.cases.context import CaseContext
from core.cases.models import Application
from core.db import close_db, init_db
from core.errors import Conflict
from core.shipping.models import Shipment
from core.shipping.service import record_shipment
from tests import harness
from tests.core.shipping.conftest import make_case

pytestmark = pytest.mark.postgres
NUMBER = "EA123456785CN"
# pg_locks is read live (pg_stat_activity would be frozen for the rest of our transaction)
_WAITING = """
SELECT count(*) FROM pg_locks
WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


@pytest.fixture
async def pg_db(postgres_url: str, postgres_template: str) -> AsyncIterator[str]:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    EXECUTOR_CACHE.clear()  # Tortoise caches each model's SQL per connection name
    await init_db(url)
    yield url
    await close_db()


async def until_waiting(conn: asyncpg.Connection, count: int) -> None:
    for _ in range(1000):
        if await conn.fetchval(_WAITING) == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} transactions never waited together")


async def test_clerks_racing_for_one_number_record_it_once(pg_db: str, ctx: CaseContext) -> None:
    cases = [await make_case(ctx), await make_case(ctx, status="denied")]
    barrier = await asyncpg.connect(pg_db)
    try:
        held = barrier.transaction()
        await held.start()
        # reads pass, inserts wait: without a lock of their own both clerks would check,
        # find the number free, and both insert once the barrier lifts
        await barrier.execute("LOCK TABLE shipment IN SHARE MODE")
        racing = [
            asyncio.create_task(record_shipment(ctx, case, NUMBER, f"staff:clerk{i}"))
            for i, case in enumerate(cases)
        ]
        await until_waiting(barrier, 2)
        await held.commit()
        results = await asyncio.gather(*racing, return_exceptions=True)
    finally:
        await barrier.close()
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(lost) == 1 and isinstance(lost[0], Conflict), results
    assert lost[0].code == "tracking_number_in_use"
    shipment = await Shipment.get(tracking_number=NUMBER)
    loser = next(c for c in cases if c.id != shipment.application_id)
    assert (await Application.get(id=loser.id)).status == loser.status
