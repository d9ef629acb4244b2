"""What citizens and staff see of a case (docs/api.md shapes); personal data masked."""

from __future__ import annotations

import json
from typing import Any

import orjson

from core.cases.context import CaseContext
from core.cases.finish import RATEABLE
from core.cases.machine import NOTICES
from core.cases.models import Application, AuditEntry
from core.identity.models import Citizen
from core.masking import mask_address, mask_id_number, mask_name, mask_phone
from core.rows import as_date, as_datetime, as_json

# actions whose clerk note the citizen must read (what to supplement, why refused)
_NOTE_FOR_CITIZEN = frozenset(
    {"refuse", "request_supplement", "deny", "extend", "suspend", "revoke_instant"}
)

# (action, to_status, clerk note, at) of each audit entry, oldest first
Entry = tuple[str, str, str, Any]


def timeline_item(action: str, to_status: str, clerk_note: str, at: Any) -> dict[str, Any]:
    """One step of the case as the citizen reads it: the notice of the new state, and the
    clerk's note where the citizen must act on it. A step that makes the case rateable
    invites a rating (好差评): ``invite_rating`` true."""
    note = NOTICES.get(to_status, to_status)
    if action in _NOTE_FOR_CITIZEN and clerk_note:
        note = f"{note}：{clerk_note}"
    item: dict[str, Any] = {"status": to_status, "at": as_datetime(at).isoformat(), "note": note}
    if to_status in RATEABLE:
        item["invite_rating"] = True
    return item


# steps on the audit trail that are not steps of the case (the rules judged for the clerk)
STAFF_ONLY_ACTIONS = frozenset({"instant_check"})


def render_timeline(entries: list[Entry]) -> list[dict[str, Any]]:
    """The case's steps from its trail, as the citizen's stored timeline has them."""
    return [timeline_item(*entry) for entry in entries if entry[0] not in STAFF_ONLY_ACTIONS]


def _address(ctx: CaseContext, encrypted: str | None) -> dict[str, str] | None:
    if not encrypted:
        return None
    address: dict[str, str] = json.loads(
        ctx.cipher.decrypt(encrypted, context="application.address")
    )
    return address


def masked_address(address: dict[str, str] | None) -> dict[str, str] | None:
    """The delivery address as the citizen's own views show it (stored at submission)."""
    if address is None:
        return None
    return {
        **address,
        "name": mask_name(address["name"]),
        "phone": mask_phone(address["phone"]),
        "detail": mask_address(address["detail"]),
    }


def _citizen_address(ctx: CaseContext, row: dict[str, Any]) -> Any:
    stored = row["delivery_address_masked"]
    if isinstance(stored, str):  # stored JSON goes out as it is (SQLite and asyncpg give text)
        return orjson.Fragment(stored)
    if stored is not None:
        return stored
    # a case filed before migration 0003 has only the ciphertext
    return masked_address(_address(ctx, row["delivery_address_enc"]))


def summary(case: Application) -> dict[str, Any]:
    return {
        "number": case.number,
        "item_code": case.item_code,
        "status": case.status,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "created_at": case.created_at.isoformat(),
    }


def citizen_view(
    ctx: CaseContext, row: dict[str, Any], timeline: Any, shipment: dict[str, Any] | None
) -> dict[str, Any]:
    """From a raw application row (see core.details.citizen): what the owner sees."""
    due = as_date(row["due_date"])
    return {
        "number": row["number"],
        "item_code": row["item_code"],
        "status": row["status"],
        "due_date": due.isoformat() if due else None,
        "due_provisional": bool(row["due_provisional"]),
        "created_at": as_datetime(row["created_at"]).isoformat(),
        "timeline": timeline,
        "shipment": shipment,
        "delivery": {
            "method": row["delivery_method"],
            "address": _citizen_address(ctx, row),
        },
        "materials": [{"name": m["name"]} for m in as_json(row["materials"])],
    }


def applicant(ctx: CaseContext, citizen: Citizen | None) -> dict[str, Any]:
    if citizen is None or not citizen.realname_verified:
        return {"realname_verified": False, "name_masked": None, "id_number_masked": None}
    name = ctx.cipher.decrypt(citizen.name_enc or "", context="citizen.name")
    number = ctx.cipher.decrypt(citizen.id_number_enc or "", context="citizen.id_number")
    return {
        "realname_verified": True,
        "name_masked": mask_name(name),
        "id_number_masked": mask_id_number(number),
    }


def staff_view(
    ctx: CaseContext,
    case: Application,
    entries: list[AuditEntry],
    citizen: Citizen | None,
    shipment: dict[str, Any] | None,
    messages: list[dict[str, Any]],
) -> dict[str, Any]:
    """The department's view: full delivery address (they mail the result), masked identity."""
    return {
        **summary(case),
        "due_provisional": case.due_provisional,
        "department": case.department_code,
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "applicant": applicant(ctx, citizen),
        "agent_filed": case.agent_id is not None,
        "bundle_number": case.bundle_number,
        # instant approval (秒批): each rule, the value judged, met or not (null: no rules)
        "instant_rules": case.instant_rules,
        "form": case.form,
        "materials": case.materials,
        "delivery": {
            "method": case.delivery_method,
            "address": _address(ctx, case.delivery_address_enc),
        },
        "timeline": render_timeline([(e.action, e.to_status, e.note, e.at) for e in entries]),
        "audit": [
            {
                "seq": e.seq,
                "actor": e.actor,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
                "at": e.at.isoformat(),
            }
            for e in entries
        ],
        "shipment": shipment,
        "messages": messages,
    }
