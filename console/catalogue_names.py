"""Item names and department lists for the console's pages (the catalogue's current words)."""

from __future__ import annotations

from collections.abc import Iterable

from core.catalogue.models import Department, ItemVersion


async def item_names(codes: Iterable[str]) -> dict[str, str]:
    """Each item code's name as its latest version words it, in one query."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await ItemVersion.filter(item_id__in=wanted).order_by("version")
    return {row.item_id: row.name for row in rows}  # the latest version wins


async def department_items(department: str | None) -> list[tuple[str, str]]:
    """(code, name) of the department's items (every item for ``None``), by code."""
    query = (
        ItemVersion.all() if department is None else ItemVersion.filter(department_id=department)
    )
    names: dict[str, str] = {}
    for row in await query.order_by("version"):
        names[row.item_id] = row.name
    return sorted(names.items())


async def department_names() -> dict[str, str]:
    return {d.code: d.name for d in await Department.all()}
