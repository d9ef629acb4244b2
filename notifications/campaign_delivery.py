"""``core.ports.CampaignDelivery``: the notification side of campaigns.

A campaign's messages are the outbox rows whose key starts with ``campaign:{id}:``; the
unique index on ``key`` serves every range query here.
"""

from __future__ import annotations

import json
import string
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.campaigns.models import Campaign
from core.campaigns.service import message_context
from core.campaigns.testers import resolve_testers
from core.errors import InvalidInput
from core.topics.catalog import BY_KEY
from notifications import consents, sql
from notifications.bulk import Rendered, choose_many, insert_messages, render_all
from notifications.fitting import FitError, fit_alipay, fit_wechat
from notifications.models import CAMPAIGN_LANE, ONE_TIME, QUEUED, SENDING
from notifications.templates import PLATFORMS, Registry

CHECKED = ("title", "summary")


def campaign_key(campaign_id: int, citizen_id: str) -> str:
    """The unique key of a campaign's message to one citizen: at most one each."""
    return f"campaign:{campaign_id}:{citizen_id}"


def key_range(campaign_id: int) -> tuple[str, str]:
    """[low, high) covering every key of the campaign (';' follows ':')."""
    return f"campaign:{campaign_id}:", f"campaign:{campaign_id};"


class OutboxCampaignDelivery:
    """The campaign port over the template registry and the outbox."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def fitting(self, event: str, context: dict[str, str]) -> list[dict[str, Any]]:
        """Each value the platforms' rules change (``shortened``) or refuse (``does_not_fit``),
        judged by the same fitting functions that render the message for sending."""
        found: list[dict[str, Any]] = []
        for platform in PLATFORMS:
            template = self.registry.template(event, platform)
            for key, pattern in template.data if template else ():
                fields = sorted(_names(pattern) & set(CHECKED))
                value = " ".join(string.Formatter().vformat(pattern, (), context).split())
                entry = {"platform": platform, "key": key, "fields": fields, "value": value}
                try:
                    sent = fit_alipay(value) if platform == "alipay" else fit_wechat(key, value)
                except FitError:
                    found.append({"code": "does_not_fit", **entry, "sent_as": None})
                    continue
                if sent != value and fields:
                    found.append({"code": "shortened", **entry, "sent_as": sent})
        return found

    def rendered(self, event: str, context: dict[str, str]) -> dict[str, Rendered]:
        """The message per platform, exactly as sent; InvalidInput ``does_not_fit`` when a
        value cannot be fitted (the templates file changed since the campaign was made)."""
        try:
            return render_all(self.registry, event, context)
        except FitError as exc:
            raise InvalidInput(
                "The message does not fit the topic's template.",
                code="does_not_fit",
                details={"reason": str(exc)},
            ) from exc

    def preview(self, event: str, context: dict[str, str]) -> dict[str, dict[str, object]]:
        shown: dict[str, dict[str, object]] = {}
        for platform, message in self.rendered(event, context).items():
            data = {k: {"value": v} for k, v in message.data.items()}
            if platform == "alipay":
                shown[platform] = {
                    "user_template_id": message.template.template_id,
                    "page": message.page,
                    "data": json.dumps(data, ensure_ascii=False),
                }
            else:
                shown[platform] = {
                    "template_id": message.template.template_id,
                    "page": message.page,
                    "data": data,
                    "lang": "zh_CN",
                }
        return shown

    async def hold(self, campaign_id: int) -> None:
        await hold_queued(campaign_id)

    async def release(self, campaign_id: int) -> None:
        await release_held(campaign_id, int(time.time() * 1000))

    async def withdraw(self, campaign_id: int, at: datetime) -> int:
        return await withdraw_queued(campaign_id, at)

    async def outcomes(self, campaign_id: int) -> dict[str, dict[str, int]]:
        rows = await sql.rows(
            "SELECT status, COUNT(*) AS n FROM notify_outbox WHERE key >= ? AND key < ? "
            "GROUP BY status",
            list(key_range(campaign_id)),
        )
        status = {str(r["status"]): int(r["n"]) for r in rows}
        reasons: defaultdict[str, int] = defaultdict(int)
        if status.get("failed"):
            errors = await sql.rows(
                "SELECT last_error FROM notify_outbox WHERE key >= ? AND key < ? "
                "AND status = 'failed'",
                list(key_range(campaign_id)),
            )
            for r in errors:
                reasons[(str(r["last_error"]).split(" ", 1)[0] or "unknown")] += 1
        return {"status": status, "failed_by_reason": dict(reasons)}


# A paused campaign's queued rows keep their due times shifted by HELD_FROM: never due, and
# a resume shifts them back by the same amount less the pause's length, so they go out at
# the campaign's own pace instead of all at once. The claim query's index (lane, status,
# next_attempt_at) finds a campaign's held or waiting rows without walking its sent ones.
HELD_FROM = 4_000_000_000_000_000  # epoch ms, about the year 128,000
_MINE = f"lane = '{CAMPAIGN_LANE}' AND status = '{QUEUED}' AND key >= ? AND key < ?"


async def hold_queued(campaign_id: int) -> int:
    """Take the campaign's queued messages back from the dispatcher (pause)."""
    return await sql.execute(
        f"UPDATE notify_outbox SET next_attempt_at = next_attempt_at + ? "
        f"WHERE {_MINE} AND next_attempt_at < ?",
        [HELD_FROM, *key_range(campaign_id), HELD_FROM],
    )


