"""A campaign's title and summary are fitted to its topic template's fields, as case messages
are: what the sandboxes receive is exactly what the preview shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.campaigns import service
from core.campaigns.models import SCHEDULED, Campaign
from core.clock import FrozenClock
from core.errors import InvalidInput
from core.staff.models import StaffMember
from core.topics.models import TopicSubscription
from notifications.campaigns.delivery import OutboxCampaignDelivery
from notifications.channels import ALIPAY, WECHAT
from notifications.templates import load_registry
from tests.notifications.conftest import Rig
from tests.notifications.test_campaigns import NOW, deliver, runner
from tests.notifications.test_campaigns import audience as subscribers

TITLE = "关于二〇二六年本区高考成绩查询及志愿填报安排的通知和公告"  # 28 characters
SUMMARY = "请在规定时间内登录查询成绩，" * 5  # 70 characters


def body(**changes: object) -> dict[str, object]:
    return {
        "name": "高考查分",
        "topic": "gaokao",
        "title": TITLE,
        "summary": SUMMARY,
        "send_at": NOW.isoformat(),
        "rate_per_second": 1000,
    } | changes


async def publicity() -> StaffMember:
    return await StaffMember.create(username="pub.maker", password_hash="x", role="publicity")


async def test_the_sent_message_is_the_preview(rig: Rig, clock: FrozenClock) -> None:
    assert len(TITLE) == 28
    (on_wechat,) = await subscribers(rig, 1)
    on_alipay = await rig.citizen(wechat=False, alipay=True)
    await TopicSubscription.create(citizen_id=on_alipay, topic_key="gaokao", created_at=NOW)
    await rig.grant(on_alipay, "topic.gaokao", platform=ALIPAY)
    delivery = OutboxCampaignDelivery(rig.registry)
    campaign = await service.create(body(), await publicity(), delivery, NOW)
    preview = delivery.preview("topic.gaokao", service.message_context(campaign))
    assert preview[WECHAT]["data"]["thing1"] == {"value": TITLE[:19] + "…"}

    await Campaign.filter(id=campaign.id).update(status=SCHEDULED, approver_id=2)
    assert await runner(rig, clock).run_due() == 2
    assert await deliver(rig) == 2
    (wechat,) = rig.wechat.sent
    assert wechat["touser"] == await rig.open_id(on_wechat, WECHAT)
    assert (wechat["template_id"], wechat["page"]) == (
        preview[WECHAT]["template_id"],
        preview[WECHAT]["page"],
    )
    assert wechat["data"] == preview[WECHAT]["data"]
    (alipay,) = rig.alipay.sent
    assert alipay.page == preview[ALIPAY]["page"]
    assert {k: {"value": v} for k, v in alipay.data.items()} == json.loads(
        str(preview[ALIPAY]["data"])
    )
    assert alipay.data["keyword2"] == SUMMARY[:49] + "…"


PHRASE_TEMPLATES = {
    "events": {
        "topic.gaokao": {
            "wechat": {
                "template_id": "wx-phrase-topic",
                "page": "pages/topics/index?topic={topic}",
                "data": {"phrase1": "{title}", "time2": "{time}"},
            }
        }
    }
}


async def test_only_text_that_cannot_be_fitted_is_refused(db: str, tmp_path: Path) -> None:
    """A ``phrase`` field keeps only Chinese characters, at most five: a Chinese title is cut
    to fit, a Latin one cannot be fitted at all."""
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(PHRASE_TEMPLATES), encoding="utf-8")
    delivery = OutboxCampaignDelivery(load_registry(path))
    author = await publicity()
    with pytest.raises(InvalidInput) as refused:
        await service.create(body(title="Exam Day"), author, delivery, NOW)
    assert refused.value.code == "does_not_fit"
    assert refused.value.details["problems"] == [
        {
            "code": "does_not_fit",
            "platform": WECHAT,
            "key": "phrase1",
            "fields": ["title"],
            "value": "Exam Day",
            "sent_as": None,
        }
    ]
    assert not await Campaign.exists()
    made = await service.create(body(title="高考成绩查询"), author, delivery, NOW)
    assert service.warnings(made, delivery) == [
        {
            "code": "shortened",
            "platform": WECHAT,
            "key": "phrase1",
            "fields": ["title"],
            "value": "高考成绩查询",
            "sent_as": "高考成绩查",
        }
    ]
