"""Every time in every answer says +08:00, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
from typing import Any

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def times_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in times_in(v)]
    if isinstance(value, list):
        return [t for v in value for t in times_in(v)]
    return [value] if isinstance(value, str) and _TIME.match(value) else []


async def _answers(api: Api, wechat: WeChatSandbox) -> list[Any]:
    citizen, clerk, number = await b.new_case(api, wechat)
    assert (await b.act(api, clerk, number, "accept"))[0] == 200
    answers = []
    for token, path in (
        (citizen, f"/api/v1/applications/{number}"),
        (citizen, "/api/v1/applications"),
        (citizen, "/api/v1/me/messages"),
        (clerk, f"/api/v1/staff/applications/{number}"),
        (clerk, "/api/v1/staff/applications"),
    ):
        status, body, _ = await api.call("GET", path, token=token)
        assert status == 200, (path, body)
        answers.append(body)
    return answers


async def _check(api: Api, wechat: WeChatSandbox) -> None:
    answers = await _answers(api, wechat)
    detail = answers[0]
    assert detail["created_at"].endswith("+08:00"), detail["created_at"]
    found = times_in(answers)
    assert len(found) >= 8
    assert [t for t in found if not t.endswith("+08:00")] == []


async def test_times_are_china_time_on_sqlite(api: Api, wechat: WeChatSandbox) -> None:
    await _check(api, wechat)


async def test_times_are_china_time_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    await _check(pg_api, wechat)
