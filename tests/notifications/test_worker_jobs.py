"""The worker's notification jobs: checked at start, and the sink offered to other jobs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from citysvc.worker import open_worker, run_jobs
from core.db import close_db, init_db
from core.errors import SettingsError
from core.outbox.models import MILESTONE_LANE, QUEUED, OutboxMessage
from integrations.wechat.sandbox import WeChatSandbox
from integrations.wiring import open_platforms
from notifications.claiming import Claimer
from notifications.outbox import OutboxSink
from tests import harness
from tests.notifications.workers import seed_messages


async def test_a_bad_templates_file_stops_the_worker_at_start(
    database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "templates.json"
    bad.write_text('{"events": {"application.accepted": {"wechat": {"template_id": ""}}}}')
    for path, problem in ((bad, "'template_id' must be a non-empty string"), (None, "")):
        settings = harness.settings_for(
            database_url, NOTIFY_TEMPLATES_FILE=str(path or tmp_path / "missing.json")
        )
        platforms = open_platforms(settings)
        try:
            with pytest.raises(SettingsError) as caught:
                open_worker(settings, platforms)
        finally:
            await platforms.close()
        assert problem in str(caught.value)


async def test_jobs_that_record_milestones_get_the_outbox_sink(database_url: str) -> None:
    """The worker's root builds one outbox sink; the carrier poller's case context uses it."""
    settings = harness.settings_for(database_url)
    platforms = open_platforms(settings)
    try:
        worker = open_worker(settings, platforms)
    finally:
        await platforms.close()
    assert isinstance(worker.sink, OutboxSink)
    assert worker.sink.chooser is worker.chooser


async def test_a_worker_that_stops_hands_the_claimer_role_over_at_once(
    database_url: str, wechat: WeChatSandbox
) -> None:
    """On SQLite one worker at a time claims; a restarted worker (a deploy) must not wait
    out its predecessor's lease before milestones move again."""
    await init_db(database_url)
    try:
        await seed_messages(wechat, 5)
        settings = harness.settings_for(
            database_url,
            WECHAT_MINIAPP_APPID=harness.WECHAT_APPID,
            WECHAT_MINIAPP_SECRET=harness.WECHAT_SECRET,
            WECHAT_API_BASE=wechat.base_url,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(run_jobs(settings, stop))
        async with asyncio.timeout(30):
            while len(wechat.sent) < 5:  # it claimed, so it holds the claimer role
                await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(running, 30)
        await OutboxMessage.filter(key="bulk:0").update(status=QUEUED)
        successor = Claimer("successor", lease=60)
        claimed = await successor.claim(MILESTONE_LANE, 10, int(time.time() * 1000))
        assert [m.key for m in claimed] == ["bulk:0"]
    finally:
        await close_db()
