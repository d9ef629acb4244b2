"""The console's cookie session and its CSRF tokens.

The cookie holds a staff session token of ``core.auth.sessions`` (the same rows as the staff
API: idle timeout, revocation on sign-out, expiry). It is ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's page sends it) and ``Secure`` when the server is
reached over https, and scoped to ``/console``.

Every form carries a CSRF token: an HMAC of the session id under a key derived from
``SECRET_KEY``, so it needs no storage and dies with the session. The sign-in form, posted
before any session exists, carries the HMAC of a random value held in a second cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sanic import Request
from sanic.response import HTTPResponse

from console.context import services

COOKIE = "citysvc_console"
LOGIN_COOKIE = "citysvc_console_login"
PATH = "/console"
FIELD = "csrf"


def _key(request: Request) -> bytes:
    secret = services(request).settings.secret_key.encode()
    return hashlib.sha256(b"citysvc console csrf\0" + secret).digest()


def csrf_for(request: Request, value: str) -> str:
    return hmac.new(_key(request), value.encode(), hashlib.sha256).hexdigest()


def form_value(request: Request, name: str) -> str:
    """A form field as text ('' when absent)."""
    form = request.form
    value = form.get(name) if form else None
    return value if isinstance(value, str) else ""


def csrf_ok(request: Request, value: str) -> bool:
    """Whether the posted form carries the token of ``value`` (a session id or login nonce)."""
    posted = form_value(request, FIELD)
    return bool(posted) and hmac.compare_digest(posted, csrf_for(request, value))


def token(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def _secure(request: Request) -> bool:
    return services(request).settings.public_base_url.startswith("https://")


def set_cookie(request: Request, response: HTTPResponse, name: str, value: str) -> None:
    response.add_cookie(
        name,
        value,
        path=PATH,
        httponly=True,
        samesite="Strict",
        secure=_secure(request),
    )


def clear_cookie(request: Request, response: HTTPResponse, name: str) -> None:
    response.delete_cookie(name, path=PATH)


def login_nonce(request: Request) -> tuple[str, bool]:
    """The sign-in form's random value and whether it is new (to be set as a cookie)."""
    held = request.cookies.get(LOGIN_COOKIE)
    if held and len(held) == 32 and held.isalnum():
        return held, False
    return secrets.token_hex(16), True
