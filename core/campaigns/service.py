"""Creating, approving, pausing, resuming and cancelling campaigns, and their figures.

The notification engine is reached only through ``core.ports.CampaignDelivery``: it fits the
title and summary to the topic template (and says what it changed), holds or withdraws queued
messages, and counts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.functions import Count

from core.campaigns import rules
from core.campaigns.models import (
    CAPPED,
    NO_CONSENT,
    PENDING,
    WITHDRAWN,
    Campaign,
    CampaignRecipient,
)
from core.campaigns.towns import checked
from core.clock import CST, FIRST_YEAR, LAST_YEAR, in_service_range
from core.errors import InvalidInput, InvalidTransition, NotFound
from core.ports import CampaignDelivery
from core.staff.models import StaffMember
from core.topics.catalog import BY_KEY

MAX_RATE = 5000
TITLE_MAX, SUMMARY_MAX = 64, 200  # what a campaign stores; template fields may hold less
_RECURRENCE = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


def _text(body: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str:
    value = body.get(name, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise InvalidInput(
            f"'{name}' must be text of 1 to {limit} characters.", details={"field": name}
        )
    return value.strip()


def parse_send_at(value: object) -> datetime:
    """An ISO time in the service's years (naive: China time); InvalidInput otherwise."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(
            "'send_at' must be an ISO time.", code="invalid_send_at", details={"field": "send_at"}
        ) from exc
    if not in_service_range(at):
        raise InvalidInput(
            f"'send_at' must lie in the years {FIRST_YEAR} to {LAST_YEAR}.",
            code="invalid_send_at",
            details={"field": "send_at"},
        )
    return at if at.tzinfo else at.replace(tzinfo=CST)  # naive times are China time


def _audience(value: object, known: Sequence[str]) -> dict[str, Any]:
    raw = value if value is not None else {}
    towns = raw.get("towns", []) if isinstance(raw, dict) else None
    only = raw.get("realname_only", False) if isinstance(raw, dict) else None
    if not isinstance(only, bool) or not isinstance(towns, list):
        raise InvalidInput("'audience' is {realname_only, towns}.", details={"field": "audience"})
    return {"realname_only": only, "towns": sorted({checked(t, known) for t in towns})}


