"""Subscribing and unsubscribing citizens to topics (used by the bot and the topics API)."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError

from core.errors import NotFound
from core.topics.catalog import BY_KEY, TOPICS, Topic
from core.topics.models import TopicSubscription


def topic_of(key: str) -> Topic:
    """The topic with ``key``; NotFound ``topic_not_found`` otherwise."""
    topic = BY_KEY.get(key)
    if topic is None:
        raise NotFound("No such topic.", code="topic_not_found", details={"key": key[:64]})
    return topic


async def subscribe(citizen_id: str, key: str, now: datetime) -> bool:
    """Subscribe; True when newly subscribed, False when already (idempotent)."""
    topic_of(key)
    if await TopicSubscription.exists(citizen_id=citizen_id, topic_key=key):
        return False
    try:
        await TopicSubscription.create(citizen_id=citizen_id, topic_key=key, created_at=now)
    except IntegrityError:  # a concurrent subscribe won the unique key: same outcome
        return False
    return True


async def unsubscribe(citizen_id: str, key: str) -> bool:
    """Unsubscribe; True when a subscription was removed."""
    topic_of(key)
    return await TopicSubscription.filter(citizen_id=citizen_id, topic_key=key).delete() > 0


async def subscribed_keys(citizen_id: str) -> set[str]:
    rows = await TopicSubscription.filter(citizen_id=citizen_id).values_list("topic_key", flat=True)
    return {str(key) for key in rows}


async def list_topics(citizen_id: str) -> list[dict[str, object]]:
    """The contract's ``[{"key", "name", "subscribed"}]`` for one citizen."""
    mine = await subscribed_keys(citizen_id)
    return [{"key": t.key, "name": t.name, "subscribed": t.key in mine} for t in TOPICS]


async def subscribers(key: str) -> list[str]:
    """Citizen ids subscribed to ``key`` (for campaigns)."""
    topic_of(key)
    rows = await TopicSubscription.filter(topic_key=key).values_list("citizen_id", flat=True)
    return [str(c) for c in rows]


async def forget(citizen_id: str, _now: datetime) -> None:
    """Account closure: the citizen's topic follows go."""
    await TopicSubscription.filter(citizen_id=citizen_id).delete()
