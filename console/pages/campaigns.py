"""The publicity team's pages: the campaign list with what is coming, the calendar, and the
editor with its live preview (``console/pages/campaign.py`` has one campaign's page).

Everything goes through the services the staff API uses: ``core.campaigns.service`` to
create, ``notifications.campaigns.preview`` for the exact messages a draft sends (fitted by
the topic template's own fitting), ``core.details.calendar`` for the calendar.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, redirect

from console import forms
from console.context import app_state, services
from console.guard import Visitor, page
from console.render import environment
from console.render import page as render_page
from core.campaigns import service
from core.campaigns.models import Campaign
from core.campaigns.rules import PUBLICITY_ROLES
from core.clock import CST
from core.details import calendar
from core.errors import DomainError, InvalidInput
from core.messages import render
from core.paging import fetch_page
from core.staff.models import StaffMember
from core.topics.catalog import TOPICS
from notifications.campaigns.delivery import OutboxCampaignDelivery
from notifications.campaigns.preview import preview_draft
from notifications.templates import Registry

bp = Blueprint("console_campaigns", url_prefix="/console")
ROLES = tuple(sorted(PUBLICITY_ROLES))
DRAFT_FIELDS = ("name", "topic", "title", "summary", "page", "send_at", "recurrence")
UPCOMING_DAYS = 120  # the list's side column: far enough ahead to see 3·15 from December
DEFAULT_HOUR = time(9, 0)  # a campaign planned from the calendar goes out at 9 in the morning


def registry(request: Request) -> Registry:
    return cast(Registry, app_state(request, "notify_registry"))


def delivery_of(request: Request) -> OutboxCampaignDelivery:
    """The server's one campaign delivery (built at its root)."""
    return cast(OutboxCampaignDelivery, app_state(request, "campaign_delivery"))


def _today(request: Request) -> date:
    return services(request).clock.now().astimezone(CST).date()


async def authors(campaigns: list[Campaign]) -> dict[int, str]:
    """Usernames of the campaigns' authors and approvers, by staff id."""
    ids = {c.author_id for c in campaigns} | {c.approver_id for c in campaigns if c.approver_id}
    return dict(await StaffMember.filter(id__in=list(ids)).values_list("id", "username"))


@bp.get("/campaigns")
@page(*ROLES)
async def campaigns(request: Request, who: Visitor) -> HTTPResponse:
    paging = forms.page_of(request)
    found, total = await fetch_page(Campaign.all(), paging, "-id")
    return render_page(
        request,
        "campaigns.html",
        title="宣传活动",
        campaigns=found,
        names=await authors(found),
        total=total,
        topics={t.key: t.name for t in TOPICS},
        status_names=calendar.STATUS_NAMES,
        upcoming=await calendar.upcoming(_today(request), days=UPCOMING_DAYS),
        upcoming_days=UPCOMING_DAYS,
        **forms.pager(paging, total),
        done=_DONE.get(forms.arg(request, "done"), ""),
    )


_DONE = {"cancelled": "活动已取消。"}


def _month(request: Request, today: date) -> tuple[int, int]:
    raw = forms.arg(request, "month", 7)
    try:
        year, month = (int(part) for part in raw.split("-"))
        if 2000 <= year <= 2099 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@bp.get("/campaigns/calendar")
@page(*ROLES)
async def month(request: Request, who: Visitor) -> HTTPResponse:
    today = _today(request)
    year, number = _month(request, today)
    return render_page(
        request,
        "campaign_calendar.html",
        title=f"宣传日历 {year}年{number}月",
        month=await calendar.month(year, number, today),
        weekdays="一二三四五六日",
    )


