"""Uploaded material files: metadata here, bytes under UPLOAD_DIR."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Upload(Model):
    id = fields.CharField(max_length=32, primary_key=True)
    owner_id = fields.UUIDField(db_index=True)  # the citizen who uploaded it
    content_type = fields.CharField(max_length=32)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    # when a case first listed the file; a file no case lists is removed after a day
    attached_at = fields.DatetimeField(null=True)

    class Meta:
        table = "upload"
        indexes = (("attached_at", "created_at"),)
