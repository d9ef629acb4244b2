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


async def file_for(
    api: Api, agent: str, citizen_id: str, item_code: str = CODE
) -> tuple[int, dict]:
    file_id = await b.upload(api, agent)
    body = {
        "item_code": item_code,
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
    mine = (await api.call("GET", "/api/v1/applications", token=citizen))[1]["items"]
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


async def authorise(api: Api, citizen: str, agent_id: str, item_code: str = CODE) -> int:
    status, auth, _ = await api.call(
        "POST",
        "/api/v1/agent-authorizations",
        token=citizen,
        json={"agent_id": agent_id, "item_code": item_code},
    )
    assert status == 201, auth
    return int(auth["id"])


async def reach(api: Api, token: str, number: str) -> list[int]:
    """The status of each thing a citizen can do with a case: read, list, supplement, withdraw."""
    path = f"/api/v1/applications/{number}"
    read = (await api.call("GET", path, token=token))[0]
    listed = [
        c["number"]
        for c in (await api.call("GET", "/api/v1/applications", token=token))[1]["items"]
    ]
    material = {"name": "申请表", "file_id": await b.upload(api, token)}
    supplement = (
        await api.call("POST", f"{path}/supplement", token=token, json={"materials": [material]})
    )[0]
    withdraw = (await api.call("POST", f"{path}/withdraw", token=token))[0]
    return [read, 200 if number in listed else 404, supplement, withdraw]


async def test_revoking_cuts_the_agent_off(api: Api, wechat: WeChatSandbox) -> None:
    citizen, agent, citizen_id, agent_id = await setup(api, wechat)
    auth_id = await authorise(api, citizen, agent_id)
    clerk = await b.staff_token(api, "clerk1")
    numbers = []
    for _ in range(3):
        status, case = await file_for(api, agent, citizen_id)
        assert status == 201, case
        numbers.append(case["number"])
        assert (await b.act(api, clerk, case["number"], "request_supplement", note="补申请表"))[
            0
        ] == 200
    first, second, third = numbers
    # while authorised the agent reads, lists, supplements and withdraws what it filed
    assert await reach(api, agent, first) == [200, 200, 200, 200]

    deleted = await api.call("DELETE", f"/api/v1/agent-authorizations/{auth_id}", token=citizen)
    assert deleted[0] == 204
    stranger = await b.citizen_token(api, wechat)
    assert await reach(api, agent, second) == [404] * 4 == await reach(api, stranger, second)
    status, body, _ = await api.call("GET", f"/api/v1/applications/{second}", token=agent)
    assert body["error"]["code"] == "case_not_found"
    assert (await api.call("GET", "/api/v1/applications", token=agent))[1]["items"] == []
    # the citizen keeps every case, untouched by the agent's attempts
    assert await reach(api, citizen, second) == [200, 200, 200, 200]
    listed = (await api.call("GET", "/api/v1/applications", token=citizen))[1]["items"]
    assert [c["status"] for c in listed] == ["supplement_requested", "withdrawn", "withdrawn"]
    # authorised again, the agent again reaches what it filed for that item
    await authorise(api, citizen, agent_id)
    assert (await api.call("GET", f"/api/v1/applications/{third}", token=agent))[0] == 200


async def test_an_authorisation_covers_its_own_item_and_principal(
    api: Api, wechat: WeChatSandbox
) -> None:
    citizen, agent, citizen_id, agent_id = await setup(api, wechat)
    other = "320112-000-XK-00002"
    await b.add_item(code=other)
    await authorise(api, citizen, agent_id, other)
    revoked = await authorise(api, citizen, agent_id)
    neighbour = await b.citizen_token(api, wechat)
    await authorise(api, neighbour, agent_id)
    filed = [
        await file_for(api, agent, citizen_id),
        await file_for(api, agent, citizen_id, other),
        await file_for(api, agent, (await b.me(api, neighbour))["id"]),
    ]
    assert [status for status, _ in filed] == [201] * 3, filed
    cut, *kept = [case["number"] for _, case in filed]
    await api.call("DELETE", f"/api/v1/agent-authorizations/{revoked}", token=citizen)
    assert (await api.call("GET", f"/api/v1/applications/{cut}", token=agent))[0] == 404
    for number in kept:
        assert (await api.call("GET", f"/api/v1/applications/{number}", token=agent))[0] == 200
    listed = [
        c["number"]
        for c in (await api.call("GET", "/api/v1/applications", token=agent))[1]["items"]
    ]
    assert listed == kept[::-1]
