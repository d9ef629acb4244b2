"""Every request is given an id, counted, timed and written to the access log.

``X-Request-ID``: the caller's own when it is a plain token (``[A-Za-z0-9._-]{1,64}``), else a
new one; it is on every answer and on every log line written while the request is served
(``core.logs.REQUEST_ID``). The access log (logger ``citysvc.access``) is one line a request:
method, path and query (masked like every line), status, milliseconds and client address.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from sanic import Request
from sanic.response import BaseHTTPResponse

from core.logs import REQUEST_ID
from core.metrics import HTTP_DURATION, HTTP_REQUESTS
from miniapp_api.server import App

access_log = logging.getLogger("citysvc.access")
_CALLERS_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    return given if _CALLERS_ID.fullmatch(given) else uuid.uuid4().hex


def install(app: App) -> None:
    async def begin(request: Request) -> None:
        request.ctx.started = time.perf_counter()
        request.ctx.request_id = request_id(request)
        # the handler runs in this task: its log lines carry the id
        REQUEST_ID.set(request.ctx.request_id)

    async def end(request: Request, response: BaseHTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is None:  # refused before the request middleware ran: an id all the same
            response.headers["X-Request-ID"] = request_id(request)
            return
        elapsed = time.perf_counter() - started
        response.headers["X-Request-ID"] = request.ctx.request_id
        # the pattern, never the path: one series per route, not one per case number
        route = "/" + request.route.path if request.route else "unmatched"
        labels = (request.method, route, str(response.status))
        HTTP_REQUESTS.labels(*labels).inc()
        HTTP_DURATION.labels(*labels).observe(elapsed)
        query = "?" + request.query_string if request.query_string else ""
        access_log.info(
            "%s %s%s %s %.1fms %s",
            request.method,
            request.path,
            query,
            response.status,
            elapsed * 1000,
            request.remote_addr or request.ip,
        )

    app.register_middleware(begin, "request", priority=1000)
    app.register_middleware(end, "response", priority=-1000)
