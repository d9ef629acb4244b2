"""The live chart's points: the worker samples a sending campaign's figures, a reader adds the
figures of the moment, and the curve ends where the campaign ended."""

from __future__ import annotations

from datetime import timedelta

from core.campaigns import series
from core.campaigns.models import COMPLETED, CampaignSample
from core.clock import FrozenClock
from notifications.campaigns.delivery import OutboxCampaignDelivery
from tests.notifications.conftest import Rig
from tests.notifications.test_campaigns import NOW, audience, deliver, runner, scheduled


def counts(point: dict[str, int]) -> tuple[int, ...]:
    return tuple(point[k] for k in ("targeted", "sent", "failed", "no_consent", "remaining"))


async def test_points_follow_the_campaign_while_it_sends(rig: Rig, clock: FrozenClock) -> None:
    await audience(rig, 4)
    await audience(rig, 1, consent=False)
    campaign = await scheduled()
    delivery = OutboxCampaignDelivery(rig.registry)
    work = runner(rig, clock, sample_every=10)
    assert await work.run_due() == 4
    clock.advance(seconds=4)
    await work.run_due()  # within ten seconds of the first sample: none written
    assert await CampaignSample.filter(campaign_id=campaign.id).count() == 1

    before = await series.series(campaign.id, delivery, clock.now())
    assert before["status"] == "running"
    assert [counts(p) for p in before["points"]] == [(5, 0, 0, 1, 4), (5, 0, 0, 1, 4)]
    assert before["points"][-1]["at_ms"] == int(clock.now().timestamp() * 1000)

    assert await deliver(rig) == 4
    during = await series.series(campaign.id, delivery, clock.now())
    # the sample of the start, then the moment of reading: the messages went out meanwhile
    assert [counts(p) for p in during["points"]] == [(5, 0, 0, 1, 4), (5, 4, 0, 1, 0)]

    clock.advance(seconds=20)
    await work.run_due()  # nothing left to try: completed, and the last point written
    after = await series.series(campaign.id, delivery, clock.now() + timedelta(minutes=5))
    assert after["status"] == COMPLETED
    assert [counts(p) for p in after["points"]] == [(5, 0, 0, 1, 4), (5, 4, 0, 1, 0)]
    assert after["points"][-1]["at_ms"] == int(clock.now().timestamp() * 1000)
    assert after["figures"]["sent"] == 4


async def test_long_campaigns_are_thinned_to_the_chart_width(rig: Rig) -> None:
    campaign = await scheduled()
    start = int(NOW.timestamp() * 1000)
    await CampaignSample.bulk_create(
        CampaignSample(
            campaign_id=campaign.id,
            at_ms=start + n * 10_000,
            targeted=1000,
            sent=n,
            failed=0,
            no_consent=0,
            remaining=1000 - n,
        )
        for n in range(1000)
    )
    delivery = OutboxCampaignDelivery(rig.registry)
    shown = await series.series(campaign.id, delivery, NOW + timedelta(hours=3), limit=50)
    points = shown["points"]
    assert len(points) == 50  # 49 samples and the moment of reading
    assert points[0]["sent"] == 0 and points[-2]["sent"] == 999  # first and last kept
    assert [p["at_ms"] for p in points] == sorted(p["at_ms"] for p in points)
