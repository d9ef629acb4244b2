"""The worker jobs and the CLI commands around them, end to end on a real database."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.wecom import RobotKeys
from bot.worker_jobs import robot_job, supervision_job
from citysvc.cli import main
from citysvc.worker import open_worker
from core.alerts.models import RobotKey, RobotMessage
from core.clock import CST, FrozenClock
from core.db import close_db, init_db
from core.knowledge.models import KbVersion
from integrations.wecom.sandbox import WeComSandbox
from integrations.wiring import open_platforms
from tests import harness
from tests.bot.conftest import make_case
from tests.builders import cipher

DEMO_KB = Path(__file__).resolve().parents[2] / "bot" / "demo_kb.json"


async def test_sweep_then_robot_then_digest(db: str) -> None:
    async with WeComSandbox() as wecom:
        settings = harness.settings_for(db, WECOM_API_BASE=wecom.base_url)
        platforms = open_platforms(settings)
        try:
            key = wecom.add_robot()
            clock = FrozenClock(datetime(2026, 10, 9, 7, 0, tzinfo=CST))
            worker = open_worker(settings, platforms, clock)
            await RobotKeys(cipher()).set("GA", key, clock.now())
            case = await make_case("under_review", department="GA", due=date(2026, 10, 8))
            await supervision_job(worker)
            await robot_job(worker)
            [message] = wecom.messages(key)
            assert case.number in message.content and "@科室负责人" in message.content
            clock.set(datetime(2026, 10, 9, 8, 30, tzinfo=CST))
            await supervision_job(worker)
            await robot_job(worker)
            assert "督办日报 2026-10-09（GA）" in wecom.messages(key)[-1].content
            assert await RobotMessage.filter(sent_at=None).count() == 0
        finally:
            await platforms.close()


def test_kb_import_and_robots_commands(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PII_KEY", harness.PII_KEY)
    assert main(["kb", "import", str(DEMO_KB)]) == 0
    assert main(["kb", "import", str(DEMO_KB)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "kb version 1 created: entries 30, rejected 0",
        "kb version 1 unchanged: entries 30, rejected 0",
    ]
    assert main(["kb", "import", "/nonexistent.json"]) == 2

    monkeypatch.setattr("sys.stdin", io.StringIO("robot-key-from-stdin\n"))
    assert main(["robots", "set", "GA"]) == 0
    assert main(["robots", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "GA"

    async def stored() -> tuple[str, int]:
        await init_db(database_url)
        try:
            row = await RobotKey.get(department_code="GA")
            return row.key_enc, await KbVersion.all().count()
        finally:
            await close_db()

    key_enc, versions = asyncio.run(stored())
    assert "robot-key-from-stdin" not in key_enc and versions == 1
    assert cipher().decrypt(key_enc, context="wecom.robot_key") == "robot-key-from-stdin"
