"""Topic subscriptions: which citizen follows which topic of the CONTRACT's list."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TopicSubscription(Model):
    """One citizen following one topic: campaigns for the topic go to its subscribers."""

    id = fields.BigIntField(primary_key=True)
    citizen_id = fields.UUIDField(db_index=True)
    topic_key = fields.CharField(max_length=32, db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "topic_subscription"
        unique_together = (("citizen_id", "topic_key"),)
