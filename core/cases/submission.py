"""Filing an application: check the body against the item's rules, then write it atomically."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.cases import audit, instant
from core.cases.context import CaseContext
from core.cases.milestones import record_milestone
from core.cases.models import Application, CaseNumber
from core.cases.numbers import format_number
from core.cases.views import masked_address
from core.catalogue.service import current_version
from core.errors import DuplicateMaterial, InvalidInput, NotFound, TooManyMaterials
from core.identity.models import Citizen
from core.rules.judging import Judgement, all_met
from core.totals import tally
from core.uploads.models import Upload
from core.uploads.service import attach, is_file_id, still_attachable

ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")
_PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
MAX_FORM_BYTES = 64 * 1024


ID_CARD = "id_card"
VERIFIED_ID_CARD = "realname-verified"  # the licence reference of an ID card proven by face


def _bad(message: str, code: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, code=code, details=details)


def _address(delivery: dict[str, Any]) -> dict[str, str]:
    address = delivery.get("address")
    if not isinstance(address, dict):
        raise _bad("EMS delivery needs an address.", "incomplete_address", field="address")
    clean: dict[str, str] = {}
    for name in ADDRESS_FIELDS:
        value = address.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise _bad(f"The address needs '{name}'.", "incomplete_address", field=name)
        clean[name] = value.strip()
    if not _PHONE.match(clean["phone"].replace(" ", "")):
        raise _bad("The phone number is not valid.", "incomplete_address", field="phone")
    return clean


def read_delivery(body: dict[str, Any], offered: list[str]) -> tuple[str, dict[str, str] | None]:
    delivery = body.get("delivery")
    if not isinstance(delivery, dict) or delivery.get("method") not in ("ems", "pickup"):
        raise _bad("delivery.method must be 'ems' or 'pickup'.", "invalid_delivery")
    method = str(delivery["method"])
    if method not in offered:
        raise _bad(f"This item does not offer '{method}'.", "delivery_not_offered", offered=offered)
    return method, _address(delivery) if method == "ems" else None


def read_form(body: dict[str, Any]) -> dict[str, Any]:
    form = body.get("form", {})
    if not isinstance(form, dict):
        raise _bad("'form' must be an object.", "invalid_form")
    if len(json.dumps(form, ensure_ascii=False).encode()) > MAX_FORM_BYTES:
        raise _bad("The form is too large.", "invalid_form")
    return form


MAX_MATERIALS = 50  # files a case lists, supplements included


async def uploaded_materials(
    body: dict[str, Any],
    owner_ids: set[str],
    known: set[str],
    now: datetime,
    already: Sequence[dict[str, str]] = (),
) -> list[dict[str, str]]:
    """Each listed material must name a material of the item and a file the filer uploaded
    (one a case lists, or one uploaded within a day); at most ``MAX_MATERIALS`` with those
    ``already`` on the case, and never the same file twice under the same name."""
    listed = body.get("materials", [])
    if not isinstance(listed, list):
        raise _bad("'materials' must be a list.", "invalid_materials")
    if len(listed) + len(already) > MAX_MATERIALS:
        raise TooManyMaterials(details={"max_materials": MAX_MATERIALS})
    seen = {(m.get("name"), m.get("file_id")) for m in already if m.get("file_id")}
    for i, entry in enumerate(listed):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("name", "file_id")
        ):
            raise _bad("Each material needs 'name' and 'file_id'.", "invalid_materials", index=i)
        if entry["name"] not in known:
            raise _bad(
                f"'{entry['name']}' is not a material of this item.", "unknown_material", index=i
            )
        pair = (entry["name"], entry["file_id"])
        if pair in seen:
            raise DuplicateMaterial(details={"index": i})
        seen.add(pair)
    # only ids of the right shape reach the database (a uuid column on PostgreSQL)
    ids = {entry["file_id"] for entry in listed if is_file_id(entry["file_id"])}
    uploads = {u.id: u for u in await Upload.filter(id__in=sorted(ids))} if ids else {}
    result: list[dict[str, str]] = []
    for i, entry in enumerate(listed):
        upload = uploads.get(entry["file_id"])
        if (
            upload is None
            or str(upload.owner_id) not in owner_ids
            or not still_attachable(upload, now)
        ):
            raise _bad("No such uploaded file.", "unknown_file", index=i)
        result.append({"name": entry["name"], "file_id": upload.id})
    return result


async def _complete(
    ctx: CaseContext, citizen: Citizen, required: list[dict[str, Any]], given: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Fill missing required materials from the citizen's e-licences; refuse what's missing."""
    have = {m["name"] for m in given}
    id_number = (
        ctx.cipher.decrypt(citizen.id_number_enc, context="citizen.id_number")
        if citizen.id_number_enc
        else None
    )
    missing: list[str] = []
    for material in required:
        if material["name"] in have or not material.get("required"):
            continue
        ref = None
        if id_number and material.get("license_type"):
            ref = await ctx.licences.find(id_number, material["license_type"])
        if ref is None and material.get("license_type") == ID_CARD and citizen.realname_verified:
            # the verified real name is the ID card checked by face: no registry needed
            ref = VERIFIED_ID_CARD
        if ref is None:
            missing.append(material["name"])
        else:
            given.append({"name": material["name"], "licence": ref})
    if missing:
        raise _bad("Required materials are missing.", "missing_material", missing=missing)
    return given


