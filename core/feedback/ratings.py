"""Ratings (好差评): one per finished case, poor ones open a rectification task.

Levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意; 1 and 2 are poor. A rating is
written with its rectification (when poor) in one transaction; the unique case id makes a
second rating impossible even when two arrive at once. A case nobody rated within
``RATING_DEFAULT_DAYS`` calendar days of first becoming rateable is rated 5, ``default``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from core.cases.finish import RATEABLE, china_date
from core.cases.models import Application, AuditEntry
from core.cases.workdays import WorkCalendar
from core.clock import CST
from core.errors import InvalidInput
from core.feedback.errors import AlreadyRated, InvalidDimensions, InvalidLevel, NotFinished
from core.feedback.models import Rating, Rectification
from core.totals import tally

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
POOR = 2  # levels at or below are poor ratings (差评)
DIMENSIONS = ("efficiency", "guide_accuracy", "convenience", "usability")
MAX_COMMENT = 500
DEFAULT_LEVEL = 5


def _score(value: object) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
    return value if ok else None  # type: ignore[return-value]


def read_rating(body: dict[str, Any]) -> tuple[int, dict[str, int] | None, str]:
    """(level, dimensions, comment) from a request body; 422 for anything else."""
    level = _score(body.get("level"))
    if level is None:
        raise InvalidLevel(details={"field": "level"})
    dimensions = body.get("dimensions")
    if dimensions is not None:
        if not isinstance(dimensions, dict) or not set(dimensions) <= set(DIMENSIONS):
            raise InvalidDimensions(details={"allowed": list(DIMENSIONS)})
        if any(_score(v) is None for v in dimensions.values()):
            raise InvalidDimensions(details={"allowed": list(DIMENSIONS)})
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise InvalidInput(f"评价内容请控制在{MAX_COMMENT}字以内。", details={"field": "comment"})
    return level, dimensions or None, comment.strip()


async def _insert(rating: Rating) -> None:
    """Insert in a savepoint: losing the race on the unique case id is 409, not an abort."""
    try:
        async with in_transaction():
            await rating.save()
    except IntegrityError as exc:
        raise AlreadyRated() from exc


async def rate(
    case: Application,
    rater_id: str,
    body: dict[str, Any],
    now: datetime,
    calendar: WorkCalendar,
    rectify_days: int,
) -> Rating:
    """The caller's rating of ``case`` (already scoped to them); a poor one opens a task."""
    level, dimensions, comment = read_rating(body)
    if case.status not in RATEABLE:
        raise NotFinished(details={"status": case.status})
    if await Rating.exists(application_id=case.id):
        raise AlreadyRated()
    rating = Rating(
        application_id=case.id,
        department_code=case.department_code,
        item_code=case.item_code,
        rater_id=rater_id,
        level=level,
        dimensions=dimensions,
        comment=comment,
        created_at=now,
        filed_at=case.created_at,
    )
    async with in_transaction():
        await _insert(rating)
        if level <= POOR:
            await open_rectification(rating, case, now, calendar, rectify_days)
        day = china_date(case.created_at)
        await tally.add(day, case.department_code, case.item_code, **tally.rating_deltas(level))
    return rating


async def open_rectification(
    rating: Rating, case: Application, now: datetime, calendar: WorkCalendar, days: int
) -> Rectification:
    """Due ``days`` working days after the rating's day, counted like case deadlines."""
    due, provisional = calendar.add_workdays(now.astimezone(CST).date(), days)
    return await Rectification.create(
        rating_id=rating.id,
        application_id=case.id,
        department_code=case.department_code,
        status="open",
        due_date=due,
        due_provisional=provisional,
        history=[],
        created_at=now,
        updated_at=now,
    )


def citizen_rating_view(rating: Rating, number: str) -> dict[str, Any]:
    return {
        "application_number": number,
        "level": rating.level,
        "level_text": LEVELS[rating.level],
        "dimensions": rating.dimensions,
        "comment": rating.comment,
        "default": rating.is_default,
        "created_at": rating.created_at.astimezone(CST).isoformat(),
    }


async def _first_rateable(case_ids: list[int]) -> dict[int, datetime]:
    """When each case first entered a rateable state (from its audit trail)."""
    rows = await AuditEntry.filter(
        application_id__in=case_ids, to_status__in=list(RATEABLE)
    ).values_list("application_id", "at")
    first: dict[int, datetime] = {}
    for case_id, at in rows:
        if case_id not in first or at < first[case_id]:
            first[case_id] = at
    return first


async def rate_by_default(now: datetime, days: int, batch: int = 500) -> int:
    """Rate 5 (``default``) every rateable case unrated ``days`` calendar days after it first
    became rateable; the number rated. Safe to run on several workers at once."""
    cutoff, done, last_id = now - timedelta(days=days), 0, 0
    while True:
        cases = (
            await Application.filter(id__gt=last_id, status__in=list(RATEABLE))
            .exclude(id__in=Subquery(Rating.all().values("application_id")))
            .order_by("id")
            .limit(batch)
            .values("id", "department_code", "item_code", "created_at")
        )
        if not cases:
            return done
        last_id = cases[-1]["id"]
        first = await _first_rateable([c["id"] for c in cases])
        rows = [
            Rating(
                application_id=c["id"],
                department_code=c["department_code"],
                item_code=c["item_code"],
                rater_id=None,
                level=DEFAULT_LEVEL,
                comment="",
                is_default=True,
                created_at=now,
                filed_at=c["created_at"],
            )
            for c in cases
            if c["id"] in first and first[c["id"]] <= cutoff
        ]
        if rows:
            # a citizen rating at this moment wins: their row makes this one a no-op
            await Rating.bulk_create(rows, ignore_conflicts=True)
            done += len(rows)
