"""Campaigns and their fixed audiences.

A campaign's audience is fixed when it starts: one ``CampaignRecipient`` row per targeted
citizen, written in batches. The runner walks those rows in id order and saves its place in
``Campaign.cursor`` in the same transaction as the messages it queued, so a crash resumes
where it stopped.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

# Campaign statuses (docs/api.md)
DRAFT = "draft"
SCHEDULED = "scheduled"
RUNNING = "running"
PAUSED = "paused"
COMPLETED = "completed"
CANCELLED = "cancelled"

# Recipient states: waiting, queued in the outbox, or why not
PENDING = "pending"
QUEUED = "queued"
NO_CONSENT = "no_consent"
CAPPED = "capped"
WITHDRAWN = "withdrawn"  # the campaign was cancelled before its message went out


class Campaign(Model):
    """One publicity campaign: a topic message to the topic's subscribers."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100)
    topic = fields.CharField(max_length=32)
    title = fields.CharField(max_length=64)
    summary = fields.CharField(max_length=200)
    page = fields.CharField(max_length=512, default="")
    send_at = fields.DatetimeField()
    quiet_start = fields.CharField(max_length=5, default="21:00")  # HH:MM China time
    quiet_end = fields.CharField(max_length=5, default="08:00")
    rate_per_second = fields.IntField(default=50)
    audience: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    recurrence = fields.CharField(max_length=5, null=True)  # MM-DD, yearly
    status = fields.CharField(max_length=16, default=DRAFT, db_index=True)
    author_id = fields.BigIntField()
    approver_id = fields.BigIntField(null=True)
    fix_cursor = fields.BigIntField(default=0)  # last subscription id taken into the audience
    audience_fixed_at = fields.DatetimeField(null=True)
    cursor = fields.BigIntField(default=0)  # last recipient id handled
    paced_until_ms = fields.BigIntField(default=0)  # the next free send slot, epoch ms
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "campaign"


class CampaignRecipient(Model):
    """One citizen of a campaign's fixed audience and what became of them."""

    id = fields.BigIntField(primary_key=True)
    campaign_id = fields.BigIntField()
    citizen_id = fields.UUIDField()
    state = fields.CharField(max_length=16, default=PENDING)
    queued_at_ms = fields.BigIntField(null=True)  # epoch ms: compared in SQL on both dialects

    class Meta:
        table = "campaign_recipient"
        unique_together = (("campaign_id", "citizen_id"),)
        # the cap counts a citizen's queued campaign messages in a window, the runner walks
        # a campaign's rows in id order
        indexes = (("citizen_id", "state", "queued_at_ms"), ("campaign_id", "id"))


class CitizenTown(Model):
    """The township a citizen said they live in (campaign audiences may filter by it)."""

    citizen_id = fields.UUIDField(primary_key=True)
    town = fields.CharField(max_length=32, db_index=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "citizen_town"


class CampaignSample(Model):
    """A campaign's figures at one moment, written by the worker while it sends: the points
    of the live chart (sent, failed, no consent and remaining over time)."""

    id = fields.BigIntField(primary_key=True)
    campaign_id = fields.BigIntField()
    at_ms = fields.BigIntField()  # epoch ms
    targeted = fields.IntField()
    sent = fields.IntField()
    failed = fields.IntField()
    no_consent = fields.IntField()
    remaining = fields.IntField()

    class Meta:
        table = "campaign_sample"
        indexes = (("campaign_id", "at_ms"),)
