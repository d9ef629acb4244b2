"""Fixtures of the bot's tests: an open database (a copy of the migrated template)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import pytest

from core.cases.models import Application
from core.cases.numbers import format_number
from core.clock import CST
from core.db import close_db, init_db


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


_serials = iter(range(1, 1_000_000))


async def make_case(
    status: str,
    *,
    department: str = "321012-GA-HZ",
    due: date | None = None,
    filed: datetime | None = None,
    paused_since: date | None = None,
    citizen_id: str | None = None,
    item_code: str = "321012-000-GG-00103",
    **extra: Any,
) -> Application:
    """A case row as the case services would have left it (no audit trail needed here)."""
    filed = filed or datetime(2026, 9, 21, 9, 0, tzinfo=CST)
    return await Application.create(
        number=format_number(filed.date(), next(_serials)),
        citizen_id=citizen_id or str(uuid.uuid4()),
        item_code=item_code,
        item_version_id=1,
        department_code=department,
        status=status,
        delivery_method="pickup",
        promised_days=5,
        legal_days=20,
        accepted_on=filed.date() if due else None,
        due_date=due,
        paused_since=paused_since,
        created_at=filed,
        updated_at=filed,
        **extra,
    )
