"""Staff accounts: clerks, supervisors, publicity and administrators."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

ROLES = ("clerk", "supervisor", "publicity", "admin")


class StaffMember(Model):
    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=256)
    role = fields.CharField(max_length=16)
    # clerks and supervisors act only on their department's cases
    department_code = fields.CharField(max_length=64, null=True, db_index=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    # the staff member's own citizen account: the only kind of recipient a campaign's
    # unapproved test message may go to (set by an administrator, `citysvc staff link`)
    citizen_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_member"
