"""The staff campaign API (role publicity; admin too): create, approve, pause, resume,
cancel, preview, test-send, and the figures."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.campaigns import rules, service
from core.campaigns.models import Campaign
from core.errors import InvalidInput
from core.topics.catalog import BY_KEY
from miniapp_api.body import json_object
from miniapp_api.context import current_staff, services
from notifications.campaign_delivery import OutboxCampaignDelivery, test_send
from notifications.channels import ChannelChooser
from notifications.templates import Registry
from notifications.worker_jobs import app_ids

bp = Blueprint("campaigns", url_prefix="/api/v1/staff/campaigns")

MAX_TEST_RECIPIENTS = 10


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _delivery(request: Request) -> OutboxCampaignDelivery:
    return OutboxCampaignDelivery(cast(Registry, request.app.ctx.notify_registry))


async def _shown(request: Request, campaign: Campaign, status: int = 200) -> HTTPResponse:
    body: dict[str, Any] = service.view(campaign)
    body["figures"] = await service.figures(campaign.id, _delivery(request))
    return json(body, status=status)


@bp.post("")
@openapi.summary("Create a campaign (draft): topic, title, summary, page, send_at, ...")
@openapi.description(
    "Body: `{name, topic, title, summary, page, send_at, quiet_hours: {start, end}, "
    "rate_per_second, audience: {realname_only, towns}, recurrence}`; `recurrence` (optional, "
    "`MM-DD`) makes a yearly campaign that leaves next year's draft when it completes. 422 "
    "`does_not_fit` when the platforms would cut the title or summary."
)
async def create(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    svc = services(request)
    campaign = await service.create(
        json_object(request),
        member,
        _delivery(request),
        svc.clock.now(),
        svc.settings.campaigns.towns,
    )
    return await _shown(request, campaign, 201)


@bp.get("")
@openapi.summary("Every campaign, newest first")
async def index(request: Request) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    campaigns = await Campaign.all().order_by("-id").limit(200)
    return json([service.view(c) for c in campaigns])


@bp.get("/<campaign_id:id>")
@openapi.summary("One campaign with its status and figures")
async def show(request: Request, campaign_id: int) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    return await _shown(request, await service.load(campaign_id))


@bp.post("/<campaign_id:id>/approve")
@openapi.summary("Approve (a second publicity or admin user): scheduled; 403 self_approval")
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
async def pause(request: Request, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "pause")


@bp.post("/<campaign_id:id>/resume")
@openapi.summary("Resume: scheduled, or running when it had started")
async def resume(request: Request, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "resume")


@bp.post("/<campaign_id:id>/cancel")
@openapi.summary("Cancel: queued messages are withdrawn and their consents kept")
async def cancel(request: Request, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "cancel")


@bp.post("/<campaign_id:id>/preview")
@openapi.summary("The exact message per platform, as it will be sent")
async def preview(request: Request, campaign_id: int) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    campaign = await service.load(campaign_id)
    event = BY_KEY[campaign.topic].event
    return json(_delivery(request).preview(event, service.message_context(campaign)))


@bp.post("/<campaign_id:id>/test-send")
@openapi.summary("Send the message now to named citizens {citizen_ids} (staff's own accounts)")
async def send_test(request: Request, campaign_id: int) -> HTTPResponse:
    rules.check_role((await current_staff(request)).role)
    campaign = await service.load(campaign_id)
    ids = json_object(request).get("citizen_ids")
    if (
        not isinstance(ids, list)
        or not 0 < len(ids) <= MAX_TEST_RECIPIENTS
        or not all(_is_uuid(i) for i in ids)
    ):
        raise InvalidInput(
            f"'citizen_ids' lists 1 to {MAX_TEST_RECIPIENTS} citizen ids.",
            details={"field": "citizen_ids"},
        )
    svc = services(request)
    registry = cast(Registry, request.app.ctx.notify_registry)
    chooser = ChannelChooser(registry, app_ids(svc.platforms))
    context = service.message_context(campaign)
    event = BY_KEY[campaign.topic].event
    sent = await test_send(chooser, event, context, campaign.id, ids, svc.clock.now())
    return json({"messages": sent})
