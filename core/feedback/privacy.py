"""Ratings and feedback in a citizen's data export, and what account closure forgets of them.

Closure keeps what the district's figures count (a rating's level, a complaint's kind and
item, the department's reply) but nothing that leads back to the person or says what they
wrote: the rater link and comment of their ratings, the text of their feedback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.cases.models import Application
from core.clock import CST
from core.feedback.models import Feedback, Rating
from core.feedback.service import view
from core.privacy.registry import PersonalData, Subject

ERASED = "（用户已注销账号，内容已删除）"


async def ratings(subject: Subject) -> list[dict[str, Any]]:
    rows = await Rating.filter(rater_id=subject.id).order_by("id")
    numbers = await _case_numbers([r.application_id for r in rows])
    return [
        {
            "application_number": numbers.get(r.application_id),
            "level": r.level,
            "dimensions": r.dimensions,
            "comment": r.comment,
            "at": r.created_at.astimezone(CST).isoformat(),
        }
        for r in rows
    ]


async def _case_numbers(ids: list[int]) -> dict[int, str]:
    found = await Application.filter(id__in=ids).values_list("id", "number") if ids else []
    return {int(i): str(n) for i, n in found}


async def feedback(subject: Subject) -> list[dict[str, Any]]:
    rows = await Feedback.filter(citizen_id=subject.id).order_by("id")
    numbers = await _case_numbers([r.application_id for r in rows if r.application_id])
    return [view(row, numbers) for row in rows]


async def forget(citizen_id: str, _now: datetime) -> None:
    await Rating.filter(rater_id=citizen_id).update(rater_id=None, comment="")
    await Feedback.filter(citizen_id=citizen_id).update(content=ERASED)


def register(registry: PersonalData) -> None:
    registry.register("ratings", ratings, forget)
    registry.register("feedback", feedback)