def _rate(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RATE:
        raise InvalidInput(
            f"'rate_per_second' must be a whole number from 1 to {MAX_RATE}.",
            details={"field": "rate_per_second"},
        )
    return value


def _quiet(value: object) -> rules.QuietHours:
    if value is None:
        return rules.QuietHours(*rules.DEFAULT_QUIET)
    if not isinstance(value, dict):
        raise InvalidInput("'quiet_hours' is {start, end}.", code="invalid_quiet_hours")
    return rules.QuietHours.parse(value.get("start"), value.get("end"))  # type: ignore[arg-type]


def _recurrence(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _RECURRENCE.fullmatch(value):
        raise InvalidInput(
            "'recurrence' is a yearly date MM-DD such as 03-15.", details={"field": "recurrence"}
        )
    return value


def _page(value: object) -> str:
    page = "" if value is None else value
    if not isinstance(page, str) or page[:1] in ("/", " ") or len(page) > 512:
        raise InvalidInput(
            "'page' is a relative mini-program path like pages/topics/index?topic=...",
            details={"field": "page"},
        )
    return page


def message_context(campaign: Campaign) -> dict[str, str]:
    """The values a topic template is filled from (``page`` overrides the template's)."""
    local = campaign.send_at.astimezone(CST)
    return {
        "title": campaign.title,
        "summary": campaign.summary,
        "topic": campaign.topic,
        "time": f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}",
        "date": f"{local.year}年{local.month}月{local.day}日",
        "page": campaign.page,
    }


async def create(
    body: dict[str, Any],
    author: StaffMember,
    delivery: CampaignDelivery,
    now: datetime,
    towns: Sequence[str] = (),
) -> Campaign:
    """A draft campaign from the staff API body; InvalidInput (422) for a bad value.

    A title or summary longer than a template field allows is accepted: it is sent fitted
    (cut with an ellipsis), as case messages are, and ``warnings`` shows how. Only a value
    that no fitting can make acceptable is ``does_not_fit``."""
    rules.check_role(author.role)
    topic = _text(body, "topic", 32)
    if topic not in BY_KEY:
        raise InvalidInput("Unknown topic.", code="unknown_topic", details={"topic": topic})
    quiet = _quiet(body.get("quiet_hours"))
    campaign = Campaign(
        name=_text(body, "name", 100),
        topic=topic,
        title=_text(body, "title", TITLE_MAX),
        summary=_text(body, "summary", SUMMARY_MAX),
        page=_page(body.get("page")),
        send_at=parse_send_at(body.get("send_at")),
        quiet_start=f"{quiet.start:%H:%M}",
        quiet_end=f"{quiet.end:%H:%M}",
        rate_per_second=_rate(body.get("rate_per_second", 50)),
        audience=_audience(body.get("audience"), towns),
        recurrence=_recurrence(body.get("recurrence")),
        author_id=author.id,
        created_at=now,
        updated_at=now,
    )
    unfit = [w for w in warnings(campaign, delivery) if w["code"] == "does_not_fit"]
    if unfit:
        raise InvalidInput(
            "The title or summary cannot be fitted to the topic's message template.",
            code="does_not_fit",
            details={"problems": unfit},
        )
    await campaign.save()
    return campaign


def warnings(campaign: Campaign, delivery: CampaignDelivery) -> list[dict[str, Any]]:
    """What the maker should know about the message as sent: each template value the
    platforms' field rules shorten (``shortened``: ``value`` is the text as written,
    ``sent_as`` what citizens get) or refuse (``does_not_fit``)."""
    return delivery.fitting(BY_KEY[campaign.topic].event, message_context(campaign))


async def load(campaign_id: int) -> Campaign:
    """The campaign; NotFound ``campaign_not_found`` otherwise."""
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.", code="campaign_not_found")
    return campaign


async def _move(campaign: Campaign, action: str, now: datetime, **extra: Any) -> Campaign:
    """Apply ``action`` only if nobody moved the campaign meanwhile (the runner may)."""
    target = rules.move(campaign.status, action, started=campaign.started_at is not None)
    changed = await Campaign.filter(id=campaign.id, status=campaign.status).update(
        status=target, updated_at=now, **extra
    )
    if not changed:
        fresh = await load(campaign.id)
        raise InvalidTransition(
            f"The campaign is now {fresh.status}; try again.", details={"status": fresh.status}
        )
    return await load(campaign.id)


async def approve(campaign_id: int, member: StaffMember, now: datetime) -> Campaign:
    """Maker/checker: 403 ``self_approval`` for the author, 409 unless a draft."""
    campaign = await load(campaign_id)
    rules.check_approver(campaign.author_id, member.id, member.role)
    return await _move(campaign, "approve", now, approver_id=member.id)


async def act(
    campaign_id: int, action: str, member: StaffMember, delivery: CampaignDelivery, now: datetime
) -> Campaign:
    """``pause``, ``resume`` or ``cancel``; the queued messages follow the campaign."""
    rules.check_role(member.role)
    campaign = await _move(await load(campaign_id), action, now)
    if action == "pause":
        await delivery.hold(campaign.id)
    elif action == "resume":
        await delivery.release(campaign.id)
    elif action == "cancel":
        await delivery.withdraw(campaign.id, now)
    return campaign


async def figures(campaign_id: int, delivery: CampaignDelivery) -> dict[str, Any]:
    """targeted = sent + no_consent + failed + remaining, always.

    A citizen over the frequency cap counts as failed (reason ``frequency_cap``); messages
    withdrawn by a cancel were never tried and stay in ``remaining``.
    """
    rows = (
        await CampaignRecipient.filter(campaign_id=campaign_id)
        .group_by("state")
        .annotate(n=Count("id"))
        .values("state", "n")
    )
    states = {str(r["state"]): int(r["n"]) for r in rows}
    outcomes = await delivery.outcomes(campaign_id)
    status, reasons = outcomes["status"], dict(outcomes["failed_by_reason"])
    if states.get(CAPPED):
        reasons["frequency_cap"] = states[CAPPED]
    return {
        "targeted": sum(states.values()),
        "sent": status.get("sent", 0),
        "no_consent": states.get(NO_CONSENT, 0)
        + status.get("no_consent", 0)
        + status.get("no_channel", 0),
        "failed": status.get("failed", 0) + states.get(CAPPED, 0),
        "remaining": states.get(PENDING, 0)
        + states.get(WITHDRAWN, 0)
        + status.get("queued", 0)
        + status.get("sending", 0),
        "failed_by_reason": reasons,
    }


def view(campaign: Campaign) -> dict[str, Any]:
    """The campaign as the staff API shows it (figures added by the caller)."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "topic": campaign.topic,
        "title": campaign.title,
        "summary": campaign.summary,
        "page": campaign.page,
        "send_at": campaign.send_at.astimezone(CST).isoformat(),
        "quiet_hours": {"start": campaign.quiet_start, "end": campaign.quiet_end},
        "rate_per_second": campaign.rate_per_second,
        "audience": campaign.audience,
        "recurrence": campaign.recurrence,
        "status": campaign.status,
        "author_id": campaign.author_id,
        "approver_id": campaign.approver_id,
        "started_at": _iso(campaign.started_at),
        "finished_at": _iso(campaign.finished_at),
        "created_at": _iso(campaign.created_at),
    }


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(CST).isoformat() if at else None


async def count_by_status() -> list[tuple[str, int]]:
    """How many campaigns stand in each status (``/metrics``)."""
    rows = (
        await Campaign.all().annotate(n=Count("id")).group_by("status").values_list("status", "n")
    )
    return [(str(status), int(n)) for status, n in rows]
