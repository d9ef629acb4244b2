"""Choosing channels and queueing messages for many citizens at once (campaigns, releases).

``ChannelChooser`` answers one citizen with two or three queries; a campaign to a million
citizens cannot afford that. Here one batch costs a handful of statements: the accounts and
consents of the whole batch are read at once and one-time credits are reserved with one
conditional UPDATE. The order of preference is the chooser's (WeChat, then Alipay); the
Official Account is not used, since campaigns go only to citizens holding a consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import orjson

from core.outbox.models import CAMPAIGN_LANE, LONG_TERM, ONE_TIME, QUEUED
from notifications import sql
from notifications.templates import PLATFORMS, Registry, Template


@dataclass(frozen=True)
class Rendered:
    """A message that is the same for every recipient, on one platform."""

    template: Template
    data: dict[str, str]
    page: str


@dataclass(frozen=True)
class Reach:
    """How one citizen is reached: platform, open_id and the consent reserved."""

    channel: str
    recipient: str
    consent: str


def render_all(registry: Registry, event: str, context: Mapping[str, str]) -> dict[str, Rendered]:
    """The message per platform that has a template; ``context["page"]`` overrides the
    template's page when set. FitError when a value cannot fit."""
    found = {}
    for platform in PLATFORMS:
        template = registry.template(event, platform)
        if template is not None:
            data, page = template.render(context)
            found[platform] = Rendered(template, data, context.get("page") or page)
    return found


def _marks(values: list[object]) -> str:
    return ", ".join("?" * len(values))


async def _accounts(citizens: list[str], app_ids: Mapping[str, str]) -> dict[tuple[str, str], str]:
    rows = await sql.rows(
        "SELECT citizen_id, platform, app_id, open_id FROM platform_account "
        f"WHERE citizen_id IN ({_marks(list(citizens))})",
        list(citizens),
    )
    return {
        (str(r["citizen_id"]), str(r["platform"])): str(r["open_id"])
        for r in rows
        if app_ids.get(str(r["platform"])) == r["app_id"]
    }


async def _consents(
    citizens: list[str], rendered: Mapping[str, Rendered]
) -> dict[tuple[str, str], tuple[int, bool]]:
    """(citizen, platform) -> (consent row id, long-term) for rows that allow a message."""
    found: dict[tuple[str, str], tuple[int, bool]] = {}
    for platform, message in rendered.items():
        rows = await sql.rows(
            "SELECT id, citizen_id, long_term FROM notify_consent WHERE platform = ? AND "
            f"template_id = ? AND (long_term OR credits > reserved) "
            f"AND citizen_id IN ({_marks(list(citizens))})",
            [platform, message.template.template_id, *citizens],
        )
        for r in rows:
            found[(str(r["citizen_id"]), platform)] = (int(r["id"]), bool(r["long_term"]))
    return found


async def choose_many(
    citizens: list[str], rendered: Mapping[str, Rendered], app_ids: Mapping[str, str]
) -> dict[str, Reach]:
    """The reach of every citizen holding a consent, one-time credits reserved (call
    inside the transaction that queues the messages)."""
    if not citizens or not rendered:
        return {}
    accounts = await _accounts(citizens, app_ids)
    consents = await _consents(citizens, rendered)
    picked: dict[str, tuple[str, int, bool]] = {}
    for citizen in citizens:
        for platform in PLATFORMS:
            held = consents.get((citizen, platform))
            if held is not None and (citizen, platform) in accounts:
                picked[citizen] = (platform, *held)
                break
    one_time = [consent_id for _, consent_id, long_term in picked.values() if not long_term]
    reserved = await _reserve(one_time)
    return {
        citizen: Reach(platform, accounts[(citizen, platform)], LONG_TERM if lt else ONE_TIME)
        for citizen, (platform, consent_id, lt) in picked.items()
        if lt or consent_id in reserved
    }


async def _reserve(consent_ids: list[int]) -> set[int]:
    """Reserve one credit on each row; the ids that still had one (a concurrent milestone
    may have taken the last)."""
    if not consent_ids:
        return set()
    rows = await sql.rows(
        "UPDATE notify_consent SET reserved = reserved + 1 "
        f"WHERE id IN ({_marks(list(consent_ids))}) AND credits > reserved RETURNING id",
        list(consent_ids),
    )
    return {int(r["id"]) for r in rows}


_INSERT = (
    "INSERT INTO notify_outbox (key, lane, citizen_id, event, channel, recipient, template_id, "
    "page, data, context, consent, status, attempts, next_attempt_at, last_error, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?) ON CONFLICT (key) DO NOTHING"
)


async def insert_messages(
    reached: Mapping[str, tuple[str, Reach, float]],
    rendered: Mapping[str, Rendered],
    context: dict[str, str],
    event: str,
    at: datetime,
) -> int:
    """Write campaign-lane outbox rows for ``citizen -> (key, reach, due epoch seconds)``;
    a key already queued (a rerun after a crash) is skipped. One statement for the batch:
    building ORM objects cost a third of a campaign worker's time."""
    encoded = {channel: orjson.dumps(m.data).decode() for channel, m in rendered.items()}
    shared = orjson.dumps(context).decode()
    values = [
        [
            key,
            CAMPAIGN_LANE,
            citizen,
            event,
            reach.channel,
            reach.recipient,
            rendered[reach.channel].template.template_id,
            rendered[reach.channel].page,
            encoded[reach.channel],
            shared,
            reach.consent,
            QUEUED,
            int(due * 1000),
            at,
        ]
        for citizen, (key, reach, due) in reached.items()
    ]
    if values:
        await sql.execute_many(_INSERT, values)
    return len(values)


async def existing_keys(keys: list[str]) -> set[str]:
    """Which of ``keys`` are queued already (a rerun after a crash)."""
    if not keys:
        return set()
    rows = await sql.rows(
        f"SELECT key FROM notify_outbox WHERE key IN ({_marks(list(keys))})", list(keys)
    )
    return {str(r["key"]) for r in rows}
