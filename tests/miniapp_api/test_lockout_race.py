"""Staff lock-out under concurrent wrong passwords: every failure counts (issue 13, 2).

The count was read, incremented in Python and written back, so 18 wrong passwords sent at
once left ``failed_logins = 1`` and no lock. It is now one ``UPDATE ... + 1`` in the database.
"""

from __future__ import annotations

import asyncio

from core.staff.models import StaffMember
from core.staff.service import add_staff
from tests import builders as b
from tests.harness import Api

ATTEMPTS = 18  # with the two logins after it, the 20 a minute allowed from one address


async def _concurrent_wrong_logins(api: Api) -> None:
    await add_staff("clerk7", b.PASSWORD, "clerk", "GA")
    answers = await asyncio.gather(
        *(
            api.call(
                "POST", "/api/v1/staff/login", json={"username": "clerk7", "password": "wrong-pass"}
            )
            for _ in range(ATTEMPTS)
        )
    )
    assert {status for status, _, _ in answers} == {401}
    member = await StaffMember.get(username="clerk7")
    assert member.failed_logins == ATTEMPTS
    assert member.locked_until is not None and member.locked_until > api.clock.now()
    status, body, _ = await api.call(
        "POST", "/api/v1/staff/login", json={"username": "clerk7", "password": b.PASSWORD}
    )
    assert (status, body["error"]["code"]) == (401, "account_locked")
    api.clock.advance(minutes=16)  # the lock ends; the count starts afresh
    await b.staff_login(api, "clerk7")
    assert (await StaffMember.get(username="clerk7")).failed_logins == 0


async def test_concurrent_failures_all_count_sqlite(api: Api) -> None:
    await _concurrent_wrong_logins(api)


async def test_concurrent_failures_all_count_postgres(pg_api: Api) -> None:
    await _concurrent_wrong_logins(pg_api)
