"""What the mini-program asks consent for, and the citizen's answers to those requests."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.errors import Conflict, InvalidInput
from core.identity.models import PlatformAccount
from miniapp_api import schemas as s
from miniapp_api.body import parsed
from miniapp_api.context import app_context, current_citizen, services
from miniapp_api.docs import documented
from notifications.consents import counts, read_answers, record_answers
from notifications.templates import PLATFORMS, Registry

bp = Blueprint("notifications", url_prefix="/api/v1")


def registry(request: Request) -> Registry:
    """The templates loaded (and validated) when the app was made."""
    return app_context(request).notify_registry


def _platform(value: object) -> str:
    if value not in PLATFORMS:
        raise InvalidInput(
            "'platform' must be 'wechat' or 'alipay'.", details={"field": "platform"}
        )
    return str(value)


@bp.get("/notification-templates")
@openapi.parameter("platform", str, "query", description="`wechat` or `alipay`")
@openapi.summary("Templates to ask consent for: [{event, template_id, long_term, platform}]")
@openapi.description(
    "`?platform=wechat` or `alipay` lists that mini-program's templates; without it, both "
    "platforms' are listed, each entry naming its `platform`."
)
@documented("public", answers={200: [s.Template]})
async def templates(request: Request) -> HTTPResponse:
    asked = request.args.get("platform")
    platforms = PLATFORMS if asked is None else (_platform(asked),)
    known = registry(request)
    return json(
        [
            {
                "event": t.event,
                "template_id": t.template_id,
                "long_term": t.long_term,
                "platform": t.platform,
            }
            for platform in platforms
            for t in known.for_platform(platform)
        ]
    )


@bp.post("/consents")
@openapi.body({"application/json": {"platform": str, "accepted": [str], "rejected": [str]}})
@openapi.summary("Record one consent tap {platform, accepted, rejected}; the citizen's counts")
@openapi.description(
    "`accepted` and `rejected` list template ids as wx.requestSubscribeMessage / "
    "my.requestSubscribeMessage answered them (at most 5 ids on WeChat, 3 on Alipay; one-time "
    "and long-term templates not mixed). Each one-time accept is one credit: exactly one later "
    "message. The answer is `{platform, consents: [{template_id, events, long_term_template, "
    "long_term, credits, reserved, rejections}]}`, `credits` counting those not yet held by a "
    "queued message. 409 `no_platform_account` when the citizen has no account on the platform."
)
@documented(
    "citizen",
    body=s.ConsentTap,
    answers={200: s.Consents},
    errors={
        409: ("no_platform_account",),
        422: ("unknown_template", "conflicting", "too_many_templates", "mixed"),
    },
)
async def consent(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    _, body = parsed(
        request,
        s.ConsentTap,
        codes={(name,): "invalid_value" for name in ("platform", "accepted", "rejected")},
    )
    platform = _platform(body.get("platform"))
    known = registry(request)
    accepted, rejected = read_answers(body, platform, known)
    if not await PlatformAccount.exists(citizen_id=citizen.id, platform=platform):
        raise Conflict(
            f"This citizen has no {platform} account to receive messages on.",
            code="no_platform_account",
        )
    now = services(request).clock.now()
    await record_answers(str(citizen.id), platform, accepted, rejected, known, now)
    return json(await counts(str(citizen.id), platform, known))