@dataclass(frozen=True)
class Prepared:
    """One case, checked and ready to be written (nothing written yet)."""

    version: Any
    form: dict[str, Any]
    materials: list[dict[str, str]]
    method: str
    address: dict[str, str] | None
    judgements: list[Judgement] | None  # instant-approval rules judged; None: the item has none


async def item_version(code: object) -> Any:
    if not isinstance(code, str) or not code:
        raise _bad("'item_code' is required.", "missing_field", field="item_code")
    try:
        return await current_version(code)
    except NotFound as exc:
        raise _bad("No service item has this code.", "unknown_item", item_code=code) from exc


async def prepare(
    ctx: CaseContext,
    citizen: Citizen,
    version: Any,
    form: dict[str, Any],
    given: list[dict[str, str]],
    delivery: tuple[str, dict[str, str] | None],
) -> Prepared:
    """Complete the materials from e-licences and judge the item's instant-approval rules."""
    materials = await _complete(ctx, citizen, list(version.materials), given)
    judgements = await instant.judge_case(ctx, citizen, version, form)
    return Prepared(version, form, materials, delivery[0], delivery[1], judgements)


async def submit(
    ctx: CaseContext, citizen: Citizen, body: dict[str, Any], agent_id: str | None = None
) -> Application:
    """File a case for ``citizen`` (by ``agent_id`` when an agent files it)."""
    version = await item_version(body.get("item_code"))
    delivery = read_delivery(body, list(version.delivery))
    form = read_form(body)
    filers = {str(citizen.id)} | ({agent_id} if agent_id else set())
    known = {m["name"] for m in version.materials}
    given = await uploaded_materials(body, filers, known, ctx.clock.now())
    filed = await prepare(ctx, citizen, version, form, given, delivery)
    async with in_transaction():
        return await create(ctx, citizen, agent_id, filed)


async def create(
    ctx: CaseContext,
    citizen: Citizen,
    agent_id: str | None,
    filed: Prepared,
    bundle_number: str | None = None,
) -> Application:
    """Write one case; call inside the filing's transaction (a bundle writes all in one,
    inside ``core.totals.tally.batched``)."""
    now = ctx.clock.now()
    address = filed.address
    enc = (
        ctx.cipher.encrypt(json.dumps(address, ensure_ascii=False), context="application.address")
        if address
        else None
    )
    actor = f"agent:{agent_id}" if agent_id else f"citizen:{citizen.id}"
    version = filed.version
    serial = await CaseNumber.create()
    priors = await tally.note_priors(citizen.id, version.department_id, version.item_id)
    case = await Application.create(
        number=format_number(now.date(), serial.id),
        citizen_id=citizen.id,
        agent_id=agent_id,
        item_code=version.item_id,
        item_version_id=version.id,
        department_code=version.department_id,
        status="submitted",
        form=filed.form,
        materials=filed.materials,
        delivery_method=filed.method,
        delivery_address_enc=enc,
        delivery_address_masked=masked_address(address),
        citizen_timeline=[],
        promised_days=version.promised_days,
        legal_days=version.legal_days,
        bundle_number=bundle_number,
        instant_rules=(
            [j.as_dict() for j in filed.judgements] if filed.judgements is not None else None
        ),
        created_at=now,
        updated_at=now,
        **priors,
    )
    await attach((m["file_id"] for m in filed.materials if "file_id" in m), now)
    await audit.append(case.id, actor, "submit", None, "submitted", "", now)
    if filed.judgements is not None and all_met(filed.judgements):
        case = await instant.approve(ctx, case, filed.judgements)
    else:
        if filed.judgements is not None:
            await instant.record_failure(ctx, case, filed.judgements)
        await record_milestone(ctx, case, "application.submitted", "submitted")
    await tally.add(tally.china_day(now), case.department_code, case.item_code, cases=1)
    return case
