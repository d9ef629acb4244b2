"""Exam results as a service: the import, then each citizen's own score once released."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from core.auth.sessions import SessionService
from core.clock import FrozenClock
from core.db import close_db, init_db
from core.errors import Forbidden, NotFound
from core.exams.importer import import_results
from core.exams.service import own_score
from core.identity.models import Citizen
from core.pii import PiiCipher
from integrations.state import MemoryState
from tests import harness

MINE, OTHER = "11010519491231002X", "440524188001010014"
CSV = (
    "candidate_number,id_number,name,total,语文,数学\n"
    f"26321012001,{MINE},张三,612.5,121,138\n"
    f"26321012002,{OTHER},李四,587,110,129\n"
    "26321012003,110105194912310021,王五,500,100,100\n"  # bad check character
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def test_a_citizen_reads_only_their_own_released_score(db: str, clock: FrozenClock) -> None:
    cipher = PiiCipher.from_env_value(harness.PII_KEY)
    release = clock.now() + timedelta(hours=1)
    report = await import_results("gaokao2026", CSV, release, clock.now().date(), cipher)
    assert (report.imported, report.rejected) == (2, 1)
    citizen = await Citizen.create(
        realname_verified=True,
        id_number_index=cipher.blind_index(MINE, purpose="id_number"),
    )
    sessions = SessionService(harness.SECRET_KEY, ttl=86400, clock=clock)
    token = await sessions.issue("citizen", str(citizen.id))

    async def score() -> dict[str, object]:
        return await own_score("gaokao2026", token, sessions, MemoryState(), clock.now(), cipher)

    with pytest.raises(NotFound):  # not released yet: the same answer as no record
        await score()
    clock.advance(hours=1)
    mine = await score()
    assert (mine["candidate_number"], mine["name_masked"], mine["total"]) == (
        "26321012001",
        "张*",
        "612.5",
    )


async def test_an_unverified_citizen_is_asked_to_verify(db: str, clock: FrozenClock) -> None:
    cipher = PiiCipher.from_env_value(harness.PII_KEY)
    await import_results("zhongkao", CSV, clock.now(), clock.now().date(), cipher)
    citizen = await Citizen.create()
    sessions = SessionService(harness.SECRET_KEY, ttl=3600, clock=clock)
    token = await sessions.issue("citizen", str(citizen.id))
    with pytest.raises(Forbidden):
        await own_score("zhongkao", token, sessions, MemoryState(), clock.now(), cipher)
