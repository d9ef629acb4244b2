"""Ratings, rectification tasks and citizens' feedback (the finished-case record, which the
board and the figures read, is the cases' own: ``core.cases.models.CaseFinish``)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Rating(Model):
    """One citizen's rating of one finished case (一事一评). ``rater_id`` (the applicant or
    the agent who filed) is kept for the record and the citizen's own views, never shown
    to staff."""

    id = fields.BigIntField(primary_key=True)
    application_id = fields.BigIntField(unique=True)
    department_code = fields.CharField(max_length=64, db_index=True)
    item_code = fields.CharField(max_length=64)
    rater_id = fields.UUIDField(null=True)  # None for a default rating
    level = fields.SmallIntField()
    dimensions: fields.JSONField[dict[str, int]] = fields.JSONField(null=True)
    comment = fields.TextField(default="")
    is_default = fields.BooleanField(default=False)  # rated 5 after RATING_DEFAULT_DAYS
    voided = fields.BooleanField(default=False)  # a supervisor upheld an appeal against it
    created_at = fields.DatetimeField()
    filed_at = fields.DatetimeField()  # the case's filing time: the figures select by it

    class Meta:
        table = "rating"
        indexes = (("filed_at",),)


class Rectification(Model):
    """The task a poor rating (1 or 2) opens for the case's department."""

    id = fields.BigIntField(primary_key=True)
    rating_id = fields.BigIntField(unique=True)
    application_id = fields.BigIntField(db_index=True)
    department_code = fields.CharField(max_length=64, db_index=True)
    status = fields.CharField(max_length=16)  # open, called_back, rectified, appealed, voided
    due_date = fields.DateField()
    due_provisional = fields.BooleanField(default=False)
    # [{"action", "note", "by", "at"}]: what staff did, oldest first
    history: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "rectification"


class Feedback(Model):
    """A complaint, suggestion or correction (我要纠错), routed to a department or, naming
    neither an item nor a case, to the administrators (``department_code`` None)."""

    id = fields.BigIntField(primary_key=True)
    citizen_id = fields.UUIDField(db_index=True)
    kind = fields.CharField(max_length=16)  # complaint, suggestion, correction
    content = fields.TextField()
    item_code = fields.CharField(max_length=64, null=True, db_index=True)
    # the item's version when it was filed: a correction is answered by the next version
    item_version = fields.IntField(null=True)
    application_id = fields.BigIntField(null=True)
    department_code = fields.CharField(max_length=64, null=True, db_index=True)
    status = fields.CharField(max_length=16)  # open, replied
    due_date = fields.DateField()
    due_provisional = fields.BooleanField(default=False)
    reply = fields.TextField(null=True)
    replied_by = fields.CharField(max_length=96, null=True)
    replied_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "feedback"
        indexes = (("created_at", "kind", "item_code"),)  # top complained items, by date
