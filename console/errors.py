"""Errors on console pages: an HTML page in Chinese with the API's status for the error
(``integrations.errors.STATUS``, the one table), or the sign-in form when the session ended.
A case another department owns is the same 404 page as one that does not exist."""

from __future__ import annotations

import logging
from urllib.parse import quote

from sanic import Request, exceptions
from sanic.response import HTTPResponse, redirect

from console.render import page
from core.errors import DomainError, NotAuthenticated
from core.messages import render
from integrations.errors import http_status

log = logging.getLogger("citysvc.console")
TITLES = {
    403: "无权访问",
    404: "没有找到",
    405: "无法处理",
    409: "状态已变化",
    422: "填写有误",
    429: "操作太频繁",
    503: "服务暂不可用",
}
SANIC_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def to_sign_in(request: Request, code: str) -> HTTPResponse:
    """Back to the sign-in form, saying why (a fixed code, never reflected text)."""
    back = request.path if request.method == "GET" else "/console/"
    return redirect(f"/console/login?why={quote(code)}&next={quote(back)}")


def is_console(request: Request) -> bool:
    return request.path == "/console" or request.path.startswith("/console/")


async def handle(request: Request, exc: Exception) -> HTTPResponse:
    if isinstance(exc, NotAuthenticated):
        return to_sign_in(request, exc.code)
    status = http_status(exc)
    if isinstance(exc, DomainError) and status is not None:
        code, details = exc.code, exc.details
    elif isinstance(exc, exceptions.SanicException) and exc.status_code < 500:
        status = exc.status_code
        code, details = SANIC_CODES.get(status, "bad_request"), {}
    else:
        log.exception("unexpected error on %s %s", request.method, request.path)
        status, code, details = 500, "internal_error", {}
    message = render(code, "zh", details)
    title = TITLES.get(status, "出错了")
    return page(request, "error.html", status=status, title=title, message=message, code=code)
