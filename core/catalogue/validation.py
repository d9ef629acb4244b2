"""Checking one row of a catalogue import file (docs/api.md, "Catalogue import file").

Pure functions, no database: a row either becomes an ``ItemRow`` or a list of ``RowError``
naming every field that is wrong, so an operator can fix a whole file in one pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from core.rules.checking import Rule, RuleError, check_rules

AUDIENCES = ("personal", "legal_person")
DELIVERY_METHODS = ("ems", "pickup")
MAX_CODE = 64
MAX_DAYS = 3650
MAX_KEYWORDS = 50


class RowError(NamedTuple):
    field: str
    reason: str


@dataclass(frozen=True)
class Material:
    name: str
    required: bool
    license_type: str | None


@dataclass(frozen=True)
class ItemRow:
    """One valid row, normalised (strings stripped, lists as tuples)."""

    code: str
    name: str
    department: str
    department_name: str | None
    kind: str
    audience: str
    conditions: str
    materials: tuple[Material, ...]
    process: tuple[str, ...]
    legal_days: int
    promised_days: int
    fee: str | None
    no_visit: bool
    delivery: tuple[str, ...]
    keywords: tuple[str, ...]
    rules: tuple[Rule, ...] = ()  # instant approval (秒批): all must hold

    def content(self) -> dict[str, Any]:
        """What an item version holds. The department's name belongs to the department,
        not to the item, so renaming a department does not make a new item version."""
        content: dict[str, Any] = {
            "name": self.name,
            "department": self.department,
            "kind": self.kind,
            "audience": self.audience,
            "conditions": self.conditions,
            "materials": [
                {"name": m.name, "required": m.required, "license_type": m.license_type}
                for m in self.materials
            ],
            "process": list(self.process),
            "legal_days": self.legal_days,
            "promised_days": self.promised_days,
            "fee": self.fee,
            "no_visit": self.no_visit,
            "delivery": list(self.delivery),
            "keywords": list(self.keywords),
        }
        if self.rules:  # only when there are: items without rules keep their content hash
            content["rules"] = [rule.as_dict() for rule in self.rules]
        return content

    def content_hash(self) -> str:
        """sha256 of the canonical JSON of ``content()``: equal hash = unchanged item."""
        canonical = json.dumps(
            self.content(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Invalid(Exception):
    """Raised by a field checker; turned into RowError(s) by the caller."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _text(value: object, max_length: int) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be a string")
    text = value.strip()
    if not text:
        raise _Invalid("must not be empty")
    if len(text) > max_length:
        raise _Invalid(f"must be at most {max_length} characters")
    return text


def _code(value: object) -> str:
    """An opaque code, stored exactly as given: it must be addressable in a URL path."""
    if not isinstance(value, str) or not value:
        raise _Invalid("must be a non-empty string")
    if len(value) > MAX_CODE:
        raise _Invalid(f"must be at most {MAX_CODE} characters")
    if any(ch == "/" or ch.isspace() or not ch.isprintable() for ch in value):
        raise _Invalid("must not contain '/', spaces or control characters")
    return value


def _optional_text(max_length: int) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        return None if value is None else _text(value, max_length)

    return check


def _text_of(max_length: int) -> Callable[[object], str]:
    return lambda value: _text(value, max_length)


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid("must be a whole number of working days")
    if not 1 <= value <= MAX_DAYS:
        raise _Invalid(f"must be between 1 and {MAX_DAYS}")
    return value


def _audience(value: object) -> str:
    if value not in AUDIENCES:
        raise _Invalid("must be 'personal' or 'legal_person'")
    return str(value)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise _Invalid("must be a list")
    return value


def _strings(
    value: object, max_length: int, *, non_empty: bool, max_items: int = 100
) -> tuple[str, ...]:
    items = _list(value)
    if non_empty and not items:
        raise _Invalid("must not be empty")
    if len(items) > max_items:
        raise _Invalid(f"must have at most {max_items} entries")
    out: list[str] = []
    for i, item in enumerate(items):
        try:
            out.append(_text(item, max_length))
        except _Invalid as exc:
            raise _Invalid(exc.reason, f"[{i}]") from None
    return tuple(out)


def _process(value: object) -> tuple[str, ...]:
    return _strings(value, 500, non_empty=True)


