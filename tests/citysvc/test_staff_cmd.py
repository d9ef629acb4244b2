"""`citysvc staff add --citizen` and `citysvc staff link`: an administrator links a staff
member to their own citizen account, the only place campaign test messages may go."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import datetime

from core.clock import CST
from core.identity.models import Citizen
from core.staff.models import StaffMember
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


def staff(database_url: str, *args: str, password: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "staff", *args],
        env=dict(os.environ, DATABASE_URL=database_url),
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


async def run(
    database_url: str, *args: str, password: str = ""
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(staff, database_url, *args, password=password)


async def citizen(api: Api, wechat: WeChatSandbox) -> str:
    return str((await b.me(api, await b.citizen_token(api, wechat)))["id"])


async def test_add_with_a_citizen_and_link_later(
    api: Api, wechat: WeChatSandbox, database_url: str
) -> None:
    mine, later = await citizen(api, wechat), await citizen(api, wechat)
    added = await run(
        database_url, "add", "pub.one", "--role", "publicity", "--citizen", mine,
        password=b.PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"created staff pub.one (publicity), linked to citizen {mine}"
    assert str((await StaffMember.get(username="pub.one")).citizen_id) == mine

    await b.staff_token(api, "clerk.one")
    linked = await run(database_url, "link", "clerk.one", later.upper())
    assert linked.returncode == 0, linked.stderr
    assert linked.stdout.strip() == f"linked staff clerk.one to citizen {later}"
    assert str((await StaffMember.get(username="clerk.one")).citizen_id) == later


async def test_clear_errors(api: Api, wechat: WeChatSandbox, database_url: str) -> None:
    await b.staff_token(api, "clerk.one")
    known = await citizen(api, wechat)
    unknown = str(uuid.uuid4())
    cases = [
        (("link", "nobody", known), "citysvc staff link: There is no staff member nobody."),
        (
            ("link", "clerk.one", unknown),
            f"citysvc staff link: There is no open citizen account {unknown}.",
        ),
        (("link", "clerk.one", "not-an-id"), "citysvc staff link: 'not-an-id' is not a citizen"),
    ]
    for args, message in cases:
        done = await run(database_url, *args)
        assert done.returncode == 1 and done.stderr.startswith(message), (args, done.stderr)
    await Citizen.filter(id=known).update(closed_at=datetime(2026, 11, 1, tzinfo=CST))
    closed = await run(database_url, "link", "clerk.one", known)
    assert closed.returncode == 1 and "no open citizen account" in closed.stderr
    assert (await StaffMember.get(username="clerk.one")).citizen_id is None

    refused = await run(
        database_url, "add", "pub.two", "--role", "publicity", "--citizen", unknown,
        password=b.PASSWORD,
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"citysvc staff add: There is no open citizen account {unknown}."
    )
    assert not await StaffMember.exists(username="pub.two")  # nothing half-made
    usage = await run(database_url, "link", "clerk.one")
    assert usage.returncode == 2 and "CITIZEN_ID" in usage.stderr
