"""Citizens and the platform accounts they log in with."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model

# Encryption contexts (GCM associated data) of every personal column, and the blind-index
# purpose of ID numbers. Other modules decrypt with these exact strings: never change them.
NAME_CONTEXT = "citizen.name"
ID_NUMBER_CONTEXT = "citizen.id_number"
PHONE_CONTEXT = "citizen.phone"
VERIFICATION_NAME_CONTEXT = "verification.name"
VERIFICATION_ID_NUMBER_CONTEXT = "verification.id_number"
ID_NUMBER_PURPOSE = "id_number"
# A citizen row with its personal data erased (a closed account, or one joined into another):
# only the id and the dates stay.
ERASED_PERSONAL_DATA = {
    "realname_verified": False,
    "name_enc": None,
    "id_number_enc": None,
    "id_number_index": None,
    "phone_enc": None,
}


class Citizen(Model):
    """One person, whatever platforms they come from. Personal fields are ciphertext."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    created_at = fields.DatetimeField(auto_now_add=True)
    realname_verified = fields.BooleanField(default=False)
    name_enc = fields.TextField(null=True)
    id_number_enc = fields.TextField(null=True)
    # keyed HMAC of the normalised ID number: uniqueness and lookup without plaintext
    id_number_index = fields.CharField(max_length=64, null=True, unique=True)
    phone_enc = fields.TextField(null=True)
    closed_at = fields.DatetimeField(null=True)

    accounts: fields.ReverseRelation[PlatformAccount]

    class Meta:
        table = "citizen"


class PlatformAccount(Model):
    """A WeChat or Alipay identity (per app ``open_id``) belonging to one citizen."""

    id = fields.BigIntField(primary_key=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "citysvc.Citizen", related_name="accounts", on_delete=fields.CASCADE
    )
    platform = fields.CharField(max_length=16)
    app_id = fields.CharField(max_length=64)
    open_id = fields.CharField(max_length=128)
    union_id = fields.CharField(max_length=128, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "platform_account"
        unique_together = (("platform", "app_id", "open_id"),)
        # every message's channel choice and each campaign batch look accounts up by citizen
        # (without this index each batch scanned the whole table)
        indexes = (("citizen_id",),)


class Verification(Model):
    """One real-name attempt: the claimed identity (ciphertext) and the provider's reference.

    The name and ID number are kept only while the attempt is pending, because the WeChat
    query must repeat them (``cert_hash``); they are erased once it is confirmed, failed or
    expired. ``order_no`` is WeChat's ``out_seq_no`` / Alipay's ``outer_order_no``.
    """

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    citizen_id = fields.UUIDField(db_index=True)
    provider = fields.CharField(max_length=16)
    order_no = fields.CharField(max_length=32, unique=True)
    provider_ref = fields.CharField(max_length=128, null=True)
    open_id = fields.CharField(max_length=128, null=True)  # the account doing the face check
    name_enc = fields.TextField(null=True)
    id_number_enc = fields.TextField(null=True)
    id_number_index = fields.CharField(max_length=64, null=True, db_index=True)
    status = fields.CharField(max_length=16, default="pending")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "verification"
        # the sweep that erases stale claims looks for pending attempts past their expiry
        indexes = (("status", "expires_at"),)
