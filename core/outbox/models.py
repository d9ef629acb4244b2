"""The consent ledger, the outbox, its delivery attempts and the SQLite claimer lease.

Times the dispatcher compares in raw SQL (``next_attempt_at``, ``lease_expires_at``) are
milliseconds since the epoch: SQLite keeps datetimes as text, whose ordering breaks across
UTC offsets, while integers compare the same on both databases.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

# Message statuses (docs/api.md); the first two are live, the rest are final.
QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
NO_CONSENT = "no_consent"
NO_CHANNEL = "no_channel"
FINAL = frozenset({SENT, FAILED, NO_CONSENT, NO_CHANNEL})

MILESTONE_LANE = "milestone"
CAMPAIGN_LANE = "campaign"
LANES = (MILESTONE_LANE, CAMPAIGN_LANE)

ONE_TIME = "one_time"
LONG_TERM = "long_term"


class Consent(Model):
    """What one citizen allowed on one platform for one template.

    ``credits`` are one-time consents not yet spent; ``reserved`` of them are held by
    queued messages, so two milestones never count on the same credit. A credit is spent
    only when the platform accepts a message; ``exhausted_at`` records the platform saying
    there was none left (WeChat 43101).
    """

    id = fields.BigIntField(primary_key=True)
    citizen_id = fields.UUIDField()
    platform = fields.CharField(max_length=16)
    template_id = fields.CharField(max_length=128)
    credits = fields.IntField(default=0)
    reserved = fields.IntField(default=0)
    long_term = fields.BooleanField(default=False)
    accepts = fields.IntField(default=0)
    rejections = fields.IntField(default=0)
    exhausted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "notify_consent"
        unique_together = (("citizen_id", "platform", "template_id"),)


class OutboxMessage(Model):
    """One message to one citizen through one channel, written with the change it reports.

    ``key`` is unique: (case, milestone, event, channel) for milestones, so a repeated
    trigger inserts nothing. While a worker sends the row, ``lease_owner`` holds it until
    ``lease_expires_at``; a row still ``sending`` after that belonged to a dead worker and is
    claimed again.
    """

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=191, unique=True)
    lane = fields.CharField(max_length=16)
    application_id = fields.BigIntField(null=True, db_index=True)
    milestone_id = fields.BigIntField(null=True, db_index=True)
    citizen_id = fields.UUIDField()
    event = fields.CharField(max_length=64)
    channel = fields.CharField(max_length=24)  # wechat | alipay | official_account | none
    recipient = fields.CharField(max_length=128, null=True)  # the platform open_id
    template_id = fields.CharField(max_length=128, null=True)
    page = fields.CharField(max_length=512, null=True)
    data: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    # the values the template was filled from, kept to render a fallback channel's message
    context: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    consent = fields.CharField(max_length=16, null=True)  # what a send spends: one_time...
    status = fields.CharField(max_length=16)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.BigIntField()  # epoch ms
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_expires_at = fields.BigIntField(null=True)  # epoch ms
    last_error = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notify_outbox"
        # the two halves of the claim query: due queued rows, and expired leases
        indexes = (
            ("lane", "status", "next_attempt_at"),
            ("lane", "status", "lease_expires_at"),
            ("citizen_id", "id"),  # the citizen's inbox, newest first
        )


class DeliveryAttempt(Model):
    """One try at sending a message, and what came of it."""

    id = fields.BigIntField(primary_key=True)
    message_id = fields.BigIntField(db_index=True)
    attempt = fields.IntField()
    worker = fields.CharField(max_length=64)
    outcome = fields.CharField(max_length=16)  # sent | retry | failed | no_consent
    code = fields.CharField(max_length=64, default="")  # the platform's errcode / sub_code
    detail = fields.CharField(max_length=200, default="")
    elapsed_ms = fields.IntField(default=0)
    retry_in_ms = fields.IntField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "notify_attempt"


class ClaimerLease(Model):
    """On SQLite one worker at a time claims messages: the one holding this row's lease."""

    name = fields.CharField(max_length=32, primary_key=True)
    owner = fields.CharField(max_length=64)
    expires_at = fields.BigIntField()  # epoch ms

    class Meta:
        table = "notify_claimer"
