"""The consent ledger: one-time credits, long-term consents and rejections per template.

The mini-program reports each tap on ``wx.requestSubscribeMessage`` / ``my.requestSubscribe
Message``: every one-time accept is one credit (exactly one later message), a long-term
accept allows many, a reject is counted. A queued message reserves a credit; the credit is
spent only when the platform accepts the message, released when the message fails for any
other reason, and zeroed when the platform says none is left (WeChat 43101): the platform
is the truth, this ledger is what lets us avoid sending without consent.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.errors import InvalidInput
from core.outbox.models import LONG_TERM, ONE_TIME, Consent
from notifications import sql
from notifications.templates import Registry

# One tap asks about at most this many templates (the platforms' own limits).
MAX_PER_TAP = {"wechat": 5, "alipay": 3}

ConsentKey = tuple[str, str, str]  # (citizen_id, platform, template_id)


def _ids(body: dict[str, Any], name: str, known: dict[str, bool]) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"'{name}' must be a list of template ids.", details={"field": name})
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise InvalidInput(
            "Unknown template ids for this platform.",
            code="unknown_template",
            details={"field": name, "template_ids": unknown},
        )
    return list(dict.fromkeys(value))  # one answer per id and tap, as the platform gives


def read_answers(body: dict[str, Any], platform: str, registry: Registry) -> tuple[list[str], ...]:
    """(accepted, rejected) template ids from a POST /consents body; InvalidInput if wrong."""
    known = registry.template_ids(platform)
    accepted, rejected = _ids(body, "accepted", known), _ids(body, "rejected", known)
    if set(accepted) & set(rejected):
        raise InvalidInput("A template cannot be both accepted and rejected.", code="conflicting")
    if len(accepted) + len(rejected) > MAX_PER_TAP[platform]:
        raise InvalidInput(
            f"One consent request covers at most {MAX_PER_TAP[platform]} templates.",
            code="too_many_templates",
        )
    kinds = {known[t] for t in accepted + rejected}
    if len(kinds) > 1:
        raise InvalidInput("One-time and long-term templates are asked separately.", code="mixed")
    return accepted, rejected


async def record_answers(
    citizen_id: str,
    platform: str,
    accepted: list[str],
    rejected: list[str],
    registry: Registry,
    now: datetime,
) -> None:
    """Count one tap's answers for the citizen."""
    long_term = registry.template_ids(platform)
    async with in_transaction():
        await Consent.bulk_create(
            [
                Consent(citizen_id=citizen_id, platform=platform, template_id=t, updated_at=now)
                for t in accepted + rejected
            ],
            ignore_conflicts=True,  # rows that exist already are updated below
        )
        for template_id in accepted:
            await _accept(citizen_id, platform, template_id, long_term[template_id], now)
        for template_id in rejected:
            # a long-term consent turned off ends; one-time credits already given stay valid
            await sql.execute(
                "UPDATE notify_consent SET rejections = rejections + 1, long_term = ?, "
                "updated_at = ? WHERE citizen_id = ? AND platform = ? AND template_id = ?",
                [False, now, citizen_id, platform, template_id],
            )


async def _accept(
    citizen_id: str, platform: str, template_id: str, long_term: bool, now: datetime
) -> None:
    grant = "long_term = TRUE" if long_term else "credits = credits + 1, exhausted_at = NULL"
    await sql.execute(
        f"UPDATE notify_consent SET accepts = accepts + 1, {grant}, updated_at = ? "
        "WHERE citizen_id = ? AND platform = ? AND template_id = ?",
        [now, citizen_id, platform, template_id],
    )


async def counts(citizen_id: str, platform: str, registry: Registry) -> dict[str, Any]:
    """The citizen's consent counts for every template of the platform."""
    rows = {
        c.template_id: c for c in await Consent.filter(citizen_id=citizen_id, platform=platform)
    }
    entries = []
    for template_id, long_term in registry.template_ids(platform).items():
        row = rows.get(template_id)
        entries.append(
            {
                "template_id": template_id,
                "events": [
                    t.event for t in registry.for_platform(platform) if t.template_id == template_id
                ],
                "long_term_template": long_term,
                "long_term": bool(row and row.long_term),
                "credits": max(row.credits - row.reserved, 0) if row else 0,
                "reserved": row.reserved if row else 0,
                "rejections": row.rejections if row else 0,
            }
        )
    return {"platform": platform, "consents": entries}


async def reserve(citizen_id: str, platform: str, template_id: str) -> str | None:
    """Hold a consent for one message: LONG_TERM, ONE_TIME (a credit reserved) or None.

    The conditional update is one statement, so two messages racing for the last credit
    cannot both get it.
    """
    row = await Consent.get_or_none(
        citizen_id=citizen_id, platform=platform, template_id=template_id
    )
    if row is None:
        return None
    if row.long_term:
        return LONG_TERM
    taken = await sql.execute(
        "UPDATE notify_consent SET reserved = reserved + 1 WHERE id = ? AND credits > reserved",
        [row.id],
    )
    return ONE_TIME if taken else None


async def settle(
    spent: Counter[ConsentKey],
    released: Counter[ConsentKey],
    exhausted: Counter[ConsentKey],
    now: datetime,
) -> None:
    """Apply a batch of outcomes to reserved credits (call inside the batch's transaction).

    One statement per kind of outcome, run for every key at once (executemany): one
    round trip to the database for a batch, not one per message."""
    clamp = "CASE WHEN reserved > ? THEN reserved - ? ELSE 0 END"
    where = "WHERE citizen_id = ? AND platform = ? AND template_id = ?"
    statements = (
        (
            f"UPDATE notify_consent SET credits = CASE WHEN credits > ? THEN credits - ? ELSE 0 "
            f"END, reserved = {clamp}, updated_at = ? {where}",
            [[n, n, n, n, now, *key] for key, n in spent.items()],
        ),
        (
            f"UPDATE notify_consent SET reserved = {clamp}, updated_at = ? {where}",
            [[n, n, now, *key] for key, n in released.items()],
        ),
        (
            f"UPDATE notify_consent SET credits = 0, long_term = FALSE, reserved = {clamp}, "
            f"exhausted_at = ?, updated_at = ? {where}",
            [[n, n, now, now, *key] for key, n in exhausted.items()],
        ),
    )
    for statement, values in statements:
        if values:
            await sql.execute_many(statement, values)
