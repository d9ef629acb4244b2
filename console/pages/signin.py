"""Sign-in, sign-out and the landing redirect.

The form posts to itself; the staff login's whole rule set applies (``core.staff.signin``:
lock-out after five failures, the second factor when ``STAFF_TOTP=required``, a line in the
access log for every outcome, the per-address limit), and a failure is said in plain Chinese.
"""

from __future__ import annotations

from datetime import datetime

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from console import nav, session
from console.context import services
from console.guard import Visitor, page, visitor
from console.render import page as render_page
from core.errors import NotAuthenticated
from core.messages import render
from core.ratelimit import STAFF_LOGIN_PER_IP, enforce
from core.staff.models import StaffMember
from core.staff.signin import Attempt, sign_in

bp = Blueprint("console_signin", url_prefix="/console")
# why the form is shown again: fixed codes only, never text from the address bar
REASONS = ("session_expired", "session_idle", "not_authenticated", "account_closed")


def _next(request: Request) -> str:
    """Where to go after signing in: a console path of ours, never another site."""
    target = session.form_value(request, "next") or request.args.get("next", "")
    ok = target.startswith("/console/") and "//" not in target and "\\" not in target
    return target if ok and not target.startswith("/console/login") else ""


def _form(request: Request, status: int = 200, error: str = "", username: str = "") -> HTTPResponse:
    nonce, fresh = session.login_nonce(request)
    why = request.args.get("why", "")
    notice = render(why, "zh", {}) if why in REASONS else ""
    response = render_page(
        request,
        "login.html",
        status=status,
        csrf=session.csrf_for(request, "login:" + nonce),
        totp=services(request).settings.staff_security.totp == "required",
        error=error,
        notice="您已安全退出。" if request.args.get("bye") else notice,
        username=username,
        next=_next(request),
    )
    if fresh:
        session.set_cookie(request, response, session.LOGIN_COOKIE, nonce)
    return response


@bp.get("/")
async def home(request: Request) -> HTTPResponse:
    try:
        who = await visitor(request)
    except NotAuthenticated:
        return redirect("/console/login")
    return redirect(nav.HOME.get(who.role, "/console/login"))


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    return _form(request)


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    svc = services(request)
    nonce = request.cookies.get(session.LOGIN_COOKIE, "")
    if not nonce or not session.csrf_ok(request, "login:" + nonce):
        return _form(request, 403, render("csrf_failed", "zh", {}))
    address = request.remote_addr or request.ip
    await enforce(svc.platforms.state, STAFF_LOGIN_PER_IP, address)
    username = session.form_value(request, "username").strip()[:64]
    attempt = Attempt(
        username=username,
        password=session.form_value(request, "password")[:256],
        otp=session.form_value(request, "otp").strip() or None,
        address=address,
    )
    required = svc.settings.staff_security.totp == "required"
    try:
        member = await sign_in(attempt, svc.clock, svc.cipher, totp_required=required)
    except NotAuthenticated as exc:
        code = "account_locked" if await _locked(username, svc.clock.now()) else exc.code
        return _form(request, 401, render(code, "zh", exc.details), username)
    token = await svc.sessions.issue("staff", str(member.id))
    response = redirect(_next(request) or nav.HOME.get(member.role, "/console/"))
    session.set_cookie(request, response, session.COOKIE, token)
    session.clear_cookie(request, response, session.LOGIN_COOKIE)
    return response


async def _locked(username: str, now: datetime) -> bool:
    """Whether this failure locked the account: said at once, not at the next attempt."""
    member = await StaffMember.get_or_none(username=username)
    return member is not None and member.locked_until is not None and member.locked_until > now


@bp.post("/logout")
@page()
async def logout(request: Request, who: Visitor) -> HTTPResponse:
    await services(request).sessions.revoke(who.session_id)
    response = redirect("/console/login?bye=1")
    session.clear_cookie(request, response, session.COOKIE)
    return response
