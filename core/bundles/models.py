"""One-thing bundles (一件事): several catalogue items filed with one form."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Bundle(Model):
    """A bundle as imported: its items, in the order their cases are created."""

    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=200)
    items: fields.JSONField[list[str]] = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bundle"


class BundleFiling(Model):
    """One filing of a bundle: the number its cases share, and whose they are."""

    number = fields.CharField(max_length=40, primary_key=True)
    bundle_code = fields.CharField(max_length=64)
    bundle_name = fields.CharField(max_length=200)  # as filed: a later rename does not move it
    citizen_id = fields.UUIDField(db_index=True)
    case_count = fields.IntField()  # the bundle is done when this many cases are closed
    completed_at = fields.DatetimeField(null=True)  # when its last case closed (one push)
    created_at = fields.DatetimeField()

    class Meta:
        table = "bundle_filing"