def _draft_values(request: Request, source: Any) -> dict[str, Any]:
    """The editor's fields as typed (``source``: the form, or the query of a planned day)."""
    today = _today(request)
    values: dict[str, Any] = {name: str(source.get(name) or "").strip() for name in DRAFT_FIELDS}
    planned = forms.day(request, "date") if source is request.args else None
    if planned is not None and not values["send_at"]:
        values["send_at"] = datetime.combine(planned, DEFAULT_HOUR).strftime("%Y-%m-%dT%H:%M")
    if not values["send_at"]:
        values["send_at"] = datetime.combine(today + timedelta(days=1), DEFAULT_HOUR).strftime(
            "%Y-%m-%dT%H:%M"
        )
    values["topic"] = values["topic"] if values["topic"] in {t.key for t in TOPICS} else "gaokao"
    values["quiet_start"] = str(source.get("quiet_start") or "21:00")
    values["quiet_end"] = str(source.get("quiet_end") or "08:00")
    values["rate_per_second"] = str(source.get("rate_per_second") or "50")
    values["realname_only"] = bool(source.get("realname_only"))
    towns = source.getlist("towns") if hasattr(source, "getlist") else None
    values["towns"] = [str(t) for t in towns or []]
    return values


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The staff API's create body from the editor's fields."""
    rate = str(values["rate_per_second"])
    return {
        **{name: values[name] for name in DRAFT_FIELDS},
        "quiet_hours": {"start": values["quiet_start"], "end": values["quiet_end"]},
        "rate_per_second": int(rate) if rate.isascii() and rate.isdigit() else rate,
        "audience": {"realname_only": values["realname_only"], "towns": values["towns"]},
        "recurrence": values["recurrence"] or None,
    }


def _preview(request: Request, values: dict[str, Any]) -> dict[str, Any]:
    return preview_draft(registry(request), values, services(request).clock.now())


def _editor(
    request: Request, values: dict[str, Any], status: int = 200, error: str = ""
) -> HTTPResponse:
    return render_page(
        request,
        "campaign_new.html",
        status=status,
        title="新建宣传活动",
        values=values,
        topics=TOPICS,
        towns=services(request).settings.campaigns.towns,
        preview=_preview(request, values),
        error=error,
    )


@bp.get("/campaigns/new")
@page(*ROLES)
async def new(request: Request, who: Visitor) -> HTTPResponse:
    return _editor(request, _draft_values(request, request.args))


@bp.post("/campaigns/new")
@page(*ROLES)
async def create(request: Request, who: Visitor) -> HTTPResponse:
    values = _draft_values(request, request.form or {})
    if forms.field(request, "intent", 16) == "preview":  # the no-JavaScript preview button
        return _editor(request, values)
    svc = services(request)
    try:
        made = await service.create(
            _body(values),
            who.member,
            delivery_of(request),
            svc.clock.now(),
            svc.settings.campaigns.towns,
        )
    except InvalidInput as exc:
        return _editor(request, values, 422, render(exc.code, "zh", exc.details))
    except DomainError as exc:
        return _editor(request, values, 409, render(exc.code, "zh", exc.details))
    return redirect(f"/console/campaigns/{made.id}?done=created")


@bp.get("/campaigns/preview")
@page(*ROLES)
async def preview(request: Request, who: Visitor) -> HTTPResponse:
    """The editor's live preview as the server renders it (the fitted text is the truth):
    ``{"ok", "problems", "inputs", "html"}``."""
    values = _draft_values(request, request.args)
    shown = _preview(request, values)
    html = environment().get_template("_campaign_preview.html").render(preview=shown)
    body = {
        "ok": shown["ok"],
        "problems": shown["problems"],
        "inputs": shown["inputs"],
        "limits": {name: limits_text(shown, name) for name in shown["inputs"]},
        "html": html,
    }
    return json(body, headers={"Cache-Control": "private, no-store"})


def limits_text(preview: dict[str, Any], source: str) -> str:
    """What each platform shows of the campaign text ``source`` (``title``, ``summary``):
    "；微信最多显示 20 字，支付宝最多 50 字"."""
    parts = [
        f"{p['name']}最多显示 {f['limit']} 字"
        for p in preview["platforms"]
        for f in p["fields"]
        if source in f["sources"] and f["limit"]
    ]
    return "；" + "，".join(parts) if parts else ""


def planned_link(event: dict[str, Any], topic: str | None = None) -> str:
    """The editor prefilled for an event of the calendar (its main topic, or ``topic``)."""
    query = {"topic": topic or event["topic"], "date": event["date"]}
    return "/console/campaigns/new?" + urlencode(query)


environment().globals.update(planned_link=planned_link, limits_text=limits_text)
