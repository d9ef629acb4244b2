"""The public board (审批直播间) and its Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from core.clock import FrozenClock
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api

HEARTBEAT = 0.4


@pytest.fixture
async def board_api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[Api]:
    settings = harness.settings_for(
        database_url, **platform_env, BOARD_HEARTBEAT_SECONDS=str(HEARTBEAT)
    )
    async with harness.running_api(settings, clock) as running:
        yield running


async def _next_block(resp: aiohttp.ClientResponse, timeout: float = 3.0) -> str:
    raw = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), timeout)
    return raw.decode()


async def _next_event(resp: aiohttp.ClientResponse, timeout: float = 3.0) -> tuple[int, dict]:  # type: ignore[type-arg]
    while True:
        block = await _next_block(resp, timeout)
        lines = dict(line.split(": ", 1) for line in block.strip().split("\n") if ": " in line)
        if "id" in lines:
            return int(lines["id"]), json.loads(lines["data"])


async def test_board_lists_todays_finished_cases_anonymised(
    api: Api, wechat: WeChatSandbox
) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.file_case(api, citizen)
    status, body, _ = await api.call("GET", "/api/v1/public/board")
    assert (status, body) == (200, [])
    await b.act(api, clerk, number, "refuse", note="材料不全")
    _, body, _ = await api.call("GET", "/api/v1/public/board")
    [entry] = body
    assert set(entry) == {"id", "at", "item_name", "department_name", "status"}
    assert (entry["item_name"], entry["department_name"], entry["status"]) == (
        "测试事项001",
        "部门GA",
        "refused",
    )
    assert entry["at"].endswith("+08:00")
    assert number not in json.dumps(body)
    _, after, _ = await api.call("GET", f"/api/v1/public/board?since={entry['id']}")
    assert after == []
    status, bad, _ = await api.call("GET", "/api/v1/public/board?since=x")
    assert (status, bad["error"]["code"]) == (422, "invalid_value")
    # a case finishes once: later steps add no entry
    api.clock.advance(days=1)
    _, tomorrow, _ = await api.call("GET", "/api/v1/public/board")
    assert tomorrow == []


async def test_approved_then_collected_is_one_entry(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    for action in ("accept", "start_review", "approve", "hand_over"):
        assert (await b.act(api, clerk, number, action))[0] == 200
    _, body, _ = await api.call("GET", "/api/v1/public/board")
    assert [e["status"] for e in body] == ["approved"]


async def test_stream_pushes_a_clerks_action_within_a_second(
    board_api: Api, wechat: WeChatSandbox
) -> None:
    api = board_api
    citizen, clerk, first = await b.new_case(api, wechat)
    second = await b.file_case(api, citizen)
    async with api.http.get(api.url + "/api/v1/public/board/stream") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        assert ": connected" in await _next_block(resp)
        started = time.monotonic()
        assert (await b.act(api, clerk, first, "refuse", note="材料不全"))[0] == 200
        event_id, entry = await _next_event(resp)
        assert time.monotonic() - started < 1.0
        assert entry["status"] == "refused" and entry["id"] == event_id
        # nothing happens: a comment line keeps the connection alive
        quiet = time.monotonic()
        assert await _next_block(resp) == ": keep-alive\n\n"
        assert time.monotonic() - quiet < HEARTBEAT + 0.5
        await b.act(api, clerk, second, "refuse", note="材料不全")
        second_id, _ = await _next_event(resp)
        assert second_id > event_id

    # resuming after the first entry gets the second at once
    headers = {"Last-Event-ID": str(event_id)}
    async with api.http.get(api.url + "/api/v1/public/board/stream", headers=headers) as resp:
        resumed_id, _ = await _next_event(resp)
        assert resumed_id == second_id


async def test_many_streams_share_one_poller(board_api: Api, wechat: WeChatSandbox) -> None:
    api = board_api
    _, clerk, number = await b.new_case(api, wechat)
    streams = [
        await api.http.get(api.url + "/api/v1/public/board/stream").__aenter__() for _ in range(20)
    ]
    try:
        for resp in streams:
            await _next_block(resp)
        hub = api.server.app.ctx.board_hub
        assert hub.listeners == 20
        await b.act(api, clerk, number, "refuse", note="材料不全")
        got = await asyncio.gather(*(_next_event(resp) for resp in streams))
        assert len({event_id for event_id, _ in got}) == 1
    finally:
        for resp in streams:
            resp.close()
    for _ in range(50):  # closed connections leave the hub
        if api.server.app.ctx.board_hub.listeners == 0:
            break
        await asyncio.sleep(0.05)
    assert api.server.app.ctx.board_hub.listeners == 0


async def test_a_stream_waiting_before_the_first_poll_gets_what_finished_meanwhile(
    api: Api, wechat: WeChatSandbox
) -> None:
    """The hub starts from the newest entry when its first listener comes: an entry that
    committed between the stream's cursor and that first poll still reaches the stream."""
    from core.feedback.hub import BoardHub

    _, clerk, number = await b.new_case(api, wechat)
    hub = BoardHub(poll=60)  # polled by hand below
    since = await hub.cursor()
    hub.listeners = 1
    waiting = asyncio.create_task(hub.after(since, timeout=5))
    await asyncio.sleep(0.05)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    await hub.check()  # the first poll: it sees the entry as already there
    entries = await asyncio.wait_for(waiting, 1)
    assert [e["status"] for e in entries] == ["refused"]
