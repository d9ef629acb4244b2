"""Sessions as a service: issued, checked, expired, idle staff, revoked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.auth.sessions import SessionService
from core.clock import FrozenClock
from core.db import close_db, init_db
from core.errors import NotAuthenticated
from tests import harness

SUBJECT = "4f5d1a52-5f0e-4b4b-9d47-2d6f0b7a1c11"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def test_a_token_names_its_caller_until_it_expires(db: str, clock: FrozenClock) -> None:
    sessions = SessionService(harness.SECRET_KEY, ttl=3600, clock=clock)
    token = await sessions.issue("citizen", SUBJECT, platform="wechat")
    principal = await sessions.check(token)
    assert (principal.kind, principal.subject_id, principal.platform) == (
        "citizen",
        SUBJECT,
        "wechat",
    )
    clock.advance(seconds=3601)
    with pytest.raises(NotAuthenticated):
        await sessions.check(token)


async def test_a_forged_or_revoked_token_is_refused(db: str, clock: FrozenClock) -> None:
    sessions = SessionService(harness.SECRET_KEY, ttl=3600, clock=clock)
    token = await sessions.issue("citizen", SUBJECT)
    other = SessionService("another secret key of at least 32 chars!", ttl=3600, clock=clock)
    with pytest.raises(NotAuthenticated):
        await other.check(token)
    await sessions.revoke_all("citizen", SUBJECT)
    with pytest.raises(NotAuthenticated):
        await sessions.check(token)


async def test_an_idle_staff_session_ends(db: str, clock: FrozenClock) -> None:
    sessions = SessionService(harness.SECRET_KEY, ttl=86400, clock=clock, staff_idle=1800)
    token = await sessions.issue("staff", "7")
    clock.advance(minutes=29)
    assert (await sessions.check(token)).subject_id == "7"  # in use: the idle clock restarts
    clock.advance(minutes=29)
    assert (await sessions.check(token)).subject_id == "7"
    clock.advance(minutes=31)
    with pytest.raises(NotAuthenticated):
        await sessions.check(token)
