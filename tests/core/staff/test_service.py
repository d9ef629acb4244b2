"""Staff accounts as a service: creation rules, sign-in, the lock after failures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.clock import FrozenClock
from core.db import close_db, init_db
from core.errors import Conflict, NotAuthenticated
from core.staff.service import add_staff, authenticate

PASSWORD = "a long enough password 1"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


async def test_a_username_is_taken_once(db: str) -> None:
    await add_staff("clerk1", PASSWORD, "clerk", "GA")
    with pytest.raises(Conflict):
        await add_staff("clerk1", PASSWORD, "clerk", "GA")


async def test_five_failures_lock_the_account_for_a_while(db: str, clock: FrozenClock) -> None:
    await add_staff("clerk2", PASSWORD, "clerk", "GA")
    assert (await authenticate("clerk2", PASSWORD, clock)).username == "clerk2"
    for _ in range(5):
        with pytest.raises(NotAuthenticated) as wrong:
            await authenticate("clerk2", "not the password", clock)
        assert wrong.value.code == "invalid_credentials"
    with pytest.raises(NotAuthenticated) as locked:
        await authenticate("clerk2", PASSWORD, clock)  # even the right password, for now
    assert locked.value.code == "account_locked"
    clock.advance(minutes=16)
    assert (await authenticate("clerk2", PASSWORD, clock)).username == "clerk2"
