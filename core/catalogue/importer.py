"""Bulk create-or-update of catalogue items from import rows.

Every valid row is written in its own transaction, so a bad row (or a failing one) leaves
nothing behind while the rest of the file still lands. A changed item gets a new version;
old versions stay because applications pin them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.catalogue.models import Department, ItemVersion, ServiceItem
from core.catalogue.validation import ItemRow, validate_rows
from core.errors import InvalidInput

DEMO_CATALOGUE = Path(__file__).with_name("demo_catalogue.json")

Progress = Callable[[int, int], None]


class RejectedField(NamedTuple):
    row: int  # the row's 0-based position in the file's array
    field: str
    reason: str


@dataclass
class ImportReport:
    """Rows counted by outcome; ``errors`` holds every problem of every rejected row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RejectedField] = field(default_factory=list)
    # each row's outcome in file order: created, updated, unchanged or rejected
    outcomes: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.outcomes.append(outcome)

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


@dataclass
class _Known:
    """What the database held when the import started: saves a read per unchanged row."""

    items: dict[str, tuple[int, str]]  # code -> (current version, its content hash)
    departments: dict[str, str]  # code -> name


_CURRENT_HASHES = (
    "SELECT i.code, i.current_version, v.content_hash FROM service_item i "
    "JOIN item_version v ON v.item_id = i.code AND v.version = i.current_version"
)


async def _load_known() -> _Known:
    rows = await connections.get("default").execute_query_dict(_CURRENT_HASHES)
    items = {r["code"]: (int(r["current_version"]), str(r["content_hash"])) for r in rows}
    departments = {d.code: d.name for d in await Department.all()}
    return _Known(items, departments)


async def _upsert_department(row: ItemRow, known: _Known) -> None:
    if row.department not in known.departments:
        await Department.create(code=row.department, name=row.department_name or row.department)
    elif row.department_name and row.department_name != known.departments[row.department]:
        # save(), not a queryset update: auto_now must move updated_at, which search watches
        department = await Department.get(code=row.department)
        department.name = row.department_name
        await department.save()


def _version_fields(row: ItemRow) -> dict[str, Any]:
    content = row.content()
    content["department_id"] = content.pop("department")
    content["content_hash"] = row.content_hash()
    return content


def _department_unchanged(row: ItemRow, known: _Known) -> bool:
    name = known.departments.get(row.department)
    return name is not None and row.department_name in (None, name)


async def _write_row(row: ItemRow, known: _Known) -> str:
    """Write one valid row in its own transaction; 'created', 'updated' or 'unchanged'."""
    digest = row.content_hash()
    before = known.items.get(row.code)
    if before is not None and before[1] == digest and _department_unchanged(row, known):
        return "unchanged"
    async with in_transaction():
        await _upsert_department(row, known)
        outcome = await _write_item(row, digest)
    # only after the commit: a rolled-back row must not look written to later rows
    if row.department_name or row.department not in known.departments:
        known.departments[row.department] = row.department_name or row.department
    return outcome


async def _write_item(row: ItemRow, digest: str) -> str:
    item = await ServiceItem.select_for_update().get_or_none(code=row.code)
    if item is None:
        await ServiceItem.create(code=row.code, current_version=1)
        await ItemVersion.create(item_id=row.code, version=1, **_version_fields(row))
        return "created"
    current = await ItemVersion.get(item_id=row.code, version=item.current_version)
    if current.content_hash == digest:
        return "unchanged"
    version = item.current_version + 1
    await ItemVersion.create(item_id=row.code, version=version, **_version_fields(row))
    item.current_version = version
    await item.save(update_fields=["current_version", "updated_at"])
    return "updated"


def rows_from_json(data: bytes) -> list[object]:
    """An uploaded import file's array of rows; InvalidInput ``invalid_import_file`` (with
    ``details.reason``) when it is not UTF-8 JSON holding an array."""
    try:
        rows = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"not UTF-8 JSON: {exc}", code="invalid_import_file", details={"reason": "json"}
        ) from exc
    if not isinstance(rows, list):
        raise InvalidInput(
            "must hold a JSON array", code="invalid_import_file", details={"reason": "array"}
        )
    return rows


async def import_items(rows: Sequence[object], progress: Progress | None = None) -> ImportReport:
    """Create or update items from import rows; see ImportReport for the counts.

    ``progress(done, total)`` is called after each row.
    """
    report = ImportReport()
    known = await _load_known()
    total = len(rows)
    for index, (item, errors) in enumerate(validate_rows(rows)):
        if item is None:
            report.count("rejected")
            report.errors.extend(RejectedField(index, e.field, e.reason) for e in errors)
        else:
            try:
                report.count(await _write_row(item, known))
            except IntegrityError:
                # another import wrote the same item meanwhile; this row rolled back whole
                report.count("rejected")
                report.errors.append(RejectedField(index, "code", "changed concurrently; retry"))
        if progress is not None:
            progress(index + 1, total)
    return report
