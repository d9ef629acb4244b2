"""Importing rows: counts, versions, one transaction per row, departments."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.catalogue.importer import DEMO_CATALOGUE, RejectedField, import_items
from core.catalogue.models import Department, ItemVersion, ServiceItem
from core.db import close_db, init_db
from tests.core.catalogue.test_validation import DROP, good_row


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[None]:
    await init_db(database_url)
    yield
    await close_db()


def demo_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    return rows


async def test_demo_import_then_reimport_is_unchanged(db: None) -> None:
    rows = demo_rows()
    first = await import_items(rows)
    assert (first.created, first.updated, first.unchanged, first.rejected) == (len(rows), 0, 0, 0)
    again = await import_items(rows)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, len(rows), 0)
    assert again.summary() == f"created 0, updated 0, unchanged {len(rows)}, rejected 0"
    assert await ItemVersion.all().count() == len(rows)
    assert await Department.all().count() == len({row["department"] for row in rows})


async def test_changed_row_makes_a_new_version_and_keeps_the_old(db: None) -> None:
    await import_items([good_row(), good_row(code="B", name="另一个事项")])
    old = await ItemVersion.get(item_id="321012-000-XK-00001", version=1)
    report = await import_items(
        [good_row(promised_days=3), good_row(code="B", name="另一个事项"), good_row(code="C")]
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    item = await ServiceItem.get(code="321012-000-XK-00001")
    assert item.current_version == 2
    new = await ItemVersion.get(item_id=item.code, version=2)
    assert (new.promised_days, new.id != old.id) == (3, True)
    kept = await ItemVersion.get(id=old.id)
    assert kept.promised_days == 5 and kept.content_hash == old.content_hash


async def test_bad_row_writes_nothing_not_even_its_department(db: None) -> None:
    rows: list[object] = [
        good_row(code="A"),
        good_row(code="B", department="NEW-DEPT", promised_days=99),
        "not an object",
        good_row(code="A", name="重复"),
    ]
    report = await import_items(rows)
    assert (report.created, report.rejected) == (1, 3)
    assert report.errors == [
        RejectedField(1, "promised_days", "must not exceed legal_days"),
        RejectedField(2, "row", "must be a JSON object"),
        RejectedField(3, "code", "duplicate code: already in row 0"),
    ]
    assert await ServiceItem.filter(code="B").exists() is False
    assert await Department.filter(code="NEW-DEPT").exists() is False


async def test_department_name_is_upserted(db: None) -> None:
    await import_items([good_row(department="D1", department_name=DROP)])
    assert (await Department.get(code="D1")).name == "D1"
    report = await import_items([good_row(department="D1", department_name="江都区某局")])
    assert report.unchanged == 1  # the item itself did not change
    assert (await Department.get(code="D1")).name == "江都区某局"
    await import_items([good_row(code="X2", department="D1", department_name=DROP)])
    assert (await Department.get(code="D1")).name == "江都区某局"


async def test_code_is_stored_exactly_as_given(db: None) -> None:
    odd = "11320112MB1234567X-0001-ç"
    await import_items([good_row(code=odd)])
    assert (await ServiceItem.get(code=odd)).current_version == 1


async def test_progress_is_reported_per_row(db: None) -> None:
    calls: list[tuple[int, int]] = []
    await import_items(
        [good_row(code="A"), {"bad": 1}, good_row(code="C")],
        lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
