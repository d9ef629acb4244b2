"""Citizens say which township they live in; campaigns aimed at towns reach exactly them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.campaigns.models import CitizenTown
from core.clock import FrozenClock
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api

TOWNS = "仙女镇,小纪镇，武坚镇、丁沟镇"


@pytest.fixture
async def listed(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[Api]:
    """The API of a district that lists its towns (DISTRICT_TOWNS)."""
    settings = harness.settings_for(database_url, DISTRICT_TOWNS=TOWNS, **platform_env)
    async with harness.running_api(settings, clock) as running:
        yield running


async def test_set_read_and_forget_a_town(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    assert (await api.call("GET", "/api/v1/towns"))[1] == []  # free text
    assert (await api.call("GET", "/api/v1/me/town", token=token))[1] == {"town": None}
    status, body, _ = await api.call(
        "PUT", "/api/v1/me/town", token=token, json={"town": " 邵伯镇 "}
    )
    assert (status, body) == (200, {"town": "邵伯镇"})
    assert (await api.call("GET", "/api/v1/me/town", token=token))[1] == {"town": "邵伯镇"}
    for bad in ({"town": ""}, {"town": "镇" * 33}, {"town": 7}, {}):
        status, body, _ = await api.call("PUT", "/api/v1/me/town", token=token, json=bad)
        assert (status, body["error"]["details"]) == (422, {"field": "town"}), bad
    assert (await api.call("DELETE", "/api/v1/me/town", token=token))[0] == 204
    assert (await api.call("GET", "/api/v1/me/town", token=token))[1] == {"town": None}
    assert (await api.call("PUT", "/api/v1/me/town", json={"town": "邵伯镇"}))[0] == 401


async def test_a_listed_district_takes_only_its_towns(listed: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(listed, wechat)
    status, body, _ = await listed.call("GET", "/api/v1/towns")
    assert body == ["仙女镇", "小纪镇", "武坚镇", "丁沟镇"]
    status, body, _ = await listed.call(
        "PUT", "/api/v1/me/town", token=token, json={"town": "仙女"}
    )
    assert (status, body["error"]["code"]) == (422, "unknown_town")
    status, body, _ = await listed.call(
        "PUT", "/api/v1/me/town", token=token, json={"town": "丁沟镇"}
    )
    assert (status, body) == (200, {"town": "丁沟镇"})
    maker = await b.staff_token(listed, "pub.maker", role="publicity", department=None)
    campaign = {
        "name": "冬季供暖",
        "topic": "highway_traffic",
        "title": "高速路面结冰提醒",
        "summary": "注意出行安全",
        "page": "pages/topics/index",
        "send_at": "2027-01-10T09:00:00+08:00",
        "rate_per_second": 100,
    }
    for towns, expected in ((["小纪"], 422), (["小纪镇", "丁沟镇"], 201)):
        status, body, _ = await listed.call(
            "POST",
            "/api/v1/staff/campaigns",
            token=maker,
            json=campaign | {"audience": {"realname_only": False, "towns": towns}},
        )
        assert status == expected, body
    assert body["audience"]["towns"] == ["丁沟镇", "小纪镇"]


async def test_closing_the_account_forgets_the_town(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    await api.call("PUT", "/api/v1/me/town", token=token, json={"town": "邵伯镇"})
    assert await CitizenTown.all().count() == 1
    assert (await api.call("DELETE", "/api/v1/me", token=token))[0] == 204
    assert await CitizenTown.all().count() == 0
