"""The catalogue on PostgreSQL: JSONB columns, raw joins, concurrent imports."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.catalogue import search
from core.catalogue.importer import import_items
from core.catalogue.models import ItemVersion, ServiceItem
from core.catalogue.service import get_item, search_items
from core.db import close_db, init_db
from tests import harness
from tests.core.catalogue.test_search import ROWS
from tests.core.catalogue.test_validation import good_row

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_template: str) -> AsyncIterator[str]:
    base = os.environ["CITYSVC_TEST_POSTGRES_URL"]
    url = await harness.fresh_postgres(base, template=postgres_template)
    # Tortoise caches each model's SQL per connection name, whatever the dialect
    EXECUTOR_CACHE.clear()
    search.forget_index()
    await init_db(url)
    yield url
    await close_db()
    search.forget_index()
    EXECUTOR_CACHE.clear()


async def test_import_versions_and_search_on_postgres(pg: str) -> None:
    assert (await import_items(ROWS)).created == len(ROWS)
    assert (await import_items(ROWS)).unchanged == len(ROWS)
    changed = dict(ROWS[0], promised_days=ROWS[0]["promised_days"] - 1)
    assert (await import_items([changed])).updated == 1
    item = await get_item(ROWS[0]["code"])
    assert (item["version"], item["materials"]) == (2, ROWS[0]["materials"])
    assert await ItemVersion.filter(item_id=ROWS[0]["code"]).count() == 2
    found = await search_items("身份证")
    assert found["items"][0]["name"] == "居民身份证首次申领"
    assert found["items"][0]["version"] == 2


async def test_concurrent_imports_create_each_item_once(pg: str) -> None:
    rows = [good_row(code=f"C-{i:03d}") for i in range(30)]
    reports = await asyncio.gather(*(import_items(rows) for _ in range(3)))
    assert sum(r.created for r in reports) == 30
    assert all(r.created + r.unchanged + r.rejected == 30 for r in reports)
    assert await ServiceItem.all().count() == 30
    assert await ItemVersion.all().count() == 30
