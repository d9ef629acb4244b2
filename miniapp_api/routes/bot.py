"""The Official Account's server URL: ``GET /bot/wechat`` check, ``POST /bot/wechat`` pushes.

A push whose signature (``msg_signature`` in safe mode) does not verify, whose timestamp
is more than five minutes off, whose timestamp and nonce were already used, or that comes
in plain mode while WECHAT_OA_AES_KEY is set, is refused with 401 ``signature_invalid`` and
nothing of it is processed. 503 ``bot_not_configured`` when WECHAT_OA_APPID /
WECHAT_OA_TOKEN are unset.
"""

from __future__ import annotations

from typing import Any, cast

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, text
from sanic_ext import openapi

from bot.official_account import OfficialAccountBot
from core.errors import Unavailable
from miniapp_api.context import AppContext
from miniapp_api.docs import documented

bp = Blueprint("bot", url_prefix="/bot")


def bot_for_app(app: Sanic[Any, Any]) -> OfficialAccountBot:
    """The app's bot, built at server start (``miniapp_api.app``); tests reach it here."""
    bot = cast(AppContext, app.ctx).bot
    if bot is None:
        raise Unavailable(
            "The Official Account is not configured on this server.", code="bot_not_configured"
        )
    return bot


def _query(request: Request) -> dict[str, str]:
    return {name: request.args.get(name, "") for name in request.args}


@bp.get("/wechat")
@openapi.parameter("signature", str, "query")
@openapi.parameter("timestamp", str, "query")
@openapi.parameter("nonce", str, "query")
@openapi.parameter("echostr", str, "query")
@openapi.parameter("encrypt_type", str, "query")
@openapi.parameter("msg_signature", str, "query")
@openapi.parameter("openid", str, "query")
@openapi.summary("Official Account server URL check: echoes echostr when signed")
@openapi.description("401 `signature_invalid` when the signature does not verify.")
@documented(
    "public",
    answers={200: "text/plain"},
    errors={401: ("signature_invalid",), 503: ("bot_not_configured",)},
)
async def verify(request: Request) -> HTTPResponse:
    bot = bot_for_app(request.app)
    return text(bot.verify_url(_query(request)))


@bp.post("/wechat")
@openapi.body({"text/xml": str})
@openapi.parameter("signature", str, "query")
@openapi.parameter("timestamp", str, "query")
@openapi.parameter("nonce", str, "query")
@openapi.parameter("echostr", str, "query")
@openapi.parameter("encrypt_type", str, "query")
@openapi.parameter("msg_signature", str, "query")
@openapi.parameter("openid", str, "query")
@openapi.summary("Official Account message push (plain or safe mode), answered within 5 s")
@openapi.description(
    "Answers the passive reply XML (encrypted in safe mode), or `success` when there is "
    "nothing to say, when the message was already handled, or when the answer takes longer "
    "than WeChat waits (it then follows through the customer-service message API, or is "
    "recorded when the Official Account's secret is not configured). 401 "
    "`signature_invalid` for a bad `signature` / `msg_signature`, a stale timestamp, a "
    "timestamp and nonce already used, or a plain push while safe mode is configured."
)
@documented(
    "public",
    answers={200: "application/xml"},
    errors={401: ("signature_invalid",), 503: ("bot_not_configured",)},
)
async def push(request: Request) -> HTTPResponse:
    bot = bot_for_app(request.app)
    body, content_type = await bot.handle(_query(request), request.body)
    return text(body, content_type=content_type)
