"""The PostgreSQL pool: ten connections a process unless DATABASE_URL says otherwise.

With Tortoise's five, a worker's milestone claim waited for a free connection while the
campaign runner, the result recorder and the campaign claims held the others.
"""

from __future__ import annotations

from tortoise import connections

from core.db import POOL_MAXSIZE, close_db, init_db
from tests import harness


async def _pool_size(url: str) -> int:
    await init_db(url)
    try:
        client = connections.get("default")
        await client.execute_query("SELECT 1")  # the pool is opened on first use
        return int(client._pool.get_max_size())
    finally:
        await close_db()


async def test_the_pool_holds_ten_connections_by_default(
    postgres_url: str, postgres_template: str
) -> None:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    assert POOL_MAXSIZE == 10
    assert await _pool_size(url) == POOL_MAXSIZE


async def test_database_url_sets_another_pool_size(
    postgres_url: str, postgres_template: str
) -> None:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    assert await _pool_size(url + "?maxsize=3") == 3
