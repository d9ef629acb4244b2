"""Normalising raw row values: SQLite returns text and integers where PostgreSQL has types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson

from core.clock import CST


def as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    # asyncpg answers timestamptz in UTC: every answer speaks China time (+08:00)
    return value.astimezone(CST) if value.tzinfo else value.replace(tzinfo=CST)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


def as_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value
