"""The request models validate: what the OpenAPI document declares of a body is enforced.

For every operation with a JSON body, bodies are made from the document itself (the
model's example, then one declared rule broken at a time: a required field left out, a
wrong type, a string too long or too short, a number out of range, a list too long or too
short, a value outside an enum or a pattern; in nested objects and a list's objects too)
and each must be refused with 422 and a code that operation lists. A model that lists less than
``core`` accepts (or more) shows up here or in the route's own tests.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from typing import Any

from core.cases.machine import STAFF_ACTIONS
from core.feedback import rectifications
from core.feedback.ratings import DIMENSIONS
from core.feedback.service import KINDS
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api import schemas as s
from tests import builders as b
from tests.harness import Api
from tests.miniapp_api.test_openapi import document

_WRONG: list[tuple[str, Any]] = [
    ("integer", 12345),
    ("string", "x"),
    ("array", ["x"]),
    ("object", {"x": 1}),
    ("boolean", True),
]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return _resolve(doc, doc["components"]["schemas"][ref.rsplit("/", 1)[1]])


def _variants(doc: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas a value may match (``X | None`` is an anyOf of two)."""
    schema = _resolve(doc, schema)
    options = schema.get("anyOf")
    if options is None:
        return [schema]
    return [v for option in options for v in _variants(doc, option)]


def _types(variants: list[dict[str, Any]]) -> set[str]:
    return {v.get("type", "object") for v in variants}


def _broken(name: str, rule: dict[str, Any], example: Any) -> Iterator[tuple[str, Any]]:
    """(what is broken, the value) for each constraint of one of a field's schemas."""
    if "enum" in rule:
        yield "outside the enum", "not-a-choice"
    if "maxLength" in rule:
        yield "too long", "x" * (rule["maxLength"] + 1)
    if rule.get("minLength", 0) > 0:
        yield "too short", ""
    if "pattern" in rule:
        yield "not matching its pattern", "!"
    if "maximum" in rule:
        yield "above its maximum", rule["maximum"] + 1
    if "minimum" in rule:
        yield "below its minimum", rule["minimum"] - 1
    if "maxItems" in rule:
        yield "too long a list", [(example or ["x"])[0]] * (rule["maxItems"] + 1)
    if rule.get("minItems", 0) > 0:
        yield "too short a list", []


def _violations(
    doc: dict[str, Any], model: dict[str, Any], example: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what is broken, the body) for each rule the model declares, nested objects (and the
    objects of a list) included."""
    for name, prop in model["properties"].items():
        if name in model.get("required", []):
            yield f"{name} missing", {k: v for k, v in example.items() if k != name}
        variants = _variants(doc, prop)
        kinds = _types(variants)
        wrong = next(value for kind, value in _WRONG if kind not in kinds)
        yield f"{name} of the wrong type", {**example, name: wrong}
        for rule in variants:
            for what, value in _broken(name, rule, example.get(name)):
                yield f"{name} {what}", {**example, name: value}
            yield from _nested(doc, name, rule, example)


def _nested(
    doc: dict[str, Any], name: str, rule: dict[str, Any], example: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    value = example.get(name)
    if "properties" in rule:
        inner = value if isinstance(value, dict) else (rule.get("examples") or [None])[0]
        if isinstance(inner, dict):
            for what, broken in _violations(doc, rule, inner):
                yield f"{name}.{what}", {**example, name: broken}
    items = _resolve(doc, rule.get("items", {}))
    if "properties" in items and isinstance(value, list) and value:
        for what, broken in _violations(doc, items, value[0]):
            yield f"{name}[0].{what}", {**example, name: [broken]}


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


async def test_every_body_breaking_its_model_is_refused_with_422(
    api: Api, wechat: WeChatSandbox
) -> None:
    doc = await document(api)
    staff = await b.staff_token(api, "validator", role="admin", department=None)
    operations = 0
    refused: list[str] = []
    for template, item in doc["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            operations += 1
            model = _resolve(doc, content["application/json"]["schema"])
            codes = op["responses"]["422"]["content"]["application/json"]["schema"]["allOf"][1]
            allowed = codes["properties"]["error"]["properties"]["code"]["enum"]
            [example] = model["examples"]
            cases = list(_violations(doc, model, example))
            assert cases, template
            for what, body in cases:
                # a fresh citizen for each, so that per-citizen limits (real-name) never count
                token = staff if op["security"] == [{"staff": []}] else None
                if op["security"] == [{"citizen": []}]:
                    token = await b.citizen_token(api, wechat)
                status, answer, _ = await api.call(
                    method.upper(), _path(template), token=token, json=body
                )
                assert status == 422, (method, template, what, body, answer)
                assert answer["error"]["code"] in allowed, (template, what, answer)
                refused.append(f"{method} {template}: {what}")
    assert operations >= 20
    assert len(refused) > 3 * operations


def test_the_models_list_the_choices_core_accepts() -> None:
    """An enum in a model is core's list, in core's order (``details.allowed`` shows it)."""

    def choices(model: type[Any], field: str) -> tuple[str, ...]:
        return typing.get_args(model.model_fields[field].annotation)

    assert choices(s.StaffAction, "action") == STAFF_ACTIONS
    assert choices(s.RectificationAction, "action") == tuple(rectifications.ACTIONS)
    assert choices(s.FeedbackRequest, "kind") == KINDS
    dimensions = s.RatingRequest.model_fields["dimensions"].annotation
    key = typing.get_args(typing.get_args(dimensions)[0])[0]
    assert typing.get_args(key) == DIMENSIONS
