"""Each running ``citysvc worker`` stamps a row here: its liveness, readable from any machine."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class WorkerHeartbeat(Model):
    """One row per worker process (host and pid), stamped every few seconds while it runs"""

    worker = fields.CharField(max_length=128, primary_key=True)
    started_at = fields.DatetimeField()
    beat_at = fields.DatetimeField()
    stopped_at = fields.DatetimeField(null=True)

    class Meta:
        table = "worker_heartbeat"
