"""Citizen login with a WeChat or Alipay mini-program code, and logout."""

from __future__ import annotations

from collections.abc import Callable

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json
from sanic_ext import openapi

from core.errors import Unavailable
from core.identity.accounts import citizen_for_login
from core.ratelimit import enforce, login_per_ip
from miniapp_api import schemas as s
from miniapp_api.body import parsed
from miniapp_api.context import authenticated, services
from miniapp_api.docs import documented

bp = Blueprint("auth", url_prefix="/api/v1/auth")


async def _login(request: Request, platform: str, read_code: Callable[[], str]) -> HTTPResponse:
    svc = services(request)
    # Before anything else, so that bad bodies and bad codes count against the address too.
    limit = login_per_ip(svc.settings.login_limit_per_ip)
    await enforce(svc.platforms.state, limit, request.remote_addr or request.ip)
    code = read_code()
    login = svc.platforms.logins().get(platform)
    if login is None:
        raise Unavailable(
            f"{platform} login is not configured on this server.", code="platform_not_configured"
        )
    port, app_id = login
    identity = await port.login(code)
    citizen = await citizen_for_login(identity, app_id, svc.clock.now())
    token = await svc.sessions.issue("citizen", citizen.id, platform)
    return json(
        {
            "token": token,
            "citizen": {"id": citizen.id, "realname_verified": citizen.realname_verified},
        }
    )


@bp.post("/wechat")
@openapi.summary("Log in with the code from wx.login")
@openapi.body({"application/json": {"code": str}})
@documented(
    "public",
    body=s.WeChatLogin,
    answers={200: s.LoginAnswer},
    errors={
        401: ("invalid_login_code",),
        403: ("login_refused",),
        502: ("upstream_rejected",),
        503: ("platform_not_configured", "upstream_unavailable"),
    },
)
async def wechat(request: Request) -> HTTPResponse:
    return await _login(request, "wechat", lambda: parsed(request, s.WeChatLogin)[0].code)


@bp.post("/alipay")
@openapi.summary("Log in with the auth code from my.getAuthCode")
@openapi.body({"application/json": {"auth_code": str}})
@documented(
    "public",
    body=s.AlipayLogin,
    answers={200: s.LoginAnswer},
    errors={
        401: ("invalid_login_code",),
        502: ("upstream_rejected", "upstream_signature_invalid"),
        503: ("platform_not_configured", "upstream_unavailable"),
    },
)
async def alipay(request: Request) -> HTTPResponse:
    return await _login(request, "alipay", lambda: parsed(request, s.AlipayLogin)[0].auth_code)


@bp.post("/logout")
@openapi.summary("End this session: its token stops working at once")
@documented("citizen", answers={204: None})
async def logout(request: Request) -> HTTPResponse:
    principal = await authenticated(request)
    await services(request).sessions.revoke(principal.session_id)
    return empty()
