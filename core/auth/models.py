"""Server-side sessions: what makes a signed token revocable."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Session(Model):
    """One login. A token is valid only while its row exists, is unexpired and not revoked."""

    id = fields.CharField(max_length=32, primary_key=True)
    kind = fields.CharField(max_length=16)  # "citizen" or "staff"
    subject_id = fields.CharField(max_length=64, db_index=True)
    platform = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    # staff sessions end after STAFF_IDLE_MINUTES without a request (citizens' do not)
    last_seen_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"
