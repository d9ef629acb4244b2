"""Applications (办件), their append-only audit trail, and the milestones they produce."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class CaseNumber(Model):
    """One row per number handed out: the database's own counter makes numbers unique."""

    id = fields.BigIntField(primary_key=True)
    issued_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_number"


class Application(Model):
    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    citizen_id = fields.UUIDField(db_index=True)  # whose case it is
    agent_id = fields.UUIDField(null=True, db_index=True)  # who filed it on their behalf
    item_code = fields.CharField(max_length=64)
    item_version_id = fields.BigIntField()  # the catalogue version the case was filed under
    department_code = fields.CharField(max_length=64, db_index=True)
    status = fields.CharField(max_length=32, db_index=True)
    resume_status = fields.CharField(max_length=32, null=True)  # where a supplement returns
    form: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    materials: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    delivery_method = fields.CharField(max_length=16)
    delivery_address_enc = fields.TextField(null=True)  # ciphertext: personal data
    # what the citizen's own views show (name, phone and street masked), written with the
    # ciphertext so the most frequent read needs no decryption
    delivery_address_masked: fields.JSONField[dict[str, str]] = fields.JSONField(null=True)
    # the citizen's timeline as they read it, one item appended with each audit entry in the
    # same transaction (the audit trail stays the record; empty for cases filed before 0004)
    citizen_timeline: fields.JSONField[list[dict[str, str]]] = fields.JSONField(null=True)
    promised_days = fields.IntField()
    legal_days = fields.IntField()
    accepted_on = fields.DateField(null=True)
    paused_since = fields.DateField(null=True)
    paused_workdays = fields.IntField(default=0)
    extended_days = fields.IntField(default=0)
    due_date = fields.DateField(null=True)
    due_provisional = fields.BooleanField(default=False)
    # a one-thing bundle (一件事) files several cases at once; they share this number
    bundle_number = fields.CharField(max_length=40, null=True, db_index=True)
    # instant approval (秒批): each rule, the value judged and whether it held (null: no rules)
    instant_rules: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(null=True)
    version = fields.IntField(default=1)  # optimistic concurrency: every change bumps it
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    # the applicant's previous filing (any case, same department, same item), None for the
    # first: the public figures count distinct applicants with them (core.totals.tally)
    prior_at = fields.DatetimeField(null=True)
    prior_at_department = fields.DatetimeField(null=True)
    prior_at_item = fields.DatetimeField(null=True)

    class Meta:
        table = "application"
        # the public figures count applicants by filing time, reading these indexes alone
        indexes = (
            ("created_at", "prior_at", "citizen_id"),
            ("department_code", "created_at", "prior_at_department", "citizen_id"),
            ("item_code", "created_at", "prior_at_item", "citizen_id"),
        )


class AuditEntry(Model):
    """Never updated or deleted: each entry hashes the previous one of the same case."""

    id = fields.BigIntField(primary_key=True)
    application_id = fields.BigIntField(db_index=True)
    seq = fields.IntField()
    actor = fields.CharField(max_length=96)  # "citizen:<id>", "staff:<username>", "system:..."
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=32, null=True)
    to_status = fields.CharField(max_length=32)
    note = fields.TextField(default="")
    at = fields.DatetimeField()
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)
    # "hmac-sha256" (keyed, core.cases.audit_keys) or "sha256" (written before migration 0008b)
    alg = fields.CharField(max_length=16, default="sha256")

    class Meta:
        table = "audit_entry"
        unique_together = (("application_id", "seq"),)


class Milestone(Model):
    """An event for the notification engine, written in the same transaction as the change."""

    id = fields.BigIntField(primary_key=True)
    application_id = fields.BigIntField(db_index=True)
    event = fields.CharField(max_length=64)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "milestone"


class AgentAuthorization(Model):
    """A citizen lets an agent (代办员) file one item on their behalf."""

    id = fields.BigIntField(primary_key=True)
    citizen_id = fields.UUIDField(db_index=True)
    agent_id = fields.UUIDField(db_index=True)
    item_code = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "agent_authorization"


class CalendarOverride(Model):
    """An administrator's ruling on one day (a local closure, a notice the library lacks)."""

    day = fields.DateField(primary_key=True)
    is_workday = fields.BooleanField()
    note = fields.CharField(max_length=200, default="")

    class Meta:
        table = "calendar_override"


class CaseFinish(Model):
    """The moment a case first became finished (办结): one row per case, written in the
    transaction of that change. It is the public board's entry (no personal data, no case
    number) and what the figures read for finishing dates and working days."""

    id = fields.BigIntField(primary_key=True)
    application_id = fields.BigIntField(unique=True)
    status = fields.CharField(max_length=32)  # the state it finished in
    item_code = fields.CharField(max_length=64)
    item_name = fields.CharField(max_length=200)
    department_code = fields.CharField(max_length=64)
    department_name = fields.CharField(max_length=100)
    finished_at = fields.DatetimeField()
    finished_on = fields.DateField()  # China date
    # working days from acceptance to finishing, pauses excluded; None when never accepted
    working_days = fields.IntField(null=True)
    # copies of the case as it finished, so the figures read this table alone
    filed_at = fields.DatetimeField()
    delivery_method = fields.CharField(max_length=16)
    due_date = fields.DateField(null=True)

    class Meta:
        table = "case_finish"
        indexes = (("finished_on", "id"), ("filed_at",))