async def release_held(campaign_id: int, now_ms: int) -> int:
    """Make the campaign's held messages due again (resume), each as far after ``now_ms`` as
    it was after the first of them, and move the campaign's next free slot on as much."""
    async with in_transaction():
        found = await sql.rows(
            f"SELECT MIN(next_attempt_at) AS first FROM notify_outbox "
            f"WHERE {_MINE} AND next_attempt_at >= ?",
            [*key_range(campaign_id), HELD_FROM],
        )
        first = found[0]["first"] if found else None
        if first is None:
            return 0
        shift = max(0, now_ms - (int(first) - HELD_FROM))
        released = await sql.execute(
            f"UPDATE notify_outbox SET next_attempt_at = next_attempt_at - ? "
            f"WHERE {_MINE} AND next_attempt_at >= ?",
            [HELD_FROM - shift, *key_range(campaign_id), HELD_FROM],
        )
        await sql.execute(
            "UPDATE campaign SET paced_until_ms = paced_until_ms + ? WHERE id = ?",
            [shift, campaign_id],
        )
    return released


async def unfinished(campaign_id: int) -> bool:
    """Whether any message of the campaign is still to be tried (queued, held or sending)."""
    found = await sql.rows(
        "SELECT 1 AS x FROM notify_outbox WHERE lane = ? AND status IN (?, ?) "
        "AND key >= ? AND key < ? LIMIT 1",
        [CAMPAIGN_LANE, QUEUED, SENDING, *key_range(campaign_id)],
    )
    return bool(found)


async def withdraw_queued(campaign_id: int, at: datetime) -> int:
    """Remove the campaign's queued messages for good and free their consents (cancel)."""
    async with in_transaction():
        rows = await sql.rows(
            f"DELETE FROM notify_outbox WHERE {_MINE} "
            "RETURNING citizen_id, channel, template_id, consent",
            list(key_range(campaign_id)),
        )
        released: Counter[consents.ConsentKey] = Counter(
            (str(r["citizen_id"]), str(r["channel"]), str(r["template_id"]))
            for r in rows
            if r["consent"] == ONE_TIME
        )
        await consents.settle(Counter(), released, Counter(), at)
        citizens = [str(r["citizen_id"]) for r in rows]
        for start in range(0, len(citizens), 500):
            part = citizens[start : start + 500]
            await sql.execute(
                "UPDATE campaign_recipient SET state = 'withdrawn' WHERE campaign_id = ? "
                f"AND citizen_id IN ({', '.join('?' * len(part))})",
                [campaign_id, *part],
            )
    return len(rows)


async def test_send(
    rendered: Mapping[str, Rendered],
    app_ids: Mapping[str, str],
    context: dict[str, str],
    event: str,
    campaign_id: int,
    citizen_ids: list[str],
    at: datetime,
) -> list[dict[str, str]]:
    """Queue the campaign's message, rendered as the campaign sends it, to the named
    citizens (staff members' own accounts: the caller checks that) now, whatever the
    campaign's state: each spends a consent like any message. Their keys are outside the
    campaign's range, so they never count in its figures or its cap."""
    due = time.time()
    stamp = int(due * 1000)
    async with in_transaction():
        reach = await choose_many(citizen_ids, rendered, app_ids)
        slots = {
            citizen: (f"campaign-test:{campaign_id}:{citizen}:{stamp}", r, due)
            for citizen, r in reach.items()
        }
        await insert_messages(slots, rendered, context, event, at)
    return [
        {"citizen_id": c, "channel": reach[c].channel, "status": QUEUED}
        if c in reach
        else {"citizen_id": c, "channel": "none", "status": "no_consent"}
        for c in citizen_ids
    ]


async def test_send_to_staff(
    registry: Registry,
    app_ids: Mapping[str, str],
    campaign: Campaign,
    body: Mapping[str, Any],
    at: datetime,
) -> list[dict[str, str]]:
    """The campaign's message now to the staff named in ``body`` (``{"staff": [username]}``)
    at their own linked citizen accounts: ``[{"username", "citizen_id", "channel",
    "status"}]``; 422 ``not_a_test_recipient`` (nothing sent) for anyone else."""
    testers = await resolve_testers(body)
    context = message_context(campaign)
    event = BY_KEY[campaign.topic].event
    rendered = OutboxCampaignDelivery(registry).rendered(event, context)
    citizens = [t.citizen_id for t in testers]
    sent = await test_send(rendered, app_ids, context, event, campaign.id, citizens, at)
    return [{"username": t.username} | m for t, m in zip(testers, sent, strict=True)]


def _names(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}
