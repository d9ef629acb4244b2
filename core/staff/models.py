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
    # two-factor sign-in (STAFF_TOTP=required): the TOTP secret encrypted like personal
    # data, and the last time step a code was accepted for (a code is never taken twice)
    otp_secret_enc = fields.TextField(null=True)
    otp_last_step = fields.BigIntField(null=True)

    class Meta:
        table = "staff_member"


class StaffAccessEntry(Model):
    """One line of the staff access log: who signed in, failed, was locked out, viewed a case
    or downloaded a material. Append-only: the database itself refuses to change a line or
    to delete one younger than the retention period (migration 0009's triggers)."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    event = fields.CharField(max_length=32)
    staff_id = fields.BigIntField(null=True, db_index=True)
    username = fields.CharField(max_length=64)  # as typed, masked when it names nobody
    address = fields.CharField(max_length=64, null=True)
    subject = fields.CharField(max_length=64, null=True)  # a case number or a file id
    detail = fields.CharField(max_length=200, default="")

    class Meta:
        table = "staff_access_log"
