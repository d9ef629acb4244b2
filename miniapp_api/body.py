"""Reading request bodies: malformed input is a 400, a bad value a 422."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sanic import Request
from sanic_ext.extensions.openapi.types import Integer

from core.errors import DomainError, InvalidInput, Malformed
from core.paging import Page, read_page

M = TypeVar("M", bound=BaseModel)


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


# A part of a body (a path of field names) and what a fault there answers: a code with
# ``details.field``, a code followed by the details it carries (of ``field``, ``index``,
# ``allowed``), or the error itself.
Codes = Mapping[tuple[str, ...], "str | tuple[str, ...] | DomainError"]

# The codes core's filing rules answer for the parts of an application or a bundle.
FILING_CODES: Codes = {
    ("delivery", "address"): ("incomplete_address", "field"),
    ("delivery",): ("invalid_delivery",),
    ("form",): ("invalid_form",),
    ("materials",): ("invalid_materials", "index"),
}
# what filing an application or a bundle can answer 422 with, for their documents
FILING_ERRORS = (
    "invalid_delivery",
    "delivery_not_offered",
    "incomplete_address",
    "invalid_form",
    "invalid_materials",
    "unknown_material",
    "unknown_file",
    "missing_material",
)


def parsed(
    request: Request, model: type[M], *, codes: Codes | None = None, wrong: Codes | None = None
) -> tuple[M, dict[str, Any]]:
    """The JSON object body checked against ``model`` (the request model the OpenAPI document
    shows, so the two cannot drift): the typed model and the checked dict. Not JSON or not an
    object is a 400; the first violation a 422: ``missing_field`` for an absent (or null)
    field, ``invalid_value`` for a wrong type, length or choice, with ``details.field``
    naming it (and ``allowed`` for a choice). A part of the body keeps the code and details
    its rule in ``core`` answers: ``codes`` for any fault under a path, ``wrong`` for a
    present but wrong value (an absent one stays ``missing_field``)."""
    body = json_object(request)
    try:
        return model.model_validate(body, strict=True), body
    except ValidationError as exc:
        raise _refusal(exc.errors()[0], codes or {}, wrong or {}) from None


def _refusal(error: ErrorDetails, codes: Codes, wrong: Codes) -> DomainError:
    loc = error["loc"]  # field names, and the positions (ints) of list entries
    path = tuple(str(part) for part in loc)
    named = [str(part) for part in loc if isinstance(part, str) and part != "[key]"]
    found: dict[str, Any] = {"field": (named or ["body"])[-1]}
    positions = [part for part in loc if isinstance(part, int)]
    if positions:
        found["index"] = positions[0]
    expected = (error.get("ctx") or {}).get("expected")
    if error["type"] == "literal_error" and isinstance(expected, str):
        choices = expected.replace(" or ", ", ").split(", ")
        found["allowed"] = [choice.strip("'") for choice in choices]
    message = f"'{found['field']}': {error['msg']}"
    missing = error["type"] == "missing" or error["input"] is None  # null counts as absent
    for special in (codes, {} if missing else wrong):
        for prefix, answer in special.items():
            if path[: len(prefix)] != prefix:
                continue
            if isinstance(answer, DomainError):
                return answer
            code, *keys = (answer, "field") if isinstance(answer, str) else answer
            details = {key: found[key] for key in keys if key in found}
            return InvalidInput(message, code=code, details=details)
    details = {key: found[key] for key in ("field", "allowed") if key in found}
    if missing:
        return InvalidInput(
            f"'{found['field']}' is required.", code="missing_field", details=details
        )
    return InvalidInput(message, details=details)


def page_number(request: Request) -> int:
    """The 1-based ``?page=`` (1 when absent); 422 for anything but a whole number."""
    return read_page(lambda name: request.args.get(name) if name == "page" else None).number


def paging(request: Request) -> Page:
    """``?page=`` (from 1) and ``?per_page=`` (default 20, at most 100) of every paged list."""
    return read_page(request.args.get)


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
