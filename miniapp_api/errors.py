"""The one table from error classes to HTTP statuses, and the handler that applies it."""

from __future__ import annotations

import logging
import math
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sanic import Request, exceptions
from sanic.response import HTTPResponse, json
from tortoise.exceptions import DBConnectionError

from core import errors as domain
from core.messages import Language, render
from integrations import errors as upstream

log = logging.getLogger("citysvc.api")

# the one table from error classes to statuses lives with the error trees, so the console's
# pages answer the same statuses as the API
STATUS = upstream.STATUS

# Sanic's own exceptions, by our code; their messages come from ``core.messages`` too.
SANIC_CODES: dict[type[exceptions.SanicException], str] = {
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.PayloadTooLarge: "payload_too_large",
    exceptions.BadRequest: "malformed_request",
    exceptions.RequestTimeout: "request_timeout",
}
FALLBACK_CODE = "bad_request"
INTERNAL_CODE = "internal_error"
# What an upstream platform said never reaches a caller, even inside details.
_UPSTREAM_KEYS = frozenset({"errmsg", "errcode", "sub_msg", "sub_code", "rid", "msg"})


def described() -> str:
    """The error shape and the status table, for the OpenAPI document's description: built
    from ``STATUS`` itself, so the document cannot drift from what the server answers."""
    by_status: dict[int, list[str]] = {}
    for cls, status in STATUS:
        by_status.setdefault(status, []).append(f"`{cls.code}`")  # type: ignore[attr-defined]
    rows = "\n".join(
        f"| {status} | {', '.join(codes)} |" for status, codes in sorted(by_status.items())
    )
    return (
        'Every error answers `{"error": {"code", "message", "details"}}`. The status says the '
        "kind of error; `code` is stable and often more specific than the defaults below (each "
        "route's description names its own, e.g. 409 `invalid_transition`, 422 "
        "`missing_material`). 429 and 503 carry `Retry-After`. No request makes the server "
        "answer 500.\n\n| status | default codes |\n| --- | --- |\n" + rows
    )


def language(request: Request | None) -> Language:
    """English when the most preferred tag of ``Accept-Language`` is ``en`` or ``en-*``
    (q-values honoured, ties in the order written); Simplified Chinese otherwise."""
    header = request.headers.get("accept-language", "") if request is not None else ""
    best, best_q = "", 0.0
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > best_q:
            best, best_q = tag.strip().lower(), q
    return "en" if best.split("-")[0] == "en" else "zh"


def error_body(
    code: str, language: Language = "zh", details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The contract's error object; its message from the one table, by code."""
    shown = {k: v for k, v in (details or {}).items() if k not in _UPSTREAM_KEYS}
    return {"error": {"code": code, "message": render(code, language, shown), "details": shown}}


def error_response(
    request: Request | None,
    code: str,
    status: int,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HTTPResponse:
    """An error answer in the caller's language (``Vary: Accept-Language``)."""
    body = error_body(code, language(request), details)
    return json(body, status=status, headers={"Vary": "Accept-Language", **(headers or {})})


def _retry_after(exc: Exception) -> dict[str, str]:
    seconds = getattr(exc, "retry_after", None)
    return {"Retry-After": str(max(1, math.ceil(seconds)))} if seconds is not None else {}


def _status(exc: Exception) -> int | None:
    return upstream.http_status(exc)


def _ours(
    request: Request, exc: domain.DomainError | upstream.IntegrationError, status: int
) -> HTTPResponse:
    details: dict[str, Any] = exc.details
    if isinstance(exc, upstream.IntegrationError):
        # never echo a vendor's raw message to citizens; keep it in the log
        log.warning("upstream %s failed: %s (%s)", exc.platform, exc.message, exc.platform_code)
        details = {}
    return error_response(request, exc.code, status, details, _retry_after(exc))


def _sanic(request: Request, exc: exceptions.SanicException) -> HTTPResponse:
    for cls, code in SANIC_CODES.items():
        if isinstance(exc, cls):
            return error_response(request, code, exc.status_code)
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return error_response(request, FALLBACK_CODE, status)


def _database_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is the database being away: restarting, failing
    over, or its connections cut. That is a 503 to retry, not a fault of ours."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, _OUTAGES):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


_OUTAGES: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InterfaceError,
    DBConnectionError,
    ConnectionError,
)


def _database_unavailable() -> domain.Unavailable:
    message = "服务正在恢复，请稍后再试。"
    return domain.Unavailable(message, code="database_unavailable", retry_after=2)


async def handle(request: Request, exc: Exception) -> HTTPResponse:
    """Every exception becomes the contract's error shape."""
    if _database_outage(exc):
        log.warning("database unavailable on %s %s: %r", request.method, request.path, exc)
        exc = _database_unavailable()
    status = _status(exc)
    if status is not None and isinstance(exc, domain.DomainError | upstream.IntegrationError):
        return _ours(request, exc, status)
    if isinstance(exc, exceptions.SanicException) and exc.status_code < 500:
        return _sanic(request, exc)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(request, INTERNAL_CODE, 500)
