"""Every delivery attempt is counted by channel and outcome, and the outbox depth is readable."""

from __future__ import annotations

from prometheus_client import REGISTRY

from notifications.depth import outbox_depth
from tests.notifications.conftest import Rig


def dispatched(channel: str, outcome: str) -> float:
    labels = {"channel": channel, "outcome": outcome, "error": ""}
    return REGISTRY.get_sample_value("citysvc_dispatch_total", labels) or 0.0


async def test_sends_are_counted_by_channel_and_outcome(rig: Rig) -> None:
    before = dispatched("wechat", "sent")
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted", taps=2)
    for event in ("application.submitted", "application.accepted"):
        await rig.milestone(citizen, event)
    await rig.dispatcher.run_until_idle()
    assert dispatched("wechat", "sent") - before == 2


async def test_outbox_depth_counts_by_lane_and_status(rig: Rig) -> None:
    citizen = await rig.citizen(alipay=True)
    await rig.milestone(citizen)  # no consent anywhere: recorded, never queued
    granted = await rig.citizen()
    await rig.grant(granted, "application.accepted")
    await rig.milestone(granted)
    assert sorted(await outbox_depth()) == [
        ("milestone", "no_consent", 1),
        ("milestone", "queued", 1),
    ]
    await rig.dispatcher.run_until_idle()
    assert sorted(await outbox_depth()) == [
        ("milestone", "no_consent", 1),
        ("milestone", "sent", 1),
    ]
