"""GET /metrics: requests by route pattern, outbox depth and worker heartbeats, token-guarded."""

from __future__ import annotations

import re
from datetime import timedelta

from core.alerts.models import StaffAlert
from core.clock import FrozenClock
from core.heartbeat import service as heartbeat
from tests import harness
from tests.harness import Api


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in Prometheus text, or None when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return None


async def counted(api: Api, name: str, **labels: str) -> float:
    """The series' value now (the counters belong to the process: tests compare changes)."""
    status, text, resp = await api.call("GET", "/metrics")
    assert status == 200 and resp.content_type == "text/plain"
    assert "A1" not in text  # one series per route, never one per case
    return sample(text, name, **labels) or 0.0


async def test_requests_are_counted_by_route_pattern_not_path(api: Api) -> None:
    labels = {"method": "GET", "route": "/api/v1/applications/<number:str>", "status": "401"}
    before = await counted(api, "citysvc_http_requests_total", **labels)
    timed = await counted(api, "citysvc_http_request_duration_seconds_count", **labels)
    for number in ("A1", "B2", "C3"):
        await api.call("GET", f"/api/v1/applications/{number}")  # 401: no token
    assert await counted(api, "citysvc_http_requests_total", **labels) - before == 3
    assert await counted(api, "citysvc_http_request_duration_seconds_count", **labels) - timed == 3


async def test_unrouted_paths_share_one_series(api: Api) -> None:
    labels = {"method": "GET", "route": "unmatched", "status": "404"}
    before = await counted(api, "citysvc_http_requests_total", **labels)
    for path in ("/nothing/1", "/nothing/2"):
        await api.call("GET", path)
    assert await counted(api, "citysvc_http_requests_total", **labels) - before == 2


async def test_outbox_depth_and_worker_heartbeats_are_reported(api: Api) -> None:
    clock: FrozenClock = api.clock
    started = clock.now() - timedelta(minutes=5)
    await heartbeat.beat("host-a:1", clock, started)
    clock.advance(seconds=40)
    await heartbeat.beat("host-b:2", clock, started)
    _, text, _ = await api.call("GET", "/metrics")
    assert "# TYPE citysvc_outbox_messages gauge" in text
    assert sample(text, "citysvc_worker_heartbeat_age_seconds", worker="host-a:1") == 40
    assert sample(text, "citysvc_worker_heartbeat_age_seconds", worker="host-b:2") == 0
    assert re.search(r"^citysvc_workers_alive 1\.0$", text, re.M)


async def test_open_warnings_and_campaigns_are_reported(api: Api) -> None:
    await StaffAlert.create(
        department_code="GA",
        application_id=1,
        kind="overdue",
        level="critical",
        message="已超期",
        created_at=api.clock.now(),
    )
    await StaffAlert.create(
        department_code="GA",
        application_id=2,
        kind="overdue",
        level="critical",
        message="已超期",
        created_at=api.clock.now(),
        resolved_at=api.clock.now(),
    )
    _, text, _ = await api.call("GET", "/metrics")
    assert sample(text, "citysvc_supervision_warnings_open", level="critical") == 1
    assert "# TYPE citysvc_campaigns gauge" in text


async def test_metrics_token_is_asked_for_when_set(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> None:
    settings = harness.settings_for(database_url, METRICS_TOKEN="scrape-me", **platform_env)
    async with harness.running_api(settings, clock) as api:
        status, body, _ = await api.call("GET", "/metrics")
        assert (status, body["error"]["code"]) == (401, "metrics_token_required")
        assert (await api.call("GET", "/metrics", token="wrong"))[0] == 401
        assert (await api.call("GET", "/metrics", token="scrape-me"))[0] == 200
