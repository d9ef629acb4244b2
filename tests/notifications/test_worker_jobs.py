"""The worker's notification jobs: checked at start, and the sink offered to other jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.errors import SettingsError
from integrations.wiring import open_platforms
from notifications.outbox import OutboxSink
from notifications.worker_jobs import dispatch_job, with_milestone_sink
from tests import harness


def test_a_bad_templates_file_stops_the_worker_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "templates.json"
    bad.write_text('{"events": {"application.accepted": {"wechat": {"template_id": ""}}}}')
    with pytest.raises(SettingsError) as caught:
        dispatch_job({"NOTIFY_TEMPLATES_FILE": str(bad)})
    assert "'template_id' must be a non-empty string" in str(caught.value)
    with pytest.raises(SettingsError):
        dispatch_job({"NOTIFY_TEMPLATES_FILE": str(tmp_path / "missing.json")})


async def test_jobs_that_record_milestones_get_the_outbox_sink(database_url: str) -> None:
    seen: list[Any] = []

    async def poller(platforms: object, sink: object = None) -> None:
        seen.append(sink)

    job = with_milestone_sink(poller, {})
    platforms = open_platforms(harness.settings_for(database_url))
    try:
        await job(platforms)
        await job(platforms)
    finally:
        await platforms.close()
    assert isinstance(seen[0], OutboxSink) and seen[0] is seen[1]
