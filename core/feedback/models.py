"""Ratings, rectification tasks, citizens' feedback and the finished-case record."""

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


class FigureDay(Model):
    """The public figures' running totals for one China date, department and item
    (``core.feedback.tally``): cases filed that day and what became of them, and the
    complaints about the item filed that day."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    department_code = fields.CharField(max_length=64)  # "" for a complaint routed to nobody
    item_code = fields.CharField(max_length=64)
    cases = fields.IntField(default=0)
    finished = fields.IntField(default=0)
    no_visit = fields.IntField(default=0)
    on_time = fields.IntField(default=0)
    due_finished = fields.IntField(default=0)  # finished cases that had a due date
    days_total = fields.BigIntField(default=0)  # working days of the finished, summed
    days_counted = fields.IntField(default=0)  # finished cases that were accepted
    rated = fields.IntField(default=0)  # ratings that count: not default, not voided
    satisfied = fields.IntField(default=0)
    poor = fields.IntField(default=0)
    complaints = fields.IntField(default=0)

    class Meta:
        table = "figure_day"
        unique_together = (("day", "department_code", "item_code"),)