def _keywords(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    return _strings(value, 50, non_empty=False, max_items=MAX_KEYWORDS)


def _delivery(value: object) -> tuple[str, ...]:
    items = _list(value)
    if not items:
        raise _Invalid("must name at least one of 'ems', 'pickup'")
    if any(item not in DELIVERY_METHODS for item in items):
        raise _Invalid("may contain only 'ems' and 'pickup'")
    if len(set(items)) != len(items):
        raise _Invalid("must not repeat a method")
    return tuple(str(item) for item in items)


_MATERIAL_KEYS = {"name", "required", "license_type"}


def _material(value: object) -> Material:
    if not isinstance(value, dict):
        raise _Invalid("must be an object with name, required, license_type")
    unknown = sorted(set(value) - _MATERIAL_KEYS)
    if unknown:
        raise _Invalid("unknown field", f".{unknown[0]}")
    checks: tuple[tuple[str, Callable[[object], object]], ...] = (
        ("name", _text_of(200)),
        ("required", _boolean),
        ("license_type", _optional_text(64)),
    )
    got: dict[str, Any] = {}
    for key, check in checks:
        if key not in value and key != "license_type":
            raise _Invalid("is required", f".{key}")
        try:
            got[key] = check(value.get(key))
        except _Invalid as exc:
            raise _Invalid(exc.reason, f".{key}") from None
    return Material(**got)


def _materials(value: object) -> tuple[Material, ...]:
    items = _list(value)
    out: list[Material] = []
    for i, item in enumerate(items):
        try:
            out.append(_material(item))
        except _Invalid as exc:
            raise _Invalid(exc.reason, f"[{i}]{exc.field}") from None
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        # applications name their uploaded files by material name: names must be unique
        raise _Invalid("material names must be unique within an item")
    return tuple(out)


def _rules(value: object) -> tuple[Rule, ...]:
    try:
        return check_rules(value)
    except RuleError as exc:
        raise _Invalid(exc.reason, exc.where) from None


# field -> (required, checker). Optional fields default to None / empty.
_FIELDS: dict[str, tuple[bool, Callable[[object], object]]] = {
    "code": (True, _code),
    "name": (True, _text_of(200)),
    "department": (True, _code),
    "department_name": (False, _optional_text(100)),
    "keywords": (False, _keywords),
    "kind": (True, _text_of(32)),
    "audience": (True, _audience),
    "conditions": (True, _text_of(5000)),
    "materials": (True, _materials),
    "process": (True, _process),
    "legal_days": (True, _days),
    "promised_days": (True, _days),
    "fee": (True, _optional_text(500)),
    "no_visit": (True, _boolean),
    "delivery": (True, _delivery),
    "rules": (False, _rules),
}
_DEFAULTS: dict[str, object] = {"department_name": None, "keywords": (), "rules": ()}


def _check_fields(row: dict[str, object]) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors = [RowError(key, "unknown field") for key in row if key not in _FIELDS]
    for key, (required, check) in _FIELDS.items():
        if key not in row:
            if required:
                errors.append(RowError(key, "is required"))
            else:
                values[key] = _DEFAULTS[key]
            continue
        try:
            values[key] = check(row[key])
        except _Invalid as exc:
            errors.append(RowError(key + exc.field, exc.reason))
    return values, errors


def validate_row(row: object) -> tuple[ItemRow | None, list[RowError]]:
    """The row as an ItemRow, or None with every problem found."""
    if not isinstance(row, dict):
        return None, [RowError("row", "must be a JSON object")]
    values, errors = _check_fields(row)
    legal, promised = values.get("legal_days"), values.get("promised_days")
    if legal is not None and promised is not None and promised > legal:
        errors.append(RowError("promised_days", "must not exceed legal_days"))
    if errors:
        return None, errors
    return ItemRow(**values), []


def validate_rows(rows: Sequence[object]) -> list[tuple[ItemRow | None, list[RowError]]]:
    """``validate_row`` for each row, also rejecting a code already used earlier in the file."""
    seen: dict[str, int] = {}
    results: list[tuple[ItemRow | None, list[RowError]]] = []
    for index, row in enumerate(rows):
        item, errors = validate_row(row)
        code = row.get("code") if isinstance(row, dict) else None
        if isinstance(code, str) and code in seen:
            errors = [*errors, RowError("code", f"duplicate code: already in row {seen[code]}")]
            item = None
        elif isinstance(code, str):
            seen[code] = index
        results.append((item, errors))
    return results
