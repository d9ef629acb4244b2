"""The staff campaign API (role publicity; admin too): create, approve, pause, resume,
cancel, preview, test-send, and the figures."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.campaigns import rules, service
from core.campaigns.models import Campaign
from core.campaigns.testers import MAX_TEST_RECIPIENTS
from core.errors import InvalidInput
from core.paging import fetch_page, paged
from core.topics.catalog import BY_KEY
from miniapp_api import schemas as s
from miniapp_api.body import paging, parsed
from miniapp_api.context import app_context, current_staff, services
from miniapp_api.docs import documented
from notifications.campaigns.delivery import OutboxCampaignDelivery, send_test_messages
from notifications.worker_jobs import app_ids

bp = Blueprint("campaigns", url_prefix="/api/v1/staff/campaigns")

WARNINGS = (
    "The answer's `warnings` lists each template value that the platforms' field rules "
    'change: `{code: "shortened", platform, key, fields, value, sent_as}` where `fields` '
    "names the campaign texts in it (`title`, `summary`), `value` is the text as written and "
    "`sent_as` what citizens receive (a WeChat `thing` field holds 20 characters and is cut "
    "with `…`, an Alipay keyword 50); `[]` when everything is sent as written."
)


def _delivery(request: Request) -> OutboxCampaignDelivery:
    return app_context(request).campaign_delivery


def _view(request: Request, campaign: Campaign) -> dict[str, Any]:
    body: dict[str, Any] = service.view(campaign)
    body["warnings"] = service.warnings(campaign, _delivery(request))
    return body


async def _shown(request: Request, campaign: Campaign, status: int = 200) -> HTTPResponse:
    body = _view(request, campaign)
    body["figures"] = await service.figures(campaign.id, _delivery(request))
    return json(body, status=status)


@bp.post("")
@openapi.body(
    {
        "application/json": {
            "name": str,
            "topic": str,
            "title": str,
            "summary": str,
            "page": str,
            "send_at": str,
            "quiet_hours": {"start": str, "end": str},
            "rate_per_second": int,
            "audience": {"realname_only": bool, "towns": [str]},
            "recurrence": str,
        }
    }
)
@openapi.summary("Create a campaign (draft): topic, title, summary, page, send_at, ...")
@openapi.description(
    "Body: `{name, topic, title, summary, page, send_at, quiet_hours: {start, end}, "
    "rate_per_second, audience: {realname_only, towns}, recurrence}`; `recurrence` (optional, "
    "`MM-DD`) makes a yearly campaign that leaves next year's draft when it completes. "
    "201 with the draft. A title or summary longer than its template field allows is "
    "accepted and sent fitted, as case messages are; "
    + WARNINGS
    + " 422 `invalid_value` for a missing, empty or non-text title or summary (or one over "
    "64 / 200 characters, the stored length), `does_not_fit` (with `details.problems`) only "
    "when a value cannot be fitted to its field at all."
)
@documented(
    "staff",
    body=s.CampaignRequest,
    answers={201: s.Campaign},
    errors={
        422: (
            "unknown_topic",
            "unknown_town",
            "invalid_send_at",
            "invalid_quiet_hours",
            "does_not_fit",
        )
    },
)
async def create(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    svc = services(request)
    _, body = parsed(
        request,
        s.CampaignRequest,
        codes={
            **{(name,): "invalid_value" for name in ("name", "topic", "title", "summary")},
            ("send_at",): "invalid_send_at",
            ("quiet_hours",): ("invalid_quiet_hours",),
            ("rate_per_second",): "invalid_value",
            ("audience",): InvalidInput(
                "'audience' is {realname_only, towns}.", details={"field": "audience"}
            ),
        },
    )
    campaign = await service.create(
        body,
        member,
        _delivery(request),
        svc.clock.now(),
        svc.settings.campaigns.towns,
    )
    return await _shown(request, campaign, 201)


@bp.get("")
@openapi.summary("Every campaign, newest first (paged)")
@documented("staff", answers={200: s.CampaignPage})
async def index(request: Request) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    campaigns, total = await fetch_page(Campaign.all(), paging(request), "-id")
    return json(paged([_view(request, c) for c in campaigns], total))


@bp.get("/<campaign_id:id>")
@openapi.summary("One campaign with its status, figures and warnings")
@openapi.description(
    "`figures`: `targeted` (subscribers the audience matches, fixed when the campaign "
    "starts: at `send_at` or at approval when that is past, even inside its quiet hours, "
    "where it then waits to queue anything until the window ends), `sent`, `no_consent`, "
    "`failed`, `remaining` (not yet tried). " + WARNINGS
)
@documented("staff", answers={200: s.Campaign}, errors={404: ("campaign_not_found", "not_found")})
async def show(request: Request, campaign_id: int) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    return await _shown(request, await service.load(campaign_id))


@bp.post("/<campaign_id:id>/approve")
@openapi.summary("Approve (a second publicity or admin user): scheduled; 403 self_approval")
@documented(
    "staff",
    answers={200: s.Campaign},
    errors={
        403: ("self_approval",),
        404: ("campaign_not_found", "not_found"),
        409: ("invalid_transition",),
    },
)
async def approve(request: Request, campaign_id: int) -> HTTPResponse:
    member = await current_staff(request)
    now = services(request).clock.now()
    return await _shown(request, await service.approve(campaign_id, member, now))


async def _act(request: Request, campaign_id: int, action: str) -> HTTPResponse:
    member = await current_staff(request)
    now = services(request).clock.now()
    campaign = await service.act(campaign_id, action, member, _delivery(request), now)
    return await _shown(request, campaign)


@bp.post("/<campaign_id:id>/pause")
@openapi.summary("Pause: queued messages are held back")
@openapi.description(
    "Allowed while the campaign is scheduled or running; it runs until its last message has "
    "been tried, so a campaign still sending can be paused. No queued send starts later than "
    "a second after the answer (a request already under way may land); `resume` goes on at "
    "the campaign's own rate, `cancel` withdraws what remains (`figures.remaining`)."
)
@documented(
    "staff",
    answers={200: s.Campaign},
    errors={404: ("campaign_not_found", "not_found"), 409: ("invalid_transition",)},
)
async def pause(request: Request, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "pause")


@bp.post("/<campaign_id:id>/resume")
@openapi.summary("Resume: scheduled, or running when it had started")
@documented(
    "staff",
    answers={200: s.Campaign},
    errors={404: ("campaign_not_found", "not_found"), 409: ("invalid_transition",)},
)
async def resume(request: Request, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "resume")


@bp.post("/<campaign_id:id>/cancel")
@openapi.summary("Cancel: queued messages are withdrawn and their consents kept")
@documented(
    "staff",
    answers={200: s.Campaign},
    errors={404: ("campaign_not_found", "not_found"), 409: ("invalid_transition",)},
)
async def cancel(request: Request, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "cancel")


@bp.post("/<campaign_id:id>/preview")
@openapi.summary("The exact message per platform, as it will be sent (title and summary fitted)")
@openapi.description(
    "Per platform the template id, page and data exactly as the platform will receive them: "
    "values fitted to their fields as case messages are (a WeChat `thing` field cut to 20 "
    "characters ending in `…`, an Alipay keyword to 50). The campaign's `warnings` list each "
    "value that was shortened."
)
@documented(
    "staff",
    answers={200: s.Preview},
    errors={404: ("campaign_not_found", "not_found"), 422: ("does_not_fit",)},
)
async def preview(request: Request, campaign_id: int) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    campaign = await service.load(campaign_id)
    event = BY_KEY[campaign.topic].event
    return json(_delivery(request).preview(event, service.message_context(campaign)))


@bp.post("/<campaign_id:id>/test-send")
@openapi.body({"application/json": {"staff": [str], "citizen_ids": [str]}})
@openapi.summary("Send the message now to named staff {staff: [username]} at their own accounts")
@openapi.description(
    f'Body `{{"staff": [username, ...]}}` (1 to {MAX_TEST_RECIPIENTS}): the message, '
    "exactly as the campaign will send it, goes now to those staff members' own citizen "
    "accounts, linked by an administrator (`citysvc staff add --citizen`, `citysvc staff "
    "link USERNAME CITIZEN_ID`), whatever the campaign's state. An unknown username, an "
    "inactive staff member or one with no linked account answers 422 "
    "`not_a_test_recipient` with `details.usernames` and `details.reasons` (`unknown_staff`, "
    "`inactive`, `no_linked_account`, `linked_account_closed`), and nothing is sent. The "
    'older `{"citizen_ids": [...]}` is accepted only when every id is the linked account '
    "of an active staff member (else the same 422, `details.citizen_ids`). Answer: "
    "`{messages: [{username, citizen_id, channel, status}]}`, status `queued` or "
    "`no_consent`."
)
@documented(
    "staff",
    body=s.TestSend,
    answers={200: s.TestSent},
    errors={
        404: ("campaign_not_found", "not_found"),
        422: ("not_a_test_recipient", "does_not_fit"),
    },
)
async def send_test(request: Request, campaign_id: int) -> HTTPResponse:
    member = await current_staff(request)
    svc = services(request)
    return json(
        await send_test_messages(
            _delivery(request),
            member.role,
            campaign_id,
            parsed(request, s.TestSend)[1],
            app_ids(svc.platforms),
            svc.clock.now(),
        )
    )
