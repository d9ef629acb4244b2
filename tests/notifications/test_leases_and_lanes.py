"""Leases (a dead worker's claims come back), the SQLite single claimer, lanes and rate limits."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest

from core.clock import CST
from core.outbox.models import Consent, DeliveryAttempt, OutboxMessage
from integrations.state import MemoryState
from notifications.channels import Choice
from notifications.dispatcher import DispatchConfig
from notifications.outbox import enqueue
from notifications.pacing import PlatformLimiter
from notifications.recording import Result
from tests.notifications.conftest import Rig
from tests.notifications.workers import received, seed_messages


async def test_claims_of_a_dead_worker_are_reclaimed_after_the_lease(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    case = (await rig.milestone(citizen)).application_id
    dead = rig.make_dispatcher(DispatchConfig(owner="dead", lease=30, claimer_lease=10))
    now_ms = int(rig.clock() * 1000)
    [claimed] = await dead.claimer.claim("milestone", 10, now_ms)  # ...and never reports back
    alive = rig.make_dispatcher(DispatchConfig(owner="alive", lease=30, claimer_lease=10))
    assert await alive.run_once() == 0  # the lease (and the claimer role) are the dead one's
    rig.clock.advance(29)
    assert await alive.run_once() == 0
    rig.clock.advance(2)
    assert await alive.run_once() == 1
    row = await rig.row(case)
    assert (row.status, row.attempts, row.lease_owner) == ("sent", 2, None)
    # the dead worker's late answer changes nothing, and spends no second credit
    dead.recorder.add(Result(claimed, "sent"))
    await dead.recorder.flush()
    assert (await rig.row(case)).status == "sent"
    ledger = await Consent.get(citizen_id=citizen)
    assert (ledger.credits, ledger.reserved) == (0, 0)
    workers = await DeliveryAttempt.filter(message_id=row.id).values_list("worker", flat=True)
    assert sorted(workers) == ["alive", "dead"]


async def test_on_sqlite_one_worker_claims_at_a_time(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted", taps=2)
    await rig.milestone(citizen)
    first = rig.make_dispatcher(DispatchConfig(owner="first", claimer_lease=10))
    second = rig.make_dispatcher(DispatchConfig(owner="second", claimer_lease=10))
    assert await first.run_once() == 1
    await rig.milestone(citizen)
    assert await second.run_once() == 0  # the first holds the claimer lease
    rig.clock.advance(11)  # the first stopped renewing (it died): the second takes over
    assert await second.run_once() == 1
    await rig.milestone(citizen, "application.submitted")
    assert await first.run_once() == 0


async def test_a_clean_shutdown_hands_the_claimer_role_over(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted", taps=2)
    await rig.milestone(citizen)
    first = rig.make_dispatcher(DispatchConfig(owner="first"))
    second = rig.make_dispatcher(DispatchConfig(owner="second"))
    assert await first.run_once() == 1
    await first.close()
    await rig.milestone(citizen)
    assert await second.run_once() == 1


async def campaign_backlog(rig: Rig, count: int) -> None:
    """``count`` campaign messages, as the campaign engine would queue them."""
    citizen = await rig.citizen()
    open_id = await rig.open_id(citizen, "wechat")
    template = rig.registry.template("topic.zhongkao", "wechat")
    assert template is not None
    rig.wechat.grant_consent(open_id, template.template_id, count)
    choice = Choice("wechat", open_id, template, None)
    context = {
        "title": "成绩发布",
        "summary": "中考成绩已发布",
        "topic": "zhongkao",
        "time": "2026年11月26日 10:00",
    }
    for i in range(count):
        await enqueue(
            f"campaign:1:{i}",
            choice,
            context,
            citizen_id=citizen,
            event="topic.zhongkao",
            created_at=datetime.now(CST),
            due=rig.clock(),
            lane="campaign",
        )


async def test_milestones_never_wait_behind_campaign_traffic(rig: Rig) -> None:
    await campaign_backlog(rig, 1500)
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    # 500 a second in all: campaigns may take 400 of them, the rest stays free for milestones
    rig.limiter = PlatformLimiter(MemoryState(), {"wechat": 500})
    config = DispatchConfig(owner="w", concurrency={"milestone": 4, "campaign": 8})
    dispatcher = rig.make_dispatcher(config, now=time.time)  # the pipeline runs on real time
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    while len(rig.wechat.sent) < 100:  # the campaign is under way, at its limit...
        await asyncio.sleep(0.01)
    case = (await rig.milestone(citizen)).application_id
    before = len(rig.wechat.sent)
    while (await rig.row(case)).status != "sent":
        await asyncio.sleep(0.005)
    backlog = await OutboxMessage.filter(lane="campaign", status__in=["queued", "sending"]).count()
    stop.set()
    await running
    index = next(i for i, m in enumerate(rig.wechat.sent) if m["template_id"] != "wx-demo-topic")
    print(f"\nmilestone sent after {index - before} campaign messages; {backlog} still waiting")
    assert backlog > 1000  # it went ahead of the campaign's backlog...
    assert index - before < 100  # ...behind at most what was in flight in the meantime


async def test_rate_limit_is_shared_and_keeps_room_for_milestones() -> None:
    clock = [1000.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    state = MemoryState(now=lambda: clock[0])
    worker_a = PlatformLimiter(state, {"wechat": 10}, sleep=sleep)
    worker_b = PlatformLimiter(state, {"wechat": 10}, sleep=sleep)
    for limiter in (worker_a, worker_b) * 4:  # 8 campaign sends from two workers
        await limiter.take("wechat", "campaign")
    assert waits == []  # 8 = 80 % of 10
    await worker_a.take("wechat", "campaign")  # the campaign's share is used up: wait
    assert len(waits) == 1 and worker_a.waits == 1
    for _ in range(2):
        await worker_b.take("wechat", "milestone")  # the reserved fifth is there at once
    assert len(waits) == 1
    await worker_b.take("alipay", "milestone")  # a platform without a limit never waits
    assert len(waits) == 1


async def test_the_limiter_paces_sends_through_the_dispatcher(rig: Rig) -> None:
    clock = [0.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock[0] += seconds

    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted", taps=5)
    for _ in range(5):
        await rig.milestone(citizen)
    state = MemoryState(now=lambda: clock[0])
    rig.limiter = PlatformLimiter(state, {"wechat": 3}, sleep=sleep)
    dispatcher = rig.make_dispatcher(DispatchConfig(owner="w"))
    assert await dispatcher.run_until_idle() == 5
    assert len(rig.wechat.sent) == 5
    # three fit in the first one-second window; the fourth waited for the next one
    assert rig.limiter.waits == 1 and waited == [1.0] and clock[0] == 1.0


async def test_stopping_hands_unsent_claims_back_at_once(rig: Rig) -> None:
    await seed_messages(rig.wechat, 300)
    config = DispatchConfig(owner="w", batch=200, concurrency={"milestone": 4, "campaign": 1})
    dispatcher = rig.make_dispatcher(config, now=time.time)
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    while len(rig.wechat.sent) < 10:
        await asyncio.sleep(0.005)
    stop.set()
    await running
    await dispatcher.close()  # and hands the SQLite claimer role over
    rows = await OutboxMessage.all().values_list("status", "attempts")
    assert {status for status, _ in rows} == {"sent", "queued"}  # nothing left "sending"
    assert all(attempts == 0 for status, attempts in rows if status == "queued")
    assert await rig.make_dispatcher(DispatchConfig(owner="w2"), now=time.time).run_until_idle()
    assert len(received(rig.wechat)) == len(rig.wechat.sent) == 300


@pytest.mark.postgres
async def test_a_backlog_of_results_is_recorded_in_batches_on_postgres(pg_rig: Rig) -> None:
    # 3,700 attempts of nine values each would be one statement of 33,300 parameters:
    # PostgreSQL takes at most 32,767, and the recorder then failed at every flush
    await campaign_backlog(pg_rig, 3700)
    worker = pg_rig.make_dispatcher(DispatchConfig(owner="w", lease=60))
    claimed = await worker.claimer.claim("campaign", 3700, int(pg_rig.clock() * 1000))
    assert len(claimed) == 3700
    for message in claimed:
        worker.recorder.add(Result(message, "sent"))

    assert await worker.recorder.flush() == 3700

    assert await OutboxMessage.filter(status="sent").count() == 3700
    assert await DeliveryAttempt.all().count() == 3700


@pytest.mark.postgres
async def test_one_claim_statement_takes_expired_leases_first_on_postgres(pg_rig: Rig) -> None:
    # PostgreSQL claims both halves (a dead worker's expired leases, then due rows) in one
    # statement: the dead one's rows come first, the limit holds across both halves, and two
    # workers claiming at once take disjoint rows
    await campaign_backlog(pg_rig, 30)
    now_ms = int(pg_rig.clock() * 1000)
    dead = pg_rig.make_dispatcher(DispatchConfig(owner="dead", lease=30))
    abandoned = {m.id for m in await dead.claimer.claim("campaign", 4, now_ms)}
    assert len(abandoned) == 4
    pg_rig.clock.advance(31)
    later_ms = int(pg_rig.clock() * 1000)
    first = pg_rig.make_dispatcher(DispatchConfig(owner="first", lease=30))
    second = pg_rig.make_dispatcher(DispatchConfig(owner="second", lease=30))

    taken = await first.claimer.claim("campaign", 6, later_ms)

    assert len(taken) == 6
    assert abandoned <= {m.id for m in taken}
    assert {m.attempts for m in taken if m.id in abandoned} == {2}
    a, b = await asyncio.gather(
        first.claimer.claim("campaign", 10, later_ms),
        second.claimer.claim("campaign", 10, later_ms),
    )
    ids = [m.id for m in [*taken, *a, *b]]
    assert len(ids) == len(set(ids)) == 26
    rest = await second.claimer.claim("campaign", 10, later_ms)
    assert len(rest) == 4
    owners = await OutboxMessage.filter(status="sending").values_list("lease_owner", flat=True)
    assert sorted(set(owners)) == ["first", "second"]


async def test_a_milestone_only_worker_leaves_the_campaign_lane_alone(rig: Rig) -> None:
    # NOTIFY_LANES=milestone: a worker of its own for milestones, its event loop never busy
    # with a campaign; nor does it queue campaigns (the campaign worker's job)
    from citysvc.worker import jobs

    await campaign_backlog(rig, 5)
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    case = (await rig.milestone(citizen)).application_id
    milestones = rig.make_dispatcher(DispatchConfig(owner="m", lanes=("milestone",)))

    assert await milestones.run_until_idle() == 1

    assert (await rig.row(case)).status == "sent"
    assert await OutboxMessage.filter(lane="campaign", status="queued").count() == 5
    assert "campaigns.run" not in {job.name for job in jobs(("milestone",))}
    assert "campaigns.run" in {job.name for job in jobs(("milestone", "campaign"))}
    assert "notifications.dispatch" in {job.name for job in jobs(("milestone",))}
