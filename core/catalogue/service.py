"""Reading the catalogue: one item, an item's current version, and search with paging."""

from __future__ import annotations

from typing import Any

from core.catalogue.models import ItemVersion, ServiceItem
from core.catalogue.search import IndexedItem, current_index
from core.catalogue.validation import AUDIENCES, MAX_CODE
from core.errors import InvalidInput, NotFound
from core.paging import FIRST, Page, paged

MAX_QUERY = 50


def _not_found(code: str) -> NotFound:
    return NotFound(
        "No service item has this code.", code="item_not_found", details={"code": code[:MAX_CODE]}
    )


def item_view(version: ItemVersion) -> dict[str, Any]:
    """The contract's item. ``version.department`` must have been fetched."""
    return {
        "code": version.item_id,
        "name": version.name,
        "department": {"code": version.department.code, "name": version.department.name},
        "kind": version.kind,
        "audience": version.audience,
        "conditions": version.conditions,
        "materials": [
            {"name": m["name"], "required": m["required"], "license_type": m["license_type"]}
            for m in version.materials
        ],
        "process": list(version.process),
        "legal_days": version.legal_days,
        "promised_days": version.promised_days,
        "fee": version.fee,
        "no_visit": version.no_visit,
        "delivery": list(version.delivery),
        "keywords": list(version.keywords),
        "version": version.version,
    }


def summary_view(doc: IndexedItem) -> dict[str, Any]:
    """An item in a result list: enough to choose it, without conditions and materials."""
    return {
        "code": doc.code,
        "name": doc.name,
        "department": {"code": doc.department_code, "name": doc.department_name},
        "kind": doc.kind,
        "audience": doc.audience,
        "legal_days": doc.legal_days,
        "promised_days": doc.promised_days,
        "fee": doc.fee,
        "no_visit": doc.no_visit,
        "delivery": list(doc.delivery),
        "version": doc.version,
    }


async def current_version(code: str) -> ItemVersion:
    """The item's current version with its department; NotFound ``item_not_found``."""
    if not code or len(code) > MAX_CODE:
        raise _not_found(code)
    item = await ServiceItem.get_or_none(code=code)
    if item is None:
        raise _not_found(code)
    return await ItemVersion.get(item_id=code, version=item.current_version).prefetch_related(
        "department"
    )


async def get_item(code: str) -> dict[str, Any]:
    """The item as the contract shows it; NotFound ``item_not_found`` for an unknown code."""
    return item_view(await current_version(code))


def _check_search(q: str, audience: str | None) -> None:
    if len(q) > MAX_QUERY:
        raise InvalidInput(f"'q' must be at most {MAX_QUERY} characters.", details={"field": "q"})
    if audience is not None and audience not in AUDIENCES:
        raise InvalidInput(
            "'audience' must be 'personal' or 'legal_person'.", details={"field": "audience"}
        )


async def search_items(q: str, audience: str | None = None, page: Page = FIRST) -> dict[str, Any]:
    """One page of the items matching ``q``, best first, and the total.

    An empty ``q`` lists every item by code. A page past the end is empty, not an error.
    """
    _check_search(q, audience)
    found = (await current_index()).search(q, audience)
    return paged([summary_view(d) for d in page.cut(found)], len(found))
