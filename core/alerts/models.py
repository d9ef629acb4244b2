"""Staff alerts: raised once per case and kind, listed for the case's department."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


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
