"""Row validation of the catalogue import format: every field's failure, one table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.catalogue.importer import DEMO_CATALOGUE
from core.catalogue.validation import ItemRow, RowError, validate_row, validate_rows

DROP = object()  # a key to leave out of the row


def good_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": "321012-000-XK-00001",
        "name": "普通护照签发",
        "department": "321012-GA-CRJ",
        "department_name": "出入境管理大队",
        "keywords": ["护照"],
        "kind": "行政许可",
        "audience": "personal",
        "conditions": "中国公民因私出国。",
        "materials": [
            {"name": "居民身份证", "required": True, "license_type": "id_card"},
            {"name": "照片", "required": True},
        ],
        "process": ["申请", "受理", "审批"],
        "legal_days": 7,
        "promised_days": 5,
        "fee": "120元",
        "no_visit": False,
        "delivery": ["ems", "pickup"],
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not DROP}


def test_good_row_is_normalised() -> None:
    item, errors = validate_row(
        good_row(name="  普通护照签发 ", keywords=DROP, department_name=DROP)
    )
    assert errors == []
    assert isinstance(item, ItemRow)
    assert item.name == "普通护照签发"
    assert item.keywords == () and item.department_name is None
    assert item.materials[1].license_type is None


def test_null_fee_and_keywords_are_allowed() -> None:
    item, errors = validate_row(good_row(fee=None, keywords=None, department_name=None))
    assert errors == [] and item is not None
    assert item.fee is None and item.keywords == ()


BAD = [
    ({"code": DROP}, "code", "is required"),
    ({"code": ""}, "code", "must be a non-empty string"),
    ({"code": 12}, "code", "must be a non-empty string"),
    ({"code": "a/b"}, "code", "must not contain '/', spaces or control characters"),
    ({"code": "a b"}, "code", "must not contain '/', spaces or control characters"),
    ({"code": "x" * 65}, "code", "must be at most 64 characters"),
    ({"name": DROP}, "name", "is required"),
    ({"name": "   "}, "name", "must not be empty"),
    ({"name": ["护照"]}, "name", "must be a string"),
    ({"department": DROP}, "department", "is required"),
    ({"department": None}, "department", "must be a non-empty string"),
    ({"department_name": ""}, "department_name", "must not be empty"),
    ({"kind": DROP}, "kind", "is required"),
    ({"kind": 3}, "kind", "must be a string"),
    ({"audience": "citizen"}, "audience", "must be 'personal' or 'legal_person'"),
    ({"audience": DROP}, "audience", "is required"),
    ({"conditions": ""}, "conditions", "must not be empty"),
    ({"materials": DROP}, "materials", "is required"),
    ({"materials": {"name": "x"}}, "materials", "must be a list"),
    (
        {"materials": ["身份证"]},
        "materials[0]",
        "must be an object with name, required, license_type",
    ),
    ({"materials": [{"required": True}]}, "materials[0].name", "is required"),
    ({"materials": [{"name": "", "required": True}]}, "materials[0].name", "must not be empty"),
    (
        {"materials": [{"name": "a", "required": "yes"}]},
        "materials[0].required",
        "must be true or false",
    ),
    ({"materials": [{"name": "a"}]}, "materials[0].required", "is required"),
    (
        {"materials": [{"name": "a", "required": True, "license_type": 1}]},
        "materials[0].license_type",
        "must be a string",
    ),
    (
        {"materials": [{"name": "a", "required": True, "copies": 2}]},
        "materials[0].copies",
        "unknown field",
    ),
    (
        {"materials": [{"name": "a", "required": True}, {"name": "a", "required": False}]},
        "materials",
        "material names must be unique within an item",
    ),
    ({"process": []}, "process", "must not be empty"),
    ({"process": "申请"}, "process", "must be a list"),
    ({"process": ["申请", 2]}, "process[1]", "must be a string"),
    ({"legal_days": DROP}, "legal_days", "is required"),
    ({"legal_days": "7"}, "legal_days", "must be a whole number of working days"),
    ({"legal_days": 7.0}, "legal_days", "must be a whole number of working days"),
    ({"legal_days": True}, "legal_days", "must be a whole number of working days"),
    ({"promised_days": 0}, "promised_days", "must be between 1 and 3650"),
    ({"promised_days": -1}, "promised_days", "must be between 1 and 3650"),
    ({"promised_days": 8}, "promised_days", "must not exceed legal_days"),
    ({"fee": DROP}, "fee", "is required"),
    ({"fee": 0}, "fee", "must be a string"),
    ({"fee": ""}, "fee", "must not be empty"),
    ({"no_visit": "false"}, "no_visit", "must be true or false"),
    ({"no_visit": DROP}, "no_visit", "is required"),
    ({"delivery": []}, "delivery", "must name at least one of 'ems', 'pickup'"),
    ({"delivery": ["ems", "drone"]}, "delivery", "may contain only 'ems' and 'pickup'"),
    ({"delivery": ["ems", "ems"]}, "delivery", "must not repeat a method"),
    ({"delivery": "ems"}, "delivery", "must be a list"),
    ({"keywords": "护照"}, "keywords", "must be a list"),
    ({"keywords": ["护照", ""]}, "keywords[1]", "must not be empty"),
    ({"keywords": ["x"] * 51}, "keywords", "must have at most 50 entries"),
    ({"price": 1}, "price", "unknown field"),
]


@pytest.mark.parametrize(("changes", "field", "reason"), BAD)
def test_each_bad_field_is_named(changes: dict[str, Any], field: str, reason: str) -> None:
    item, errors = validate_row(good_row(**changes))
    assert item is None
    assert errors == [RowError(field, reason)]


@pytest.mark.parametrize("row", [None, [], "row", 3])
def test_row_must_be_an_object(row: object) -> None:
    assert validate_row(row) == (None, [RowError("row", "must be a JSON object")])


def test_every_problem_of_a_row_is_reported() -> None:
    _, errors = validate_row(good_row(name=DROP, audience="x", colour="red"))
    assert [e.field for e in errors] == ["colour", "name", "audience"]


def test_duplicate_code_rejects_the_second_occurrence() -> None:
    rows = [good_row(), good_row(code="B"), good_row(name="另一个")]
    results = validate_rows(rows)
    assert [item is not None for item, _ in results] == [True, True, False]
    assert results[2][1] == [RowError("code", "duplicate code: already in row 0")]


def test_content_hash_ignores_department_name_and_follows_content() -> None:
    first, _ = validate_row(good_row())
    renamed, _ = validate_row(good_row(department_name="新名称", name=" 普通护照签发"))
    changed, _ = validate_row(good_row(promised_days=4))
    assert first is not None and renamed is not None and changed is not None
    assert first.content_hash() == renamed.content_hash() != changed.content_hash()


def test_demo_catalogue_is_valid() -> None:
    rows = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    results = validate_rows(rows)
    assert [errors for _, errors in results if errors] == []
    assert len(rows) >= 35
    assert {row["audience"] for row in rows} == {"personal", "legal_person"}
