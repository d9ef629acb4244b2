"""A campaign's figures over time: the points of the live chart on its console page.

The worker writes a ``CampaignSample`` every ``SAMPLE_EVERY`` seconds while a campaign is
running or paused, and one more when it ends; a reader gets those points (thinned to at
most ``MAX_POINTS``) and a last point computed at the moment of reading, so the chart
moves with every refresh even between two samples, and a page opened later still shows
the whole curve.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.campaigns import service
from core.campaigns.models import PAUSED, RUNNING, CampaignSample
from core.ports import CampaignDelivery

SAMPLE_EVERY = 10.0  # seconds between two samples of one campaign
MAX_POINTS = 240
SERIES = ("sent", "failed", "no_consent", "remaining")
LIVE = frozenset({RUNNING, PAUSED})


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


async def record(campaign_id: int, delivery: CampaignDelivery, at: datetime) -> dict[str, Any]:
    """Write the campaign's figures now as a sample; the figures."""
    figures = await service.figures(campaign_id, delivery)
    await CampaignSample.create(
        campaign_id=campaign_id,
        at_ms=_ms(at),
        **{name: figures[name] for name in ("targeted", *SERIES)},
    )
    return figures


async def due_for_sample(campaign_id: int, at: datetime, every: float = SAMPLE_EVERY) -> bool:
    """Whether the campaign's last sample is ``every`` seconds old or more (or missing)."""
    last = (
        await CampaignSample.filter(campaign_id=campaign_id)
        .order_by("-at_ms")
        .first()
        .values_list("at_ms", flat=True)
    )
    return last is None or _ms(at) - int(str(last)) >= every * 1000


def _thinned(points: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` points, evenly taken, always keeping the first and the last."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


async def series(
    campaign_id: int, delivery: CampaignDelivery, now: datetime, limit: int = MAX_POINTS
) -> dict[str, Any]:
    """``{"campaign_id", "status", "figures", "points": [{"at_ms", "targeted", "sent",
    "failed", "no_consent", "remaining"}]}``, oldest first, the last point being now."""
    campaign = await service.load(campaign_id)
    rows = (
        await CampaignSample.filter(campaign_id=campaign_id)
        .order_by("at_ms")
        .values("at_ms", "targeted", *SERIES)
    )
    figures = await service.figures(campaign_id, delivery)
    live = {"at_ms": _ms(now), "targeted": figures["targeted"]} | {
        name: figures[name] for name in SERIES
    }
    points = _thinned([dict(r) for r in rows], max(2, limit - 1))
    if campaign.status in LIVE or not points or points[-1] != live | {"at_ms": points[-1]["at_ms"]}:
        points.append(live)
    return {
        "campaign_id": campaign_id,
        "status": campaign.status,
        "figures": figures,
        "points": points,
    }
