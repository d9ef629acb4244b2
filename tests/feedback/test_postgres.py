"""The feedback sweeps on PostgreSQL: default ratings and overdue warnings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bot.feedback_sweep import FEEDBACK_OVERDUE, RECTIFY_OVERDUE, sweep_feedback
from core.alerts.models import StaffAlert
from core.cases.models import AuditEntry
from core.clock import CST
from core.db import close_db, init_db
from core.feedback.models import Feedback, Rating, Rectification
from tests import harness
from tests.bot.conftest import make_case

pytestmark = pytest.mark.postgres
FINISHED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=CST)


@pytest.fixture
async def pg(postgres_template: str) -> AsyncIterator[str]:
    base = os.environ["CITYSVC_TEST_POSTGRES_URL"]
    url = await harness.fresh_postgres(base, template=postgres_template)
    EXECUTOR_CACHE.clear()
    await init_db(url)
    yield url
    await close_db()
    EXECUTOR_CACHE.clear()


async def test_feedback_sweep_on_postgres(pg: str) -> None:
    unrated = await make_case("refused", department="GA")
    rated = await make_case("delivered", department="GA")
    for case, state in ((unrated, "refused"), (rated, "delivered")):
        await AuditEntry.create(
            application_id=case.id, seq=1, actor="staff:x", action="x", to_status=state,
            at=FINISHED_AT, prev_hash="0", hash="1",
        )  # fmt: skip
    rating = await Rating.create(
        application_id=rated.id, department_code="GA", item_code=rated.item_code, level=1,
        created_at=FINISHED_AT, filed_at=rated.created_at,
    )  # fmt: skip
    await Rectification.create(
        rating_id=rating.id, application_id=rated.id, department_code="GA", status="open",
        due_date=date(2026, 11, 6), created_at=FINISHED_AT, updated_at=FINISHED_AT,
    )  # fmt: skip
    feedback = await Feedback.create(
        citizen_id=unrated.citizen_id, kind="suggestion", content="x", status="open",
        due_date=date(2026, 11, 6), created_at=FINISHED_AT,
    )  # fmt: skip

    report = await sweep_feedback(datetime(2026, 11, 9, 9, 0, tzinfo=CST), 7)
    assert (report.defaulted, report.raised) == (1, 2)
    default = await Rating.get(application_id=unrated.id)
    assert (default.level, default.is_default, default.rater_id) == (5, True, None)
    kinds = set(await StaffAlert.all().values_list("department_code", "kind"))
    assert kinds == {("GA", RECTIFY_OVERDUE), ("", f"{FEEDBACK_OVERDUE}{feedback.id}")}
    again = await sweep_feedback(datetime(2026, 11, 9, 10, 0, tzinfo=CST), 7)
    assert (again.defaulted, again.raised, again.resolved) == (0, 0, 0)
    await Feedback.filter(id=feedback.id).update(status="replied")
    assert (await sweep_feedback(datetime(2026, 11, 9, 11, 0, tzinfo=CST), 7)).resolved == 1
