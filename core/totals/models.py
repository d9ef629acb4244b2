"""The public figures' running totals (``core.totals.tally`` keeps them)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class FigureDay(Model):
    """The public figures' running totals for one China date, department and item
    (``core.totals.tally``): cases filed that day and what became of them, and the
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
