"""The OpenAPI document and its browsable page, built from the handlers' typed models.

Sanic-ext lists the routes with their summaries and path parameters; each handler adds its
request and answer models (``miniapp_api.schemas``), who may call it and the error codes it
can answer with ``@documented(...)``. ``openapi_document`` merges the two: request bodies and
answers as component schemas with examples, a Bearer scheme per operation, and each error
status of an operation with its codes as an ``enum`` on ``error.code``.
``/docs`` is a small page shipped in this package (``static/docs.html``): no CDN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, html, json
from sanic_ext.extensions.openapi.builders import SpecificationBuilder

from core.messages import MESSAGES
from miniapp_api import schemas

Auth = Literal["citizen", "staff", "public"]
F = TypeVar("F", bound=Callable[..., Any])
_REF = "#/components/schemas/{model}"

# What every operation of a kind can answer besides its own codes.
_AUTH_ERRORS: dict[Auth, dict[int, tuple[str, ...]]] = {
    "citizen": {
        401: ("not_authenticated", "invalid_token", "session_expired", "wrong_token_kind"),
    },
    "staff": {
        401: (
            "not_authenticated",
            "invalid_token",
            "session_expired",
            "session_idle",
            "wrong_token_kind",
        ),
        403: ("forbidden", "role_not_allowed"),
    },
    "public": {},
}
_BODY_ERRORS = {400: ("malformed_request",), 422: ("missing_field", "invalid_value")}
_ALWAYS = {429: ("rate_limited",), 503: ("unavailable",)}
_SECURITY = {
    "citizen": "Citizen session token from POST /api/v1/auth/wechat or /api/v1/auth/alipay.",
    "staff": "Staff session token from POST /api/v1/staff/login.",
}


@dataclass(frozen=True)
class Doc:
    """What one handler documents about itself."""

    auth: Auth
    body: type[BaseModel] | None = None
    media: str = "application/json"
    answers: Mapping[int, type[BaseModel] | list[type[BaseModel]] | str | None] = field(
        default_factory=dict
    )
    errors: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


def documented(
    auth: Auth,
    *,
    body: type[BaseModel] | None = None,
    media: str = "application/json",
    answers: Mapping[int, type[BaseModel] | list[type[BaseModel]] | str | None] | None = None,
    errors: Mapping[int, tuple[str, ...]] | None = None,
) -> Callable[[F], F]:
    """Name a handler's request model, its answers by status (a model, ``[model]`` for a
    plain array, a media type for a file, None for no body) and its own error codes."""

    def mark(handler: F) -> F:
        handler.__citysvc_doc__ = Doc(auth, body, media, answers or {200: None}, errors or {})  # type: ignore[attr-defined]
        return handler

    return mark


def doc_of(handler: Callable[..., Any]) -> Doc | None:
    found = getattr(handler, "__citysvc_doc__", None)
    return found if isinstance(found, Doc) else None


def openapi_path(route_path: str) -> str:
    return "/" + re.sub(r"<([a-zA-Z_][a-zA-Z0-9_]*)(:[^>]*)?>", r"{\1}", route_path)


def _schemas(models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=_REF, by_alias=True)
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def _content(model: type[BaseModel] | list[type[BaseModel]] | str) -> dict[str, Any]:
    if isinstance(model, str):
        return {model: {"schema": {"type": "string", "format": "binary"}}}
    if isinstance(model, list):
        ref = {"$ref": _REF.format(model=model[0].__name__)}
        return {"application/json": {"schema": {"type": "array", "items": ref}}}
    return {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}}


def error_codes(doc: Doc) -> dict[int, list[str]]:
    """Every code the operation may answer, by status."""
    merged: dict[int, set[str]] = {}
    groups: list[Mapping[int, tuple[str, ...]]] = [_AUTH_ERRORS[doc.auth], _ALWAYS, doc.errors]
    if doc.body is not None and doc.media == "application/json":
        groups.append(_BODY_ERRORS)
    for group in groups:
        for status, codes in group.items():
            merged.setdefault(status, set()).update(codes)
    return {status: sorted(codes) for status, codes in sorted(merged.items())}


def _error_response(codes: list[str]) -> dict[str, Any]:
    first = codes[0]
    return {
        "description": ", ".join(f"`{c}`" for c in codes),
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": _REF.format(model="ErrorAnswer")},
                        {
                            "type": "object",
                            "properties": {
                                "error": {
                                    "type": "object",
                                    "properties": {"code": {"type": "string", "enum": codes}},
                                }
                            },
                        },
                    ]
                },
                "example": {"error": {"code": first, "message": MESSAGES[first][0], "details": {}}},
            }
        },
    }


def _operation(op: dict[str, Any], doc: Doc) -> set[type[BaseModel]]:
    models: set[type[BaseModel]] = {schemas.ErrorAnswer}
    op["security"] = [] if doc.auth == "public" else [{doc.auth: []}]
    if doc.body is not None:
        models.add(doc.body)
        content = _content(doc.body)["application/json"]
        if doc.media != "application/json":
            content = {"schema": doc.body.model_json_schema(ref_template=_REF)}
        op["requestBody"] = {"required": True, "content": {doc.media: content}}
    responses: dict[str, Any] = {}
    for status, answer in doc.answers.items():
        entry: dict[str, Any] = {"description": "OK" if status < 300 else "answer"}
        if answer is not None:
            entry["content"] = _content(answer)
            if isinstance(answer, list):
                models.add(answer[0])
            elif not isinstance(answer, str):
                models.add(answer)
        else:
            entry["description"] = "No content"
        responses[str(status)] = entry
    for status, codes in error_codes(doc).items():
        responses[str(status)] = _error_response(codes)
    op["responses"] = responses
    return models


def openapi_document(app: Sanic[Any, Any]) -> dict[str, Any]:
    """The whole document: sanic-ext's paths completed with each handler's ``Doc``."""
    document: dict[str, Any] = SpecificationBuilder().build(app).serialize()  # type: ignore[no-untyped-call]
    document["openapi"] = "3.1.0"  # JSON Schema 2020-12, as pydantic writes it
    models: set[type[BaseModel]] = set()
    for route in app.router.routes:
        doc = doc_of(route.handler)
        path = document.get("paths", {}).get(openapi_path(route.path))
        if doc is None or path is None:
            continue
        for method in route.methods:
            op = path.get(method.lower())
            if op is not None:
                models |= _operation(op, doc)
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(_schemas(sorted(models, key=lambda m: m.__name__)))
    components["securitySchemes"] = {
        name: {"type": "http", "scheme": "bearer", "description": text}
        for name, text in _SECURITY.items()
    }
    return document


def blueprint() -> Blueprint:
    bp = Blueprint("docs", url_prefix="/docs")
    page = resources.files("miniapp_api").joinpath("static/docs.html").read_text("utf-8")

    @bp.get("/openapi.json")
    @documented("public", answers={200: "application/json"})
    async def spec(request: Request) -> HTTPResponse:
        ctx = request.app.ctx
        if ctx.openapi_document is None:
            ctx.openapi_document = openapi_document(request.app)
        return json(ctx.openapi_document)

    @bp.get("")
    @documented("public", answers={200: "text/html"})
    async def index(request: Request) -> HTTPResponse:
        return html(page)

    return bp
