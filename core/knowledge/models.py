"""Tables of the Official Account bot's knowledge desk: versions of the knowledge base, its
entries and the questions handed to staff."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


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
