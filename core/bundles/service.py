"""Filing and reading one-thing bundles (一件事).

One form and one list of materials serve every item: each case gets the form, the
materials its item names (a file given once is listed on each case that needs it, stored
once) and its own department and deadline. Every case is checked before any is written,
and all are written in one transaction: all or none.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from core.bundles.models import Bundle, BundleFiling
from core.cases.context import CaseContext
from core.cases.models import Application, CaseNumber
from core.cases.numbers import format_number
from core.cases.submission import (
    Prepared,
    create,
    item_version,
    prepare,
    read_delivery,
    read_form,
    uploaded_materials,
)
from core.cases.views import summary
from core.catalogue.models import ItemVersion, ServiceItem
from core.errors import BundleNotFound, InvalidInput
from core.identity.models import Citizen
from core.totals import tally

PREFIX = "YJS"  # 一件事


def _not_found(code: str) -> BundleNotFound:
    return BundleNotFound("No bundle has this code.", details={"code": code[:64]})


async def _versions(items: list[str]) -> list[ItemVersion]:
    current = dict(await ServiceItem.filter(code__in=items).values_list("code", "current_version"))
    versions = []
    for code in items:
        if code in current:
            versions.append(await ItemVersion.get(item_id=code, version=current[code]))
    return versions


def merged_materials(versions: list[Any]) -> list[dict[str, Any]]:
    """The items' materials by exact name, each once, required when any item requires it."""
    merged: dict[str, dict[str, Any]] = {}
    for version in versions:
        for m in version.materials:
            seen = merged.setdefault(m["name"], {**m, "required": False})
            seen["required"] = seen["required"] or bool(m["required"])
            seen["license_type"] = seen.get("license_type") or m.get("license_type")
    return list(merged.values())


async def _view(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "items": list(bundle.items),
        "materials": merged_materials(await _versions(list(bundle.items))),
    }


async def list_bundles() -> list[dict[str, Any]]:
    return [await _view(b) for b in await Bundle.all().order_by("code")]


async def get_bundle(code: str) -> dict[str, Any]:
    bundle = await Bundle.get_or_none(code=code[:64])
    if bundle is None:
        raise _not_found(code)
    return await _view(bundle)


async def _prepare_all(
    ctx: CaseContext, citizen: Citizen, bundle: Bundle, body: dict[str, Any]
) -> list[Prepared]:
    versions = [await item_version(code) for code in bundle.items]
    offered = [m for m in ("ems", "pickup") if all(m in v.delivery for v in versions)]
    delivery = read_delivery(body, offered)
    form = read_form(body)
    known = {m["name"] for v in versions for m in v.materials}
    given = await uploaded_materials(body, {str(citizen.id)}, known, ctx.clock.now())
    prepared = []
    for version in versions:
        names = {m["name"] for m in version.materials}
        mine = [dict(m) for m in given if m["name"] in names]
        try:
            prepared.append(await prepare(ctx, citizen, version, form, mine, delivery))
        except InvalidInput as exc:  # say which item of the bundle it was
            exc.details["item_code"] = version.item_id
            raise
    return prepared


async def file_bundle(
    ctx: CaseContext, citizen: Citizen, code: str, body: dict[str, Any]
) -> dict[str, Any]:
    """File every item of the bundle, all or none; the contract's 201 body."""
    bundle = await Bundle.get_or_none(code=code[:64])
    if bundle is None:
        raise _not_found(code)
    prepared = await _prepare_all(ctx, citizen, bundle, body)
    now = ctx.clock.now()
    async with in_transaction():
        serial = await CaseNumber.create()
        number = PREFIX + format_number(now.date(), serial.id)
        await BundleFiling.create(
            number=number,
            bundle_code=bundle.code,
            bundle_name=bundle.name,
            citizen_id=citizen.id,
            case_count=len(prepared),
            created_at=now,
        )
        async with tally.batched():  # the figures' totals in one order (tally.add)
            cases = [await create(ctx, citizen, None, filed, number) for filed in prepared]
    return {
        "bundle_number": number,
        "applications": [
            {"number": c.number, "item_code": c.item_code, "status": c.status} for c in cases
        ],
    }


async def bundle_detail(citizen_id: str, number: str) -> dict[str, Any]:
    """The bundle's cases and one timeline of them all, oldest first (the citizen's own)."""
    filing = await BundleFiling.get_or_none(number=number[:40], citizen_id=citizen_id)
    if filing is None:
        raise BundleNotFound("No bundle filing of yours has this number.")
    cases = await Application.filter(bundle_number=filing.number).order_by("id")
    timeline = [
        {**step, "number": case.number, "item_code": case.item_code}
        for case in cases
        for step in case.citizen_timeline or []
    ]
    timeline.sort(key=lambda step: step["at"])
    return {
        "bundle_number": filing.number,
        "code": filing.bundle_code,
        "name": filing.bundle_name,
        "completed": filing.completed_at is not None,
        "applications": [summary(case) for case in cases],
        "timeline": timeline,
    }
