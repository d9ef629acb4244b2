"""Staff alerts: raised once per case and kind, listed for the case's department; and their
delivery to WeCom group robots (each department's robot key, the queued robot messages)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# GCM associated data of robot keys: a key copied into another column fails to decrypt.
ROBOT_KEY_CONTEXT = "wecom.robot_key"


class StaffAlert(Model):
    """Something about one case that its department must act on.

    ``kind`` names what happened (``shipment.problem``, ``shipment.refused``, a supervision
    rule...). The (case, kind) pair is unique, so however often the cause is reported the
    alert is raised once; resolving it keeps the row (the record of what happened).
    """

    id = fields.BigIntField(primary_key=True)
    department_code = fields.CharField(max_length=64, db_index=True)
    application_id = fields.BigIntField(db_index=True)
    kind = fields.CharField(max_length=64)
    level = fields.CharField(max_length=16)  # "info", "warning" or "critical"
    message = fields.TextField()
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_alert"
        unique_together = (("application_id", "kind"),)


class RobotKey(Model):
    """A department's WeCom group robot key (a secret: stored encrypted with ``PII_KEY``)."""

    department_code = fields.CharField(max_length=64, primary_key=True)
    key_enc = fields.TextField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "robot_key"


class RobotMessage(Model):
    """A markdown block waiting for (or already through) a department's robot.

    ``dedupe_key`` (``alert:<id>``, ``digest:<department>:<date>``) makes queueing the same
    thing twice, from any number of workers, a no-op.
    """

    id = fields.BigIntField(primary_key=True)
    department_code = fields.CharField(max_length=64)
    dedupe_key = fields.CharField(max_length=128, unique=True)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "robot_message"
        indexes = (("department_code", "sent_at"),)
