"""Exam results loaded ahead of release. The ID number is kept only as a blind index."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Exam(Model):
    key = fields.CharField(max_length=64, primary_key=True)  # e.g. "gaokao-2026"
    topic = fields.CharField(max_length=32)  # zhongkao / gaokao / vocational_exam
    release_at = fields.DatetimeField()
    announced_at = fields.DatetimeField(null=True)  # when "scores are out" was queued

    class Meta:
        table = "exam"


class ExamResult(Model):
    id = fields.BigIntField(primary_key=True)
    exam: fields.ForeignKeyRelation[Exam] = fields.ForeignKeyField(
        "citysvc.Exam", related_name="results", on_delete=fields.CASCADE
    )
    candidate_number = fields.CharField(max_length=32)
    id_number_index = fields.CharField(max_length=64)  # blind index: lookup, no plaintext
    name_enc = fields.TextField()
    total = fields.CharField(max_length=16)  # as published: "612" or "612.5"
    subjects: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # Copies written with the row at import (the score query, the busiest read of release
    # day, then needs neither the exam row nor a decryption): the exam's release time (an
    # import replaces every row in the transaction that sets it) and the name as shown.
    release_at = fields.DatetimeField(null=True)
    name_masked = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "exam_result"
        unique_together = (("exam", "candidate_number"), ("exam", "id_number_index"))
