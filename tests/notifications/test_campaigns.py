"""The campaign runner and the exam release announcer, against the sandboxes.

Time is injected: the domain clock (send times, quiet hours) is a FrozenClock, the
dispatcher's due times follow the rig's StepClock.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.campaigns import service
from core.campaigns.models import (
    CANCELLED,
    COMPLETED,
    DRAFT,
    PAUSED,
    RUNNING,
    SCHEDULED,
    Campaign,
    CampaignRecipient,
)
from core.campaigns.towns import set_town
from core.clock import CST, FrozenClock
from core.exams.models import Exam, ExamResult
from core.identity.models import Citizen
from core.outbox.models import CAMPAIGN_LANE, OutboxMessage
from core.staff.models import StaffMember
from core.topics.models import TopicSubscription
from integrations.wechat.sandbox import SUBSCRIBE
from notifications import consents
from notifications.campaigns.delivery import HELD_FROM, OutboxCampaignDelivery
from notifications.campaigns.runner import CampaignRunner
from notifications.channels import ALIPAY, WECHAT
from notifications.exam_release import ReleaseAnnouncer
from tests import harness
from tests.notifications.conftest import Rig

APP_IDS = {WECHAT: harness.WECHAT_APPID, ALIPAY: harness.ALIPAY_APPID}
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CST)


async def audience(rig: Rig, n: int, *, consent: bool = True, topic: str = "gaokao") -> list[str]:
    """``n`` subscribers of ``topic``, each holding one consent (or none)."""
    found = []
    for _ in range(n):
        citizen = await rig.citizen()
        await TopicSubscription.create(citizen_id=citizen, topic_key=topic, created_at=NOW)
        if consent:
            await rig.grant(citizen, f"topic.{topic}")
        found.append(citizen)
    return found


async def scheduled(**kw: Any) -> Campaign:
    fields: dict[str, Any] = {
        "name": "高考查分提醒",
        "topic": "gaokao",
        "title": "高考成绩查询已开通",
        "summary": "点击进入查询",
        "send_at": NOW - timedelta(minutes=1),
        "status": SCHEDULED,
        "author_id": 1,
        "approver_id": 2,
        "rate_per_second": 1000,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return await Campaign.create(**(fields | kw))


def runner(rig: Rig, clock: FrozenClock, **kw: Any) -> CampaignRunner:
    return CampaignRunner(rig.registry, APP_IDS, clock, wall=rig.clock, **kw)


async def deliver(rig: Rig) -> int:
    rig.clock.advance(120)  # every paced slot queued so far is due
    return await rig.dispatcher.run_until_idle()


def receipts(rig: Rig) -> Counter[str]:
    return Counter(str(m["touser"]) for m in rig.wechat.sent)


async def figures(rig: Rig, campaign: Campaign) -> dict[str, Any]:
    found = await service.figures(campaign.id, OutboxCampaignDelivery(rig.registry))
    parts = found["sent"] + found["no_consent"] + found["failed"] + found["remaining"]
    assert parts == found["targeted"], found
    return found


async def test_sends_once_to_consenting_subscribers(rig: Rig, clock: FrozenClock) -> None:
    yes = await audience(rig, 6)
    await audience(rig, 3, consent=False)
    await audience(rig, 2, topic="zhongkao")  # other topic: not targeted
    campaign = await scheduled()
    assert await runner(rig, clock, batch=4).run_due() == 6
    # every message queued, none tried yet: still running (it can still be paused)
    assert await runner(rig, clock, batch=4).run_due() == 0
    assert (await Campaign.get(id=campaign.id)).status == RUNNING
    assert await deliver(rig) == 6
    assert await runner(rig, clock, batch=4).run_due() == 0
    assert (await Campaign.get(id=campaign.id)).status == COMPLETED
    sent = receipts(rig)
    assert sorted(sent) == sorted([await rig.open_id(c, WECHAT) for c in yes])
    assert set(sent.values()) == {1}
    message = rig.wechat.sent[0]
    assert message["data"]["thing1"] == {"value": "高考成绩查询已开通"}
    assert await figures(rig, campaign) == {
        "targeted": 9,
        "sent": 6,
        "no_consent": 3,
        "failed": 0,
        "remaining": 0,
        "failed_by_reason": {},
    }
    assert await runner(rig, clock).run_due() == 0  # completed: nothing again


async def test_a_draft_never_sends(rig: Rig, clock: FrozenClock) -> None:
    await audience(rig, 3)
    campaign = await scheduled(status=DRAFT, approver_id=None)
    assert await runner(rig, clock).run_due() == 0
    assert await deliver(rig) == 0
    assert not await CampaignRecipient.filter(campaign_id=campaign.id).exists()


async def test_crash_mid_batch_resumes_without_duplicates(rig: Rig, clock: FrozenClock) -> None:
    citizens = await audience(rig, 23)
    campaign = await scheduled()
    batches = 0

    async def crash_on_third(_: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        await runner(rig, clock, batch=5, inside_batch=crash_on_third).run(campaign.id)
    assert await deliver(rig) == 10  # the two committed batches went out
    assert (await figures(rig, campaign))["remaining"] == 13
    assert await runner(rig, clock, batch=5).run(campaign.id) == 13
    await deliver(rig)
    sent = receipts(rig)
    assert len(sent) == len(citizens) and set(sent.values()) == {1}
    assert await OutboxMessage.filter(status="sent").count() == 23
    assert (await figures(rig, campaign))["sent"] == 23


async def test_quiet_hours_wrap_past_midnight(rig: Rig, clock: FrozenClock) -> None:
    await audience(rig, 5)
    campaign = await scheduled(rate_per_second=1)
    clock.set(datetime(2026, 11, 26, 23, 30, tzinfo=CST))
    assert await runner(rig, clock).run_due() == 0
    clock.set(datetime(2026, 11, 27, 7, 59, tzinfo=CST))
    assert await runner(rig, clock).run_due() == 0
    assert not await OutboxMessage.exists()
    # 20:59:57 with one message a second: only what falls due before 21:00 is queued
    clock.set(datetime(2026, 11, 27, 20, 59, 57, tzinfo=CST))
    assert await runner(rig, clock).run_due() == 3
    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=CST))
    assert await runner(rig, clock).run_due() == 2
    await deliver(rig)
    assert (await figures(rig, campaign))["sent"] == 5


async def test_a_due_campaign_starts_inside_its_quiet_hours_and_waits(
    rig: Rig, clock: FrozenClock
) -> None:
    """Approved at 23:30 with a past ``send_at``: it starts at once (running, audience fixed,
    figures show whom it targets) but queues nothing before the window ends at 08:00."""
    await audience(rig, 4)
    await audience(rig, 2, consent=False)
    late = datetime(2026, 11, 26, 23, 30, tzinfo=CST)
    clock.set(late)
    campaign = await scheduled(send_at=late - timedelta(hours=2), rate_per_second=1)
    assert await runner(rig, clock).run_due() == 0
    started = await Campaign.get(id=campaign.id)
    assert (started.status, started.started_at) == (RUNNING, late)
    assert started.audience_fixed_at == late
    assert await figures(rig, campaign) == {
        "targeted": 6,
        "sent": 0,
        "no_consent": 0,
        "failed": 0,
        "remaining": 6,
        "failed_by_reason": {},
    }
    clock.set(datetime(2026, 11, 27, 7, 59, 59, tzinfo=CST))
    assert await runner(rig, clock).run_due() == 0
    assert not await OutboxMessage.exists()
    assert await deliver(rig) == 0 and rig.wechat.sent == []
    await audience(rig, 1)  # subscribed after the start: not in the fixed audience
    clock.set(datetime(2026, 11, 27, 8, 0, tzinfo=CST))
    assert await runner(rig, clock).run_due() == 4
    await deliver(rig)
    found = await figures(rig, campaign)
    assert (found["targeted"], found["sent"], found["no_consent"]) == (6, 4, 2)


async def test_retries_never_fall_inside_quiet_hours(rig: Rig, clock: FrozenClock) -> None:
    """A campaign message refused as busy at 20:59:59 is retried at 08:00, not at 21:00:03."""
    await audience(rig, 3)
    campaign = await scheduled(rate_per_second=1)
    evening = datetime(2026, 11, 27, 20, 59, 57, tzinfo=CST)
    clock.set(evening)
    rig.clock.t = evening.timestamp()  # the dispatcher's wall clock, the same moment
    assert await runner(rig, clock).run_due() == 3  # due 20:59:57, :58, :59
    rig.wechat.fail_next(SUBSCRIBE, -1, count=3)  # the platform is busy: retry later
    rig.clock.advance(2)
    assert await rig.dispatcher.run_until_idle() == 3
    assert rig.wechat.sent == []
    retries = await OutboxMessage.filter(status="queued").values_list("next_attempt_at", flat=True)
    morning = datetime(2026, 11, 28, 8, 0, tzinfo=CST).timestamp() * 1000
    assert sorted(retries) == [morning] * 3
    rig.clock.t = datetime(2026, 11, 28, 7, 59, 59, tzinfo=CST).timestamp()
    assert await rig.dispatcher.run_until_idle() == 0
    rig.clock.advance(1)
    assert await rig.dispatcher.run_until_idle() == 3
    assert (await figures(rig, campaign))["sent"] == 3


async def test_a_campaign_message_due_in_quiet_hours_waits_for_morning(
    rig: Rig, clock: FrozenClock
) -> None:
    """A worker that was down all evening sends nothing at 23:00 when it comes back."""
    await audience(rig, 2)
    await scheduled(rate_per_second=1)
    evening = datetime(2026, 11, 27, 20, 0, tzinfo=CST)
    clock.set(evening)
    rig.clock.t = evening.timestamp()
    assert await runner(rig, clock).run_due() == 2
    rig.clock.t = datetime(2026, 11, 27, 23, 0, tzinfo=CST).timestamp()
    await rig.dispatcher.run_until_idle()
    assert rig.wechat.sent == []
    rig.clock.t = datetime(2026, 11, 28, 8, 0, tzinfo=CST).timestamp()
    assert await rig.dispatcher.run_until_idle() == 2
    assert len(rig.wechat.sent) == 2


async def test_a_town_filter_reaches_the_citizens_of_those_towns(
    rig: Rig, clock: FrozenClock
) -> None:
    citizens = await audience(rig, 6)
    towns = ["仙女镇", "仙女镇", "小纪镇", "丁沟镇", None, "仙女镇"]
    for citizen, town in zip(citizens, towns, strict=True):
        if town:
            await set_town(citizen, town, (), NOW)
    campaign = await scheduled(audience={"realname_only": False, "towns": ["仙女镇", "丁沟镇"]})
    assert await runner(rig, clock).run_due() == 4
    await deliver(rig)
    wanted = [c for c, t in zip(citizens, towns, strict=True) if t in ("仙女镇", "丁沟镇")]
    assert sorted(receipts(rig)) == sorted([await rig.open_id(c, WECHAT) for c in wanted])
    assert (await figures(rig, campaign))["targeted"] == 4


async def test_a_fast_campaign_queues_only_so_much_ahead(rig: Rig, clock: FrozenClock) -> None:
    """At most ``ahead`` unsent campaign messages (checked before each batch): the rest waits
    for the next round instead of a burst of back-to-back transactions."""
    await audience(rig, 12)
    campaign = await scheduled(rate_per_second=1000)
    assert await runner(rig, clock, batch=4, ahead=5).run_due() == 8
    assert await runner(rig, clock, batch=4, ahead=5).run_due() == 0  # nothing sent yet
    assert await deliver(rig) == 8
    assert await runner(rig, clock, batch=4, ahead=5).run_due() == 4
    await deliver(rig)
    assert (await figures(rig, campaign))["sent"] == 12


async def test_frequency_cap_across_campaigns(rig: Rig, clock: FrozenClock) -> None:
    citizens = await audience(rig, 3)
    for citizen in citizens:
        await rig.grant(citizen, "topic.gaokao", taps=2)  # consent is not what stops them
    results = []
    for day in range(3):
        clock.set(NOW + timedelta(days=day))
        campaign = await scheduled(send_at=clock.now())
        await runner(rig, clock, cap=2, cap_days=7).run(campaign.id)
        await deliver(rig)
        results.append(await figures(rig, campaign))
    assert [r["sent"] for r in results] == [3, 3, 0]
    assert results[2]["failed"] == 3
    assert results[2]["failed_by_reason"] == {"frequency_cap": 3}
    clock.set(NOW + timedelta(days=8))  # the window moved on
    campaign = await scheduled(send_at=clock.now())
    assert await runner(rig, clock, cap=2, cap_days=7).run(campaign.id) == 3


async def test_pause_resume_cancel(rig: Rig, clock: FrozenClock) -> None:
    await audience(rig, 12)
    author = await StaffMember.create(username="pub.a", password_hash="x", role="publicity")
    delivery = OutboxCampaignDelivery(rig.registry)
    campaign = await scheduled(rate_per_second=1, author_id=author.id)
    work = runner(rig, clock, horizon=4.0)  # four due-seconds queued ahead at a time
    assert await work.run(campaign.id) == 4
    paused = await service.act(campaign.id, "pause", author, delivery, clock.now())
    assert paused.status == PAUSED
    assert await deliver(rig) == 0  # held back: nothing goes out while paused
    assert await work.run(campaign.id) == 0
    resumed = await service.act(campaign.id, "resume", author, delivery, clock.now())
    assert resumed.status == RUNNING
    assert await deliver(rig) == 4
    assert await work.run(campaign.id) == 4
    cancelled = await service.act(campaign.id, "cancel", author, delivery, clock.now())
    assert cancelled.status == CANCELLED
    assert await deliver(rig) == 0
    assert await work.run(campaign.id) == 0
    found = await figures(rig, campaign)
    assert (found["sent"], found["remaining"]) == (4, 8)
    assert len(rig.wechat.sent) == 4


async def test_a_send_that_escaped_a_pause_or_cancel_is_held_back(
    rig: Rig, clock: FrozenClock
) -> None:
    """A message a worker had claimed when the campaign was paused (or whose retry it
    recorded just after) is not sent: the dispatcher holds it as the pause held the rest; a
    resume releases it, and after a cancel the runner withdraws it and frees its consent."""
    citizens = await audience(rig, 4)
    author = await StaffMember.create(username="pub.a", password_hash="x", role="publicity")
    delivery = OutboxCampaignDelivery(rig.registry)
    campaign = await scheduled(author_id=author.id)
    assert await runner(rig, clock).run(campaign.id) == 4
    await service.act(campaign.id, "pause", author, delivery, clock.now())

    async def escape() -> None:  # due again as if recorded by a worker after the pause
        await OutboxMessage.filter(status="queued").update(next_attempt_at=int(rig.clock() * 1000))

    await escape()
    assert await deliver(rig) == 4  # claimed ...
    assert rig.wechat.sent == []  # ... and held back, not sent
    rows = await OutboxMessage.filter(status="queued").values("next_attempt_at", "attempts")
    assert [r["attempts"] for r in rows] == [0] * 4
    assert all(r["next_attempt_at"] >= HELD_FROM for r in rows)
    await service.act(campaign.id, "resume", author, delivery, clock.now())
    # at once, the worker's clock not moved on: the "paused" it read is not trusted again
    assert await rig.dispatcher.run_until_idle() == 4
    assert len(rig.wechat.sent) == 4

    second = await scheduled(author_id=author.id, title="高考志愿填报开始")
    for citizen in citizens:
        await rig.grant(citizen, "topic.gaokao")
    assert await runner(rig, clock, cap=5).run(second.id) == 4
    claimed = await rig.dispatcher.claimer.claim(CAMPAIGN_LANE, 10, int(rig.clock() * 1000) + 99)
    assert len(claimed) == 4  # all in a worker's hand: the cancel finds nothing queued
    await service.act(second.id, "cancel", author, delivery, clock.now())
    # the worker recorded a busy answer for each just after: queued again, due
    await OutboxMessage.filter(status="sending").update(
        status="queued", lease_owner=None, lease_expires_at=None
    )
    assert await deliver(rig) == 4 and len(rig.wechat.sent) == 4  # claimed, held, not sent
    assert (await figures(rig, second))["remaining"] == 4
    assert (await Campaign.get(id=second.id)).finished_at is None
    await runner(rig, clock, cap=5).run_due()
    assert not await OutboxMessage.filter(key__startswith=f"campaign:{second.id}:").exists()
    assert (await Campaign.get(id=second.id)).finished_at is not None
    assert await figures(rig, second) == {
        "targeted": 4,
        "sent": 0,
        "no_consent": 0,
        "failed": 0,
        "remaining": 4,
        "failed_by_reason": {},
    }
    template = rig.registry.template("topic.gaokao", WECHAT)
    assert template is not None
    counts = await consents.counts(citizens[0], WECHAT, rig.registry)
    held = [c for c in counts["consents"] if c["template_id"] == template.template_id]
    assert [(c["credits"], c["reserved"]) for c in held] == [(1, 0)]  # freed, not spent


async def test_score_release_announced_once(rig: Rig, clock: FrozenClock) -> None:
    exam = await Exam.create(key="gaokao-2026", topic="gaokao", release_at=NOW + timedelta(hours=1))
    subscribed, silent, stranger = await audience(rig, 3)
    await TopicSubscription.filter(citizen_id=silent).delete()
    for i, citizen in enumerate((subscribed, silent, stranger)):
        if citizen != stranger:
            await Citizen.filter(id=citizen).update(id_number_index=f"idx{i}")
            await ExamResult.create(
                exam=exam,
                candidate_number=f"C{i}",
                id_number_index=f"idx{i}",
                name_enc="x",
                total="600",
            )
    announcer = ReleaseAnnouncer(rig.registry, APP_IDS, clock, wall=rig.clock)
    assert await announcer.run_due() == 0  # not released yet
    clock.advance(hours=1)
    assert await announcer.run_due() == 1
    assert await announcer.run_due() == 0
    await Exam.filter(key=exam.key).update(announced_at=None)
    assert await announcer.run_due() == 0  # a rerun (after a crash) finds the key queued
    await deliver(rig)
    assert list(receipts(rig)) == [await rig.open_id(subscribed, WECHAT)]
    assert rig.wechat.sent[0]["page"] == "pages/exams/score?exam=gaokao-2026"
