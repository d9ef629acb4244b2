"""Running campaigns: fix the audience, then queue it in paced, resumable batches.

A due campaign is started at once, inside its quiet hours too: it turns ``running`` and its
audience (the topic's subscribers matching its filters) is copied into ``campaign_recipient``
in batches, each saving ``fix_cursor``, so its figures show whom it targets. Inside the quiet
window nothing more happens until the window ends. Then recipients are taken in id order,
``batch`` at a time; each batch, in ONE transaction, checks the frequency cap, reserves
consents, inserts the outbox rows (key ``campaign:{id}:{citizen}``: at most one per
citizen), marks the recipients and saves the cursor. A crash anywhere rolls back at most
the batch in hand, and the next run resumes after the last saved cursor. Nothing holds more
than one batch in memory. The campaign stays ``running`` until its last message has been
tried (none queued, held or being sent), so it can be paused or cancelled for as long as
anything remains to send.

Pacing: rows get due times ``1 / rate_per_second`` apart, and only ``horizon`` seconds of
them are queued ahead, so a pause takes effect at once and quiet hours are never crossed:
no row is ever due after the next quiet window starts. At most ``ahead`` campaign messages
wait unsent: a fast rate no longer queues a burst of hundreds of thousands of rows, whose
back-to-back transactions held milestones up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core.campaigns import rules, series
from core.campaigns.models import (
    CANCELLED,
    CAPPED,
    COMPLETED,
    DRAFT,
    NO_CONSENT,
    PAUSED,
    QUEUED,
    RUNNING,
    SCHEDULED,
    Campaign,
)
from core.campaigns.service import message_context
from core.outbox.models import CAMPAIGN_LANE
from core.outbox.models import QUEUED as WAITING
from core.ports import Clock
from core.topics.catalog import BY_KEY
from notifications import sql
from notifications.bulk import Reach, Rendered, choose_many, insert_messages, render_all
from notifications.campaigns.delivery import (
    OutboxCampaignDelivery,
    campaign_key,
    release_held,
    unfinished,
    withdraw_queued,
)
from notifications.templates import Registry

log = logging.getLogger("citysvc.notifications.campaigns.runner")

BatchHook = Callable[[int], Awaitable[None]]
# between two batch transactions the worker's other work (milestones first) gets the database
BETWEEN_BATCHES = 0.002


class Stopped(Exception):
    """The campaign was paused or cancelled while a batch was being queued."""


@dataclass
class CampaignRunner:
    """Runs due campaigns. ``clock`` is the domain's (send times, quiet hours); ``wall``
    the epoch clock the dispatcher compares due times with. ``inside_batch`` is called in
    each batch's transaction before it commits (tests make it raise: a crash mid-batch)."""

    registry: Registry
    app_ids: Mapping[str, str]
    clock: Clock
    wall: Callable[[], float] = time.time
    cap: int = 2
    cap_days: int = 7
    batch: int = 500
    fix_batch: int = 5000
    horizon: float = 30.0
    ahead: int = 20_000  # campaign messages queued and unsent, at most, across campaigns
    sample_every: float = series.SAMPLE_EVERY  # seconds between two points of the live chart
    inside_batch: BatchHook | None = None

    async def run_due(self) -> int:
        """One round over every due campaign; the number of messages queued."""
        now = self.clock.now()
        await self._finish_cancelled(now)
        due = await Campaign.filter(status__in=[SCHEDULED, RUNNING], send_at__lte=now).only("id")
        total = 0
        for campaign in due:
            total += await self.run(campaign.id)
        await self._sample(now)
        return total

    async def _sample(self, now: datetime) -> None:
        """A point of each sending (or paused) campaign's live chart, every ``sample_every``."""
        delivery = OutboxCampaignDelivery(self.registry)
        for campaign in await Campaign.filter(status__in=[RUNNING, PAUSED]).only("id"):
            if await series.due_for_sample(campaign.id, now, self.sample_every):
                await series.record(campaign.id, delivery, now)

    async def _finish_cancelled(self, now: datetime) -> None:
        """Withdraw what a worker held back after a cancel (a send it had claimed); a cancelled
        campaign is finished once none of its messages is still being sent."""
        for campaign in await Campaign.filter(status=CANCELLED, finished_at=None).only("id"):
            await withdraw_queued(campaign.id, now)
            if not await unfinished(campaign.id):
                await Campaign.filter(id=campaign.id, status=CANCELLED).update(
                    finished_at=now, updated_at=now
                )
                await series.record(campaign.id, OutboxCampaignDelivery(self.registry), now)

    async def run(self, campaign_id: int) -> int:
        """Queue what is allowed now for one campaign; the number of messages queued."""
        campaign = await Campaign.get(id=campaign_id)
        now = self.clock.now()
        quiet = rules.QuietHours.parse(campaign.quiet_start, campaign.quiet_end)
        if campaign.status not in (SCHEDULED, RUNNING) or campaign.send_at > now:
            return 0
        if not await self._start(campaign, now):
            return 0
        # a send a worker held back just after a resume (it still read "paused"): release it
        await release_held(campaign.id, int(self.wall() * 1000))
        if campaign.audience_fixed_at is None:
            await self._fix_audience(campaign, now)
        if quiet.contains(now):  # started and counted: the messages wait for the window's end
            return 0
        rendered = render_all(
            self.registry, BY_KEY[campaign.topic].event, message_context(campaign)
        )
        queued = 0
        try:
            while (n := await self._next_batch(campaign, rendered, quiet)) is not None:
                queued += n
        except Stopped:
            log.info("campaign %s stopped while queueing", campaign.id)
        return queued

    async def _start(self, campaign: Campaign, now: datetime) -> bool:
        if campaign.status == RUNNING:
            return True
        started = await Campaign.filter(id=campaign.id, status=SCHEDULED).update(
            status=RUNNING, started_at=now, updated_at=now
        )
        campaign.status, campaign.started_at = RUNNING, now
        return bool(started)

    # -- fixing the audience ---------------------------------------------------------------

    async def _fix_audience(self, campaign: Campaign, now: datetime) -> None:
        """Copy the matching subscribers in, ``fix_batch`` subscriptions per transaction."""
        while True:
            bound = await sql.rows(
                "SELECT MAX(id) AS top FROM (SELECT id FROM topic_subscription "
                "WHERE topic_key = ? AND id > ? ORDER BY id LIMIT ?) AS part",
                [campaign.topic, campaign.fix_cursor, self.fix_batch],
            )
            top = bound[0]["top"] if bound else None
            async with in_transaction():
                if top is not None:
                    await self._insert_recipients(campaign, int(top))
                    campaign.fix_cursor = int(top)
                else:
                    campaign.audience_fixed_at = now
                await Campaign.filter(id=campaign.id).update(
                    fix_cursor=campaign.fix_cursor, audience_fixed_at=campaign.audience_fixed_at
                )
            if top is None:
                return

    async def _insert_recipients(self, campaign: Campaign, top: int) -> None:
        audience: dict[str, Any] = campaign.audience or {}
        where = ["s.topic_key = ?", "s.id > ?", "s.id <= ?", "c.closed_at IS NULL"]
        params: list[Any] = [campaign.id, campaign.topic, campaign.fix_cursor, top]
        joins = "JOIN citizen c ON c.id = s.citizen_id"
        if audience.get("realname_only"):
            where.append("c.realname_verified")
        towns = list(audience.get("towns") or [])
        if towns:
            joins += " JOIN citizen_town t ON t.citizen_id = s.citizen_id"
            where.append(f"t.town IN ({', '.join('?' * len(towns))})")
            params += towns
        await sql.execute(
            "INSERT INTO campaign_recipient (campaign_id, citizen_id, state) "
            f"SELECT ?, s.citizen_id, 'pending' FROM topic_subscription s {joins} "
            f"WHERE {' AND '.join(where)} ON CONFLICT DO NOTHING",
            params,
        )

    # -- queueing --------------------------------------------------------------------------

    async def _next_batch(
        self, campaign: Campaign, rendered: dict[str, Rendered], quiet: rules.QuietHours
    ) -> int | None:
        """Queue one batch; None when nothing more may be queued now (done, the horizon is
        full, or the next quiet window is too close)."""
        wall_now, now = self.wall(), self.clock.now()
        gap = 1.0 / campaign.rate_per_second
        base = max(campaign.paced_until_ms / 1000, wall_now)
        room = self.horizon - (base - wall_now)
        quiet_at = quiet.next_start(now)
        if quiet_at is not None:  # nothing may fall due inside the quiet window
            room = min(room, (quiet_at - now).total_seconds() - (base - wall_now))
        size = min(self.batch, int(room / gap))
        if size <= 0 or await self._backlog() >= self.ahead:
            return None
        await asyncio.sleep(BETWEEN_BATCHES)
        rows = await sql.rows(
            "SELECT id, citizen_id FROM campaign_recipient WHERE campaign_id = ? AND id > ? "
            "ORDER BY id LIMIT ?",
            [campaign.id, campaign.cursor, size],
        )
        if not rows:  # every recipient handled: done once the last message has been tried
            if not await unfinished(campaign.id):
                await self._complete(campaign, now)
            return None
        began = time.perf_counter()
        async with in_transaction():
            queued = await self._queue(campaign, rows, rendered, base, gap, now)
        # SQLite has one writer at a time: leave the write lock free at least as long as the
        # batch held it, so the API's milestone rows (another process) get in between batches
        await asyncio.sleep(time.perf_counter() - began)
        campaign.cursor = int(rows[-1]["id"])
        campaign.paced_until_ms = int((base + queued * gap) * 1000)
        return queued

    async def _backlog(self) -> int:
        """Campaign messages waiting to be sent (counted up to ``ahead``)."""
        found = await sql.rows(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM notify_outbox WHERE lane = ? "
            "AND status = ? LIMIT ?) AS waiting",
            [CAMPAIGN_LANE, WAITING, self.ahead],
        )
        return int(found[0]["n"])

    async def _queue(
        self,
        campaign: Campaign,
        rows: list[dict[str, Any]],
        rendered: dict[str, Rendered],
        base: float,
        gap: float,
        now: datetime,
    ) -> int:
        """Inside the batch's transaction: cap, consents, outbox rows, states, cursor.

        The guard is written first: it takes SQLite's write lock before any read, because a
        transaction that reads first cannot upgrade once another process has written (it
        fails at once with "database is locked" instead of waiting)."""
        claimed = await sql.execute(
            "UPDATE campaign SET updated_at = ? WHERE id = ? AND status = ? AND cursor = ?",
            [now, campaign.id, RUNNING, campaign.cursor],
        )
        # paused or cancelled meanwhile, or another worker queued this batch: leave it
        if not claimed:
            raise Stopped()
        ids = {str(r["citizen_id"]): int(r["id"]) for r in rows}
        capped = await self._capped(campaign.id, list(ids), now)
        reach = await choose_many([c for c in ids if c not in capped], rendered, self.app_ids)
        slots: dict[str, tuple[str, Reach, float]] = {
            citizen: (campaign_key(campaign.id, citizen), r, base + i * gap)
            for i, (citizen, r) in enumerate(reach.items())
        }
        context = message_context(campaign)
        event = BY_KEY[campaign.topic].event
        await insert_messages(slots, rendered, context, event, now)
        stamp = int(now.timestamp() * 1000)
        await _mark([ids[c] for c in reach], QUEUED, stamp)
        await _mark([ids[c] for c in capped], CAPPED, None)
        await _mark([i for c, i in ids.items() if c not in reach and c not in capped], NO_CONSENT)
        if self.inside_batch is not None:
            await self.inside_batch(campaign.id)
        await sql.execute(
            "UPDATE campaign SET cursor = ?, paced_until_ms = ? WHERE id = ?",
            [rows[-1]["id"], int((base + len(reach) * gap) * 1000), campaign.id],
        )
        return len(reach)

    async def _capped(self, campaign_id: int, citizens: list[str], now: datetime) -> set[str]:
        """Citizens who already got ``cap`` campaign messages in the window."""
        since = int((now - timedelta(days=self.cap_days)).timestamp() * 1000)
        rows = await sql.rows(
            "SELECT citizen_id, COUNT(*) AS n FROM campaign_recipient WHERE state = ? "
            "AND queued_at_ms >= ? AND campaign_id <> ? "
            f"AND citizen_id IN ({', '.join('?' * len(citizens))}) GROUP BY citizen_id",
            [QUEUED, since, campaign_id, *citizens],
        )
        return {str(r["citizen_id"]) for r in rows if rules.over_cap(int(r["n"]), self.cap)}

    async def _complete(self, campaign: Campaign, now: datetime) -> None:
        done = await Campaign.filter(id=campaign.id, status=RUNNING).update(
            status=COMPLETED, finished_at=now, updated_at=now
        )
        if done:  # the chart's last point
            await series.record(campaign.id, OutboxCampaignDelivery(self.registry), now)
        if done and campaign.recurrence:
            await _next_year(campaign, now)


async def _mark(ids: list[int], state: str, stamp: int | None = None) -> None:
    if ids:
        await sql.execute(
            "UPDATE campaign_recipient SET state = ?, queued_at_ms = ? "
            f"WHERE id IN ({', '.join('?' * len(ids))})",
            [state, stamp, *ids],
        )


async def _next_year(campaign: Campaign, now: datetime) -> None:
    """A yearly campaign leaves next year's draft behind: it needs approval again."""
    assert campaign.recurrence is not None
    await Campaign.create(
        name=campaign.name,
        topic=campaign.topic,
        title=campaign.title,
        summary=campaign.summary,
        page=campaign.page,
        send_at=rules.next_yearly(campaign.send_at, campaign.recurrence),
        quiet_start=campaign.quiet_start,
        quiet_end=campaign.quiet_end,
        rate_per_second=campaign.rate_per_second,
        audience=campaign.audience,
        recurrence=campaign.recurrence,
        status=DRAFT,
        author_id=campaign.author_id,
        created_at=now,
        updated_at=now,
    )
