"""The campaign editor's live preview: the exact WeChat and Alipay messages a draft will send.

Nothing here fits a value by itself: each field is filled and fitted by the topic template's
own ``Template.filled`` and ``Template.fit``, which are what ``Template.render`` (and so the
runner, the test send and the sender) use. Beside each field the editor shows the rule
(``fitting.RULE_TEXTS``), its limit (``fitting.LIMITS``, read by the fitting functions
themselves) and the current length, so the limit is visible while one types; the fitted text
the server answers is the truth.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.campaigns.models import Campaign
from core.campaigns.service import SUMMARY_MAX, TITLE_MAX, message_context, parse_send_at
from core.errors import InvalidInput
from core.topics.catalog import BY_KEY
from notifications.campaigns.delivery import CHECKED, OutboxCampaignDelivery
from notifications.fitting import (
    ALIPAY_MAX,
    ALIPAY_RULE_TEXT,
    LIMITS,
    RULE_TEXTS,
    FitError,
    key_kind,
)
from notifications.templates import PLATFORMS, Registry, Template

PLATFORM_NAMES = {"wechat": "微信", "alipay": "支付宝"}
INPUT_LIMITS = {"title": TITLE_MAX, "summary": SUMMARY_MAX}


def _draft(form: Mapping[str, str], now: datetime) -> tuple[Campaign, list[str]]:
    """An unsaved campaign from the editor's fields, and what is wrong with them as typed
    (the preview is still shown: an empty title previews as the platforms would get it)."""
    problems: list[str] = []
    topic = str(form.get("topic") or "")
    if topic not in BY_KEY:
        raise InvalidInput("Unknown topic.", code="unknown_topic", details={"topic": topic})
    try:
        send_at = parse_send_at(form.get("send_at") or "")
    except InvalidInput:
        send_at = now
        problems.append("send_at")
    texts = {name: str(form.get(name) or "").strip() for name in INPUT_LIMITS}
    problems += [n for n, t in texts.items() if not t or len(t) > INPUT_LIMITS[n]]
    campaign = Campaign(
        topic=topic, send_at=send_at, page=str(form.get("page") or "").strip(), **texts
    )
    return campaign, problems


def _placeholders(pattern: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(pattern) if name]


def _field(template: Template, key: str, value: str, pattern: str) -> dict[str, Any]:
    kind = "keyword" if template.platform == "alipay" else key_kind(key) or ""
    limit = ALIPAY_MAX if template.platform == "alipay" else LIMITS.get(kind)
    try:
        sent: str | None = template.fit(key, value)
    except FitError:
        sent = None
    return {
        "key": key,
        "kind": kind,
        "rule": ALIPAY_RULE_TEXT if template.platform == "alipay" else RULE_TEXTS.get(kind, ""),
        "limit": limit,
        "sources": sorted(set(_placeholders(pattern)) & set(CHECKED)),
        "placeholders": _placeholders(pattern),
        "value": value,
        "length": len(value),
        "sent_as": sent,
        "sent_length": None if sent is None else len(sent),
        "fits": sent is not None,
        "shortened": sent is not None and sent != value,
    }


def preview_draft(registry: Registry, form: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """What the draft in ``form`` (topic, title, summary, send_at, page) sends on each platform:
    ``{"ok", "problems", "inputs": {name: {"length", "limit"}}, "platforms": [{"platform",
    "name", "template_id", "page", "fields": [...], "message"}]}``; ``message`` is the exact
    payload (as ``POST .../preview`` answers it), None while a field cannot fit."""
    campaign, problems = _draft(form, now)
    context = message_context(campaign)
    event = BY_KEY[campaign.topic].event
    delivery = OutboxCampaignDelivery(registry)
    platforms: list[dict[str, Any]] = []
    for platform in PLATFORMS:
        template = registry.template(event, platform)
        if template is None:
            continue
        patterns = dict(template.data)
        fields = [_field(template, k, v, patterns[k]) for k, v in template.filled(context)]
        platforms.append(
            {
                "platform": platform,
                "name": PLATFORM_NAMES[platform],
                "template_id": template.template_id,
                "fields": fields,
            }
        )
    unfit = any(not f["fits"] for p in platforms for f in p["fields"])
    messages = {} if unfit else delivery.preview(event, context)
    for shown in platforms:
        message = messages.get(shown["platform"])
        shown["message"] = message
        shown["page"] = message["page"] if message else campaign.page
    return {
        "ok": not problems and not unfit,
        "problems": problems + (["does_not_fit"] if unfit else []),
        "inputs": {
            name: {"length": len(getattr(campaign, name)), "limit": limit}
            for name, limit in INPUT_LIMITS.items()
        },
        "platforms": platforms,
    }
