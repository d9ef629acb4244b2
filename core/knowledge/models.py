"""Tables of the Official Account bot and of supervision delivery to WeCom robots."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# GCM associated data of robot keys: a key copied into another column fails to decrypt.
ROBOT_KEY_CONTEXT = "wecom.robot_key"
BINDING_CODE_PURPOSE = "oa_binding_code"


class KbVersion(Model):
    """One import of the knowledge base: the highest ``version`` is the one answering."""

    id = fields.BigIntField(primary_key=True)
    version = fields.IntField(unique=True)
    source = fields.CharField(max_length=200)
    content_hash = fields.CharField(max_length=64)
    entry_count = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "kb_version"


class KbEntry(Model):
    """A question and its answer in one version (``key`` is stable across versions)."""

    id = fields.BigIntField(primary_key=True)
    kb_version = fields.IntField(db_index=True)
    key = fields.CharField(max_length=64)
    question = fields.TextField()
    similar: fields.JSONField[list[str]] = fields.JSONField(default=list)
    keywords: fields.JSONField[list[str]] = fields.JSONField(default=list)
    answer = fields.TextField()
    item_codes: fields.JSONField[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "kb_entry"
        unique_together = (("kb_version", "key"),)


class HandoffTicket(Model):
    """A question the knowledge base could not answer, handed to staff on the user's request.

    ``question`` is stored redacted (ID and phone numbers masked): it is free text.
    """

    id = fields.BigIntField(primary_key=True)
    app_id = fields.CharField(max_length=64)
    open_id = fields.CharField(max_length=128, db_index=True)
    citizen_id = fields.UUIDField(null=True)
    question = fields.TextField()
    kb_version = fields.IntField(null=True)
    suggestions: fields.JSONField[list[str]] = fields.JSONField(default=list)
    status = fields.CharField(max_length=16, default="open", db_index=True)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "handoff_ticket"


class OaLink(Model):
    """An Official Account user (per-app openid) known to be a citizen of ours.

    ``via`` says how: ``unionid`` (the same WeChat user as a mini-program account) or
    ``code`` (a one-time binding code the citizen got in the mini-program).
    """

    id = fields.BigIntField(primary_key=True)
    app_id = fields.CharField(max_length=64)
    open_id = fields.CharField(max_length=128)
    citizen_id = fields.UUIDField(db_index=True)
    union_id = fields.CharField(max_length=128, null=True)
    via = fields.CharField(max_length=16)
    linked_at = fields.DatetimeField()

    class Meta:
        table = "oa_link"
        unique_together = (("app_id", "open_id"),)


class OaBindingCode(Model):
    """A 6-digit code that links the Official Account user who sends it to ``citizen_id``.

    Only a keyed HMAC of the code is stored, and a citizen holds at most one live code.
    """

    id = fields.BigIntField(primary_key=True)
    code_index = fields.CharField(max_length=64, unique=True)
    citizen_id = fields.UUIDField(db_index=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oa_binding_code"


class OaFollowUp(Model):
    """An answer that was not ready within WeChat's 5 seconds, delivered afterwards.

    ``status``: ``sent`` through the customer-service message API, ``recorded`` when the
    server API is not configured (staff and the next conversation can see it), ``failed``.
    """

    id = fields.BigIntField(primary_key=True)
    app_id = fields.CharField(max_length=64)
    open_id = fields.CharField(max_length=128, db_index=True)
    text = fields.TextField()
    status = fields.CharField(max_length=16)
    error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oa_follow_up"


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
