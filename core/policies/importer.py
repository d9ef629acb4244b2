"""`citysvc policies import`: policies created, updated or unchanged, row by row.

A row is ``{"code", "name", "item_code", "rules": [...], "form": {...}}`` (docs/bundles.md):
the rules (core.rules, without ``form.*`` subjects: a policy has no form) are checked here,
``item_code`` must be in the catalogue, ``form`` (optional) pre-fills the case it files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.catalogue.importer import ImportReport, RejectedField
from core.catalogue.models import ServiceItem
from core.catalogue.validation import MAX_CODE
from core.policies.models import Policy
from core.rules.checking import RuleError, check_rules

FIELDS = ("code", "name", "item_code", "rules", "form")


def _check(
    row: object, known_items: set[str], towns: Sequence[str]
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    if not isinstance(row, dict):
        return None, [("row", "must be a JSON object")]
    errors = [(key, "unknown field") for key in row if key not in FIELDS]
    code, name, item = row.get("code"), row.get("name"), row.get("item_code")
    if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE or "/" in code or " " in code:
        errors.append(("code", f"must be 1 to {MAX_CODE} characters without '/' or spaces"))
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 200:
        errors.append(("name", "must be text of 1 to 200 characters"))
    if not isinstance(item, str) or item not in known_items:
        errors.append(("item_code", "must name an item of the catalogue"))
    form = row.get("form", {})
    if not isinstance(form, dict):
        errors.append(("form", "must be an object"))
    rules = []
    try:
        rules = [r.as_dict() for r in check_rules(row.get("rules"), towns, allow_form=False)]
        if not rules:
            errors.append(("rules", "a policy needs at least one rule"))
    except RuleError as exc:
        errors.append(("rules" + exc.where, exc.reason))
    if errors:
        return None, errors
    assert isinstance(name, str)
    return {"code": code, "name": name.strip(), "item_code": item, "rules": rules, "form": form}, []


async def _write(values: dict[str, Any]) -> str:
    policy = await Policy.get_or_none(code=values["code"])
    if policy is None:
        await Policy.create(**values)
        return "created"
    current = {k: getattr(policy, k) for k in values}
    if current == values:
        return "unchanged"
    policy.update_from_dict({k: v for k, v in values.items() if k != "code"})
    await policy.save()
    return "updated"


async def import_policies(rows: Sequence[object], towns: Sequence[str] = ()) -> ImportReport:
    report = ImportReport()
    known_items = {str(c) for c in await ServiceItem.all().values_list("code", flat=True)}
    seen: set[str] = set()
    for index, row in enumerate(rows):
        values, errors = _check(row, known_items, towns)
        if values is not None and values["code"] in seen:
            values, errors = None, [("code", "duplicate code in this file")]
        if values is None:
            report.rejected += 1
            report.errors.extend(RejectedField(index, f, reason) for f, reason in errors)
            continue
        seen.add(values["code"])
        report.count(await _write(values))
    return report
