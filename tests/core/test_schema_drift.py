"""The migrations match the models, and reach the same schema from any starting point."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as run_migrations
from tortoise.migrations.autodetector import MigrationAutodetector

from core.db import APP, migrate, tortoise_config
from tests import harness

PREVIOUS_RELEASE = "citysvc.0006_staff_citizen"  # the last migration of release 1


async def test_the_models_need_no_migration_that_is_not_written(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'x.sqlite3'}")
    await Tortoise.init(config=config)
    try:
        detector = MigrationAutodetector(Tortoise.apps, {APP: dict(config["apps"][APP])})
        missing = [
            f"{type(operation).__name__} {getattr(operation, 'name', '')}"
            for writer in await detector.changes()
            for operation in writer.operations
        ]
    finally:
        await Tortoise.close_connections()
    assert missing == [], "run: tortoise -c core.db.TORTOISE_ORM makemigrations"


async def _schema(url: str) -> list[tuple[str, ...]]:
    conn = await asyncpg.connect(url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public'"
        )
        indexes = await conn.fetch(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
    finally:
        await conn.close()
    return sorted(tuple(str(v) for v in row) for row in [*columns, *indexes])


async def test_an_upgrade_from_the_previous_release_equals_a_fresh_install(
    postgres_url: str,
) -> None:
    fresh = await harness.fresh_postgres(postgres_url)
    await migrate(fresh)
    upgraded = await harness.fresh_postgres(postgres_url)
    try:
        await run_migrations(config=tortoise_config(upgraded), target=PREVIOUS_RELEASE)
    finally:
        await Tortoise.close_connections()
    await migrate(upgraded)
    await migrate(upgraded)  # a second run changes nothing
    # the index names embed the table's name only, so both databases may be compared as text
    assert await _schema(upgraded) == await _schema(fresh)
