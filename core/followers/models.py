"""Followers of the Official Account linked to citizens: the links, one-time binding codes
and the bot's follow-up answers sent to a follower."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

BINDING_CODE_PURPOSE = "oa_binding_code"


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
