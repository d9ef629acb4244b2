"""The service catalogue: departments, items and their immutable versions."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Department(Model):
    """A government department that owns service items (and, later, staff and cases)."""

    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=100)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "department"


class ServiceItem(Model):
    """One catalogue item ("同一事项、同一标准、同一编码"). The code is opaque: never parsed."""

    code = fields.CharField(max_length=64, primary_key=True)
    current_version = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    versions: fields.ReverseRelation[ItemVersion]

    class Meta:
        table = "service_item"


class ItemVersion(Model):
    """An item's content at one version. Never updated: applications pin a version's id."""

    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "citysvc.ServiceItem", related_name="versions", on_delete=fields.RESTRICT
    )
    item_id: str
    version = fields.IntField()
    name = fields.CharField(max_length=200)
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "citysvc.Department", related_name="item_versions", on_delete=fields.RESTRICT
    )
    department_id: str
    kind = fields.CharField(max_length=32)
    audience = fields.CharField(max_length=16)
    conditions = fields.TextField()
    # [{"name", "required", "license_type"}]
    materials: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    process: fields.JSONField[list[str]] = fields.JSONField()
    legal_days = fields.IntField()
    promised_days = fields.IntField()
    fee = fields.TextField(null=True)
    no_visit = fields.BooleanField()
    delivery: fields.JSONField[list[str]] = fields.JSONField()
    keywords: fields.JSONField[list[str]] = fields.JSONField()
    # instant-approval rules (core.rules), versioned with the item: [{"subject", "op", "value"}]
    rules: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(null=True)  # null: none
    content_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "item_version"
        unique_together = (("item", "version"),)
