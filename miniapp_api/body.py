"""Reading request bodies: malformed input is a 400, a bad value a 422."""

from __future__ import annotations

from typing import Any

from sanic import Request
from sanic_ext.extensions.openapi.types import Integer

from core.errors import InvalidInput, Malformed
from core.paging import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, Page


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


def _whole(request: Request, name: str, default: int, highest: int) -> int:
    raw = request.args.get(name) or str(default)
    # length first: int() of thousands of digits raises instead of answering 422
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= highest):
        raise InvalidInput(
            f"'{name}' must be a whole number from 1 to {highest}.", details={"field": name}
        )
    return int(raw)


def page_number(request: Request) -> int:
    """The 1-based ``?page=`` (1 when absent); 422 for anything but a whole number."""
    return _whole(request, "page", 1, MAX_PAGE)


def paging(request: Request) -> Page:
    """``?page=`` (from 1) and ``?per_page=`` (default 20, at most 100) of every paged list."""
    return Page(page_number(request), _whole(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE))


def flag(request: Request, name: str) -> bool:
    """A yes/no query parameter (``true``/``false``, ``1``/``0``, ``yes``/``no``); absent
    is no; anything else 422 rather than silently no."""
    raw = (request.args.get(name) or "false").lower()
    if raw not in ("1", "true", "yes", "0", "false", "no"):
        raise InvalidInput(f"'{name}' must be true or false.", details={"field": name})
    return raw in ("1", "true", "yes")


class RowId(Integer):
    """A path's row id (route type ``<x:id>``): called by the router, ValueError makes it
    answer 404; and, being a schema, documented in OpenAPI as an integer (a plain function
    would show up there as an object)."""

    def __init__(self) -> None:
        super().__init__(minimum=1)  # type: ignore[no-untyped-call]
        self._fields["format"] = "int64"
        self.__name__ = "row_id"  # the router names a route type's cast

    def __call__(self, text: str) -> int:
        value = int(text)
        if not 0 < value < 2**63:
            raise ValueError(text)
        return value


row_id = RowId()
