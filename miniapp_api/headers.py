"""Security headers on every answer, and files sent back as attachments.

Every answer: ``X-Content-Type-Options: nosniff`` (a browser never runs an uploaded file as
something it is not), ``X-Frame-Options: DENY`` with ``frame-ancestors 'none'`` (nothing of
ours inside someone else's frame), ``Referrer-Policy: no-referrer`` (case numbers in URLs
stay here). API answers also get ``default-src 'none'``: they are data, never a page. The
``/docs`` page loads its script and styles, so it gets only ``frame-ancestors``; a page that
sends its own policy (the demo's simulator) keeps it.
HSTS is sent when ``PUBLIC_BASE_URL`` is https (browsers ignore it over plain HTTP).
"""

from __future__ import annotations

from sanic import Request
from sanic.response import BaseHTTPResponse, HTTPResponse, raw

from core.uploads.models import Upload
from miniapp_api.server import App

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_PAGE_CSP = "frame-ancestors 'none'"
_PAGES = ("/docs",)
_HSTS = "max-age=31536000"
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def install_security_headers(app: App, https: bool) -> None:
    common = dict(_COMMON)
    if https:
        common["Strict-Transport-Security"] = _HSTS

    async def security_headers(request: Request, response: BaseHTTPResponse) -> None:
        headers = response.headers
        for name, value in common.items():
            headers.setdefault(name, value)
        page = request.path.startswith(_PAGES)
        headers.setdefault("Content-Security-Policy", _PAGE_CSP if page else _API_CSP)

    app.register_middleware(security_headers, "response")


def attachment(upload: Upload, content: bytes) -> HTTPResponse:
    """An uploaded file as a download: never shown inline, never cached on the way."""
    name = f"{upload.id}.{_EXTENSIONS.get(upload.content_type, 'bin')}"
    return raw(
        content,
        content_type=upload.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
