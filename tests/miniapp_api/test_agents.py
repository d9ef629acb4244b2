"""Agent service (代办): authorised agents file for a citizen; the case is the citizen's."""

from __future__ import annotations

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

CODE = "320112-000-XK-00001"


async def setup(api: Api, wechat: WeChatSandbox) -> tuple[str, str, str, str]:
    await b.add_item()
    citizen = await b.citizen_token(api, wechat)
    agent = await b.citizen_token(api, wechat)
    agent_id = (await b.me(api, agent))["id"]
    await b.verify_directly(agent_id, name="李代办", id_number="440524188001010014")
    return citizen, agent, (await b.me(api, citizen))["id"], agent_id


async def file_for(api: Api, agent: str, citizen_id: str) -> tuple[int, dict]:
    file_id = await b.upload(api, agent)
    body = {
        "item_code": CODE,
        "on_behalf_of": citizen_id,
        "materials": [
            {"name": "申请表", "file_id": file_id},
            {"name": "居民身份证", "file_id": file_id},
        ],
        "delivery": {"method": "pickup"},
    }
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=agent, json=body)
    return status, answer


async def test_authorised_agent_files_for_citizen(api: Api, wechat: WeChatSandbox) -> None:
    citizen, agent, citizen_id, agent_id = await setup(api, wechat)
    status, auth, _ = await api.call(
        "POST",
        "/api/v1/agent-authorizations",
        token=citizen,
        json={"agent_id": agent_id, "item_code": CODE},
    )
    assert status == 201 and auth["agent_id"] == agent_id
    status, case = await file_for(api, agent, citizen_id)
    assert status == 201, case
    mine = (await api.call("GET", "/api/v1/applications", token=citizen))[1]
    assert [c["number"] for c in mine] == [case["number"]]
    clerk = await b.staff_token(api, "clerk1")
    view = (await api.call("GET", f"/api/v1/staff/applications/{case['number']}", token=clerk))[1]
    assert view["agent_filed"] is True
    assert view["audit"][0]["actor"] == f"agent:{agent_id}"


async def test_agent_without_authorisation_is_refused(api: Api, wechat: WeChatSandbox) -> None:
    citizen, agent, citizen_id, agent_id = await setup(api, wechat)
    status, body = await file_for(api, agent, citizen_id)
    assert (status, body["error"]["code"]) == (403, "not_authorised_agent")
    status, auth, _ = await api.call(
        "POST",
        "/api/v1/agent-authorizations",
        token=citizen,
        json={"agent_id": agent_id, "item_code": CODE},
    )
    deleted = await api.call("DELETE", f"/api/v1/agent-authorizations/{auth['id']}", token=citizen)
    assert deleted[0] == 204
    assert (await file_for(api, agent, citizen_id))[0] == 403


async def test_authorisation_checks(api: Api, wechat: WeChatSandbox) -> None:
    citizen, _, citizen_id, agent_id = await setup(api, wechat)
    unverified = (await b.me(api, await b.citizen_token(api, wechat)))["id"]
    cases = [
        ({"agent_id": citizen_id, "item_code": CODE}, "invalid_agent"),
        ({"agent_id": unverified, "item_code": CODE}, "agent_not_verified"),
        ({"agent_id": agent_id, "item_code": "nope"}, "unknown_item"),
        ({"agent_id": "not-a-uuid", "item_code": CODE}, "invalid_citizen_id"),
    ]
    for body, code in cases:
        status, answer, _ = await api.call(
            "POST", "/api/v1/agent-authorizations", token=citizen, json=body
        )
        assert (status, answer["error"]["code"]) == (422, code), body
