"""Run one coroutine with the database open: for CLI commands that need only DATABASE_URL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from core.db import close_db, init_db
from core.settings import database_url

T = TypeVar("T")


async def with_database(work: Callable[[], Awaitable[T]]) -> T:
    await init_db(database_url())
    try:
        return await work()
    finally:
        await close_db()
