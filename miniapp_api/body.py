"""Reading request bodies: malformed input is a 400, a bad value a 422."""

from __future__ import annotations

from typing import Any

from sanic import Request

from core.errors import InvalidInput, Malformed


def json_object(request: Request) -> dict[str, Any]:
    """The JSON object body, or Malformed."""
    if not request.body:
        raise Malformed("A JSON object body is required.")
    try:
        body = request.json
    except Exception as exc:  # Sanic raises BadRequest subclasses for undecodable JSON
        raise Malformed("The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise Malformed("The body must be a JSON object.")
    return body


def required_str(body: dict[str, Any], name: str, *, max_length: int = 256) -> str:
    """A non-empty string field, at most ``max_length`` characters."""
    value = body.get(name)
    if value is None:
        raise InvalidInput(f"'{name}' is required.", code="missing_field", details={"field": name})
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{name}' must be a non-empty string.", details={"field": name})
    if len(value) > max_length:
        raise InvalidInput(f"'{name}' is too long.", details={"field": name})
    return value.strip()


def row_id(text: str) -> int:
    """A path's row id (route type ``<x:id>``); ValueError makes the router answer 404."""
    value = int(text)
    if not 0 < value < 2**63:
        raise ValueError(text)
    return value
