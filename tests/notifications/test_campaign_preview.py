"""The editor's live preview of a draft: each field as the sender fits it, with its limit and
length. The proof is a send: what the sandboxes receive equals the preview, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.campaigns import service
from core.campaigns.models import SCHEDULED, Campaign
from core.clock import FrozenClock
from core.topics.models import TopicSubscription
from notifications.campaigns.delivery import OutboxCampaignDelivery
from notifications.campaigns.preview import preview_draft
from notifications.channels import ALIPAY, WECHAT
from notifications.templates import load_registry
from tests.notifications.conftest import Rig
from tests.notifications.test_campaign_fitting import PHRASE_TEMPLATES, publicity
from tests.notifications.test_campaigns import NOW, deliver, runner
from tests.notifications.test_campaigns import audience as subscribers

TITLE = "关于二〇二六年本区高考成绩查询及志愿填报安排的通知和公告"  # 28 characters
SUMMARY = "请在规定时间内登录 查询成绩，  " * 5  # spaces the sender squashes


def form(**changes: str) -> dict[str, str]:
    return {
        "name": "高考查分",
        "topic": "gaokao",
        "title": TITLE,
        "summary": SUMMARY,
        "send_at": NOW.isoformat(),
        "page": "",
    } | changes


def fields(preview: dict[str, Any], platform: str) -> dict[str, dict[str, Any]]:
    (shown,) = [p for p in preview["platforms"] if p["platform"] == platform]
    return {f["key"]: f for f in shown["fields"]}


async def test_every_field_is_sent_exactly_as_previewed(rig: Rig, clock: FrozenClock) -> None:
    (on_wechat,) = await subscribers(rig, 1)
    on_alipay = await rig.citizen(wechat=False, alipay=True)
    await TopicSubscription.create(citizen_id=on_alipay, topic_key="gaokao", created_at=NOW)
    await rig.grant(on_alipay, "topic.gaokao", platform=ALIPAY)
    preview = preview_draft(rig.registry, form(), NOW)
    assert preview["ok"] and preview["problems"] == []

    delivery = OutboxCampaignDelivery(rig.registry)
    body: dict[str, Any] = form() | {"rate_per_second": 1000}
    campaign = await service.create(body, await publicity(), delivery, NOW)
    await Campaign.filter(id=campaign.id).update(status=SCHEDULED, approver_id=2)
    assert await runner(rig, clock).run_due() == 2
    assert await deliver(rig) == 2

    (wechat,) = rig.wechat.sent
    assert wechat["data"] == {
        k: {"value": f["sent_as"]} for k, f in fields(preview, WECHAT).items()
    }
    (alipay,) = rig.alipay.sent
    assert alipay.data == {k: f["sent_as"] for k, f in fields(preview, ALIPAY).items()}
    # the whole payload is the one the campaign's own preview shows
    saved = delivery.preview("topic.gaokao", service.message_context(campaign))
    for shown in preview["platforms"]:
        assert shown["message"] == saved[shown["platform"]]
    assert wechat["template_id"] == saved[WECHAT]["template_id"]
    assert alipay.page == saved[ALIPAY]["page"]


async def test_limits_and_lengths_are_shown_per_field(rig: Rig) -> None:
    preview = preview_draft(rig.registry, form(), NOW)
    wechat, alipay = fields(preview, WECHAT), fields(preview, ALIPAY)
    title = wechat["thing1"]
    assert (title["kind"], title["limit"], title["sources"]) == ("thing", 20, ["title"])
    assert (title["length"], title["sent_length"]) == (28, 20)
    assert title["shortened"] and title["sent_as"] == TITLE[:19] + "…"
    assert "20" in title["rule"]
    assert wechat["time3"]["limit"] is None and wechat["time3"]["kind"] == "time"
    assert wechat["time3"]["sent_as"] == "2026年11月26日 10:00"
    summary = alipay["keyword2"]
    assert (summary["kind"], summary["limit"], summary["length"]) == (
        "keyword",
        50,
        len(SUMMARY.strip()),
    )
    assert summary["sent_length"] == 50 and summary["sent_as"].endswith("…")
    assert "  " not in summary["sent_as"]  # spaces squashed as the sender squashes them
    assert not alipay["keyword1"]["shortened"] and alipay["keyword1"]["sent_as"] == TITLE
    assert preview["inputs"] == {
        "title": {"length": 28, "limit": 64},
        "summary": {"length": len(SUMMARY.strip()), "limit": 200},
    }


async def test_what_cannot_be_saved_or_sent_is_named(rig: Rig, tmp_path: Path) -> None:
    empty = preview_draft(rig.registry, form(title="", send_at="tomorrow"), NOW)
    assert not empty["ok"]
    assert empty["problems"] == ["send_at", "title"]
    assert fields(empty, WECHAT)["thing1"]["sent_as"] == "无"  # what the platforms would get
    assert fields(empty, WECHAT)["time3"]["sent_as"] == "2026年11月26日 10:00"  # now, meanwhile

    path = tmp_path / "templates.json"
    path.write_text(json.dumps(PHRASE_TEMPLATES), encoding="utf-8")
    latin = preview_draft(load_registry(path), form(title="Exam Day"), NOW)
    (shown,) = latin["platforms"]
    assert not latin["ok"] and latin["problems"] == ["does_not_fit"]
    assert shown["message"] is None
    phrase = shown["fields"][0]
    assert (phrase["key"], phrase["fits"], phrase["sent_as"], phrase["limit"]) == (
        "phrase1",
        False,
        None,
        5,
    )
