"""Benefits without applying (免申即享): policies and who has been told of them."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Policy(Model):
    """A benefit with eligibility rules over what the district knows, and the item that files it."""

    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=200)
    item_code = fields.CharField(max_length=64)
    rules: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    form: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)  # pre-filled
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "policy"


class PolicyNotice(Model):
    """A citizen was told they qualify for a policy: once per policy, ever."""

    id = fields.BigIntField(primary_key=True)
    policy_code = fields.CharField(max_length=64)
    citizen_id = fields.UUIDField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "policy_notice"
        unique_together = (("policy_code", "citizen_id"),)
