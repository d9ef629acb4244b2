"""`citysvc bundles import`: bundles created, updated or left as they are, row by row.

A row is ``{"code", "name", "items": [item codes]}``; a bundle joins at least two distinct
items that exist in the catalogue. Rows are reported like the catalogue import's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.bundles.models import Bundle
from core.catalogue.importer import ImportReport, RejectedField
from core.catalogue.models import ServiceItem
from core.catalogue.validation import MAX_CODE

MAX_ITEMS = 20


def _errors(row: object, known_items: set[str], seen: dict[str, int]) -> list[tuple[str, str]]:
    if not isinstance(row, dict):
        return [("row", "must be a JSON object")]
    errors = [(key, "unknown field") for key in row if key not in ("code", "name", "items")]
    code, name, items = row.get("code"), row.get("name"), row.get("items")
    if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE or "/" in code or " " in code:
        errors.append(("code", f"must be 1 to {MAX_CODE} characters without '/' or spaces"))
    elif code in seen:
        errors.append(("code", f"duplicate code: already in row {seen[code]}"))
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 200:
        errors.append(("name", "must be text of 1 to 200 characters"))
    if not isinstance(items, list) or not 2 <= len(items) <= MAX_ITEMS:
        errors.append(("items", f"must list 2 to {MAX_ITEMS} item codes"))
    elif len(set(map(str, items))) != len(items):
        errors.append(("items", "must not repeat an item"))
    else:
        errors += [
            (f"items[{i}]", f"unknown item '{item}'")
            for i, item in enumerate(items)
            if not isinstance(item, str) or item not in known_items
        ]
    return errors


async def _write(row: dict[str, Any]) -> str:
    name, items = row["name"].strip(), list(row["items"])
    bundle = await Bundle.get_or_none(code=row["code"])
    if bundle is None:
        await Bundle.create(code=row["code"], name=name, items=items)
        return "created"
    if bundle.name == name and list(bundle.items) == items:
        return "unchanged"
    bundle.name, bundle.items = name, items
    await bundle.save()
    return "updated"


async def import_bundles(rows: Sequence[object]) -> ImportReport:
    report = ImportReport()
    known_items = {str(c) for c in await ServiceItem.all().values_list("code", flat=True)}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        errors = _errors(row, known_items, seen)
        if isinstance(row, dict) and isinstance(row.get("code"), str):
            seen.setdefault(row["code"], index)
        if errors:
            report.rejected += 1
            report.errors.extend(RejectedField(index, f, reason) for f, reason in errors)
            continue
        assert isinstance(row, dict)
        report.count(await _write(row))
    return report
