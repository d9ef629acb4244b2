"""`citysvc calendar set` rules a day and recomputes open deadlines at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime

from core.clock import CST
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


def calendar(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "calendar", *args],
        env=dict(os.environ, DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_override_moves_open_deadlines(
    api: Api, wechat: WeChatSandbox, database_url: str
) -> None:
    api.clock.set(datetime(2026, 11, 2, 10, tzinfo=CST))
    await b.add_item(promised=3, legal=20)
    citizen = await b.citizen_token(api, wechat)
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, citizen)
    _, case = await b.act(api, clerk, number, "accept")
    assert case["due_date"] == "2026-11-05"  # Tue 3, Wed 4, Thu 5
    done = await asyncio.to_thread(
        calendar, database_url, "set", "2026-11-04", "holiday", "--note", "local closure"
    )
    assert done.returncode == 0, done.stderr
    assert "1 open case deadlines changed" in done.stdout
    case = (await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk))[1]
    assert case["due_date"] == "2026-11-06"
    listed = await asyncio.to_thread(calendar, database_url, "list")
    assert listed.stdout.strip() == "2026-11-04 holiday local closure"
    bad = await asyncio.to_thread(calendar, database_url, "set", "2026-13-01", "holiday")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


async def test_running_servers_pick_up_overrides(api: Api) -> None:
    from datetime import date

    from core.cases.calendar import refresh_calendar
    from core.cases.deadlines import set_override

    calendar = api.server.app.ctx.services.cases.calendar
    assert calendar.is_workday(date(2026, 11, 4))
    await set_override("2026-11-04", "holiday", "")
    await refresh_calendar(calendar)
    assert not calendar.is_workday(date(2026, 11, 4))
