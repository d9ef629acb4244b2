"""One campaign's page: its message exactly as sent, approval by a second person, test send to
one's own linked account, pause, resume, cancel, and its figures with a live chart.

The chart is drawn here as SVG from ``core.campaigns.series`` (the worker's samples and the
figures of the moment); ``figures.json`` answers the same drawing for ``live-chart.js``,
which refreshes it every two seconds while the campaign may still send.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, redirect

from console import charts, forms
from console.context import services
from console.guard import Visitor, page
from console.pages.campaigns import ROLES, authors, delivery_of, registry
from console.render import page as render_page
from core.campaigns import series, service
from core.campaigns.models import DRAFT, Campaign
from core.clock import CST
from core.details.calendar import STATUS_NAMES
from core.errors import DomainError, InvalidInput
from core.messages import render
from core.topics.catalog import BY_KEY
from integrations.errors import http_status
from notifications.campaigns.delivery import send_test_messages
from notifications.campaigns.preview import preview_draft
from notifications.worker_jobs import app_ids

bp = Blueprint("console_campaign", url_prefix="/console")
ACTIONS = ("approve", "pause", "resume", "cancel")
LIVE = ("scheduled", "running", "paused")
SERIES = (
    ("sent", "已发送"),
    ("failed", "失败"),
    ("no_consent", "未授权"),
    ("remaining", "待发送"),
)
DONE = {
    "created": "活动已创建。请另一位宣传人员审批后，它才会按时发送。",
    "approve": "已审批通过，活动将在发送时间开始发送（免打扰时段内不发送）。",
    "pause": "已暂停：排队中的消息不再发出。",
    "resume": "已恢复发送。",
    "cancel": "已取消：尚未发出的消息不再发送。",
    "test_sent": "测试消息已发出，请在您本人的微信或支付宝里查看。",
}
NO_CONSENT = "您本人的账号还没有授权接收这个主题的消息，测试消息未发出。请先在小程序里订阅该主题。"


def chart(shown: dict[str, Any]) -> str:
    """The live chart of ``core.campaigns.series.series``'s answer."""
    points = shown["points"]
    return charts.line_chart(
        [int(p["at_ms"]) for p in points],
        [charts.Series(key, label, [p[key] for p in points]) for key, label in SERIES],
        title="发送进度（条）",
    )


def clock_text(at: datetime) -> str:
    """``14:03:07`` in China time."""
    return f"{at.astimezone(CST):%H:%M:%S}"


def _form(campaign: Campaign) -> dict[str, str]:
    """The campaign's texts as the editor holds them (for the exact preview)."""
    return {
        "topic": campaign.topic,
        "title": campaign.title,
        "summary": campaign.summary,
        "page": campaign.page,
        "send_at": campaign.send_at.astimezone(CST).isoformat(),
    }


async def _page(
    request: Request, who: Visitor, campaign: Campaign, status: int = 200, error: str = ""
) -> HTTPResponse:
    svc = services(request)
    delivery = delivery_of(request)
    shown = await series.series(campaign.id, delivery, svc.clock.now())
    names = await authors([campaign])
    return render_page(
        request,
        "campaign.html",
        status=status,
        title=f"宣传活动：{campaign.name}",
        campaign=campaign,
        topic=BY_KEY[campaign.topic].name if campaign.topic in BY_KEY else campaign.topic,
        author=names.get(campaign.author_id, ""),
        approver=names.get(campaign.approver_id or 0, ""),
        own=campaign.author_id == who.member.id,
        status_name=STATUS_NAMES.get(campaign.status, campaign.status),
        preview=preview_draft(registry(request), _form(campaign), svc.clock.now()),
        figures=shown["figures"],
        chart=chart(shown),
        updated_at=clock_text(svc.clock.now()),
        live=campaign.status in LIVE,
        can=_allowed(campaign),
        done=DONE.get(forms.arg(request, "done"), ""),
        error=error,
    )


def _allowed(campaign: Campaign) -> set[str]:
    status = campaign.status
    allowed = {"cancel"} if status in (DRAFT, *LIVE) else set()
    if status == DRAFT:
        allowed.add("approve")
    if status in ("scheduled", "running"):
        allowed.add("pause")
    if status == "paused":
        allowed.add("resume")
    return allowed


@bp.get("/campaigns/<campaign_id:int>")
@page(*ROLES)
async def show(request: Request, who: Visitor, campaign_id: int) -> HTTPResponse:
    return await _page(request, who, await service.load(campaign_id))


@bp.get("/campaigns/<campaign_id:int>/figures.json")
@page(*ROLES)
async def figures(request: Request, who: Visitor, campaign_id: int) -> HTTPResponse:
    """What ``live-chart.js`` puts in place: ``{"status", "status_name", "figures", "svg"}``."""
    delivery = delivery_of(request)
    shown = await series.series(campaign_id, delivery, services(request).clock.now())
    body = {
        "status": shown["status"],
        "status_name": STATUS_NAMES.get(shown["status"], shown["status"]),
        "figures": shown["figures"],
        "svg": chart(shown),
        "updated_at": clock_text(services(request).clock.now()),
    }
    return json(body, headers={"Cache-Control": "private, no-store"})


@bp.post("/campaigns/<campaign_id:int>/<action:str>")
@page(*ROLES)
async def act(request: Request, who: Visitor, campaign_id: int, action: str) -> HTTPResponse:
    svc = services(request)
    now = svc.clock.now()
    try:
        if action == "approve":
            await service.approve(campaign_id, who.member, now)
        elif action in ACTIONS:
            delivery = delivery_of(request)
            await service.act(campaign_id, action, who.member, delivery, now)
        elif action == "test-send":
            return await _test_send(request, who, campaign_id)
        else:
            raise InvalidInput("Unknown action.", code="invalid_action")
    except DomainError as exc:
        campaign = await service.load(campaign_id)
        status = http_status(exc) or 409  # self_approval 403, invalid_transition 409, ...
        return await _page(request, who, campaign, status, render(exc.code, "zh", exc.details))
    return redirect(f"/console/campaigns/{campaign_id}?done={action}")


async def _test_send(request: Request, who: Visitor, campaign_id: int) -> HTTPResponse:
    """The message now to the signed-in member's own linked account, and no one else's."""
    campaign = await service.load(campaign_id)
    svc = services(request)
    body = {"staff": [who.member.username]}
    try:
        answer = await send_test_messages(
            delivery_of(request),
            who.member.role,
            campaign_id,
            body,
            app_ids(svc.platforms),
            svc.clock.now(),
        )
    except DomainError as exc:
        return await _page(request, who, campaign, 422, render(exc.code, "zh", exc.details))
    if any(m["status"] == "no_consent" for m in answer["messages"]):
        return await _page(request, who, campaign, 200, NO_CONSENT)
    return redirect(f"/console/campaigns/{campaign_id}?done=test_sent")
