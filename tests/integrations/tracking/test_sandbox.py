"""The sandbox carrier on the wire, without our client: what a real push and answer look like."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from integrations.tracking.sandbox import ADVANCE, QUERY, ROUTES, SUBSCRIBE, CarrierSandbox

KEY = "sandbox-kuaidi100-key"
NUMBER = "1136281381675"
LAST_CODE = {"signed": "3", "problem": "2", "refused": "14", "returned": "4"}


@pytest.fixture
async def carrier() -> AsyncIterator[CarrierSandbox]:
    async with CarrierSandbox() as sandbox:
        sandbox.add_account("CUSTOMER", KEY)
        yield sandbox


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A callback endpoint that records the forms it receives and answers success."""
    received: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        received.append({k: str(v) for k, v in (await request.post()).items()})
        return web.json_response({"result": True, "returnCode": "200", "message": "成功"})

    app = web.Application()
    app.router.add_post("/cb", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/cb", received
    await runner.cleanup()


async def post(url: str, form: dict[str, str]) -> Any:
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as resp:
        return await resp.json(content_type=None)


def subscription(number: str = NUMBER, **parameters: str) -> dict[str, str]:
    param = {"company": "ems", "number": number, "key": KEY, "parameters": parameters}
    return {"schema": "json", "param": json.dumps(param)}


@pytest.mark.parametrize("outcome", sorted(ROUTES))
async def test_each_walk_ends_in_its_state(
    carrier: CarrierSandbox, receiver: tuple[str, list[dict[str, str]]], outcome: str
) -> None:
    url, received = receiver
    carrier.add_parcel(NUMBER, outcome)
    answer = await post(carrier.base_url + SUBSCRIBE, subscription(callbackurl=url, salt="s"))
    assert answer == {"result": True, "returnCode": "200", "message": "提交成功"}
    codes = [await carrier.advance(NUMBER) for _ in ROUTES[outcome]]
    assert (codes[0], codes[-1]) == ("1", LAST_CODE[outcome])
    assert all(push.accepted for push in carrier.pushes)
    last = json.loads(received[-1]["param"])
    assert last["lastResult"]["state"] == codes[-1]
    assert len(last["lastResult"]["data"]) == len(codes)  # the whole history, every time
    assert last["status"] == ("shutdown" if codes[-1] in ("3", "4") else "polling")
    with pytest.raises(ValueError):
        await carrier.advance(NUMBER)


async def test_a_push_is_signed_with_the_salt_newest_first(
    carrier: CarrierSandbox, receiver: tuple[str, list[dict[str, str]]]
) -> None:
    url, received = receiver
    await post(carrier.base_url + SUBSCRIBE, subscription(callbackurl=url, salt="pepper"))
    await carrier.advance(NUMBER)
    await carrier.advance(NUMBER)
    form = received[-1]
    assert form["sign"] == hashlib.md5((form["param"] + "pepper").encode()).hexdigest().upper()
    data = json.loads(form["param"])["lastResult"]["data"]
    assert [d["status"] for d in data] == ["在途", "揽收"]


async def test_without_salt_a_push_is_unsigned(
    carrier: CarrierSandbox, receiver: tuple[str, list[dict[str, str]]]
) -> None:
    url, received = receiver
    await post(carrier.base_url + SUBSCRIBE, subscription(callbackurl=url))
    await carrier.advance(NUMBER)
    assert "sign" not in received[-1]


@pytest.mark.parametrize(
    ("form", "code"),
    [
        (subscription(callbackurl="ftp://x"), "700"),
        (subscription(number="", callbackurl="http://x"), "700"),
        ({"schema": "xml", "param": "{}"}, "700"),
        (
            {
                "schema": "json",
                "param": json.dumps(
                    {
                        "company": "sf",
                        "number": "1",
                        "key": KEY,
                        "parameters": {"callbackurl": "http://x"},
                    }
                ),
            },
            "701",
        ),
        ({"schema": "json", "param": json.dumps({"number": "1", "key": "nope"})}, "600"),
    ],
)
async def test_subscribe_refusals(carrier: CarrierSandbox, form: dict[str, str], code: str) -> None:
    answer = await post(carrier.base_url + SUBSCRIBE, form)
    assert (answer["result"], answer["returnCode"]) == (False, code)


async def test_a_second_subscription_is_501(carrier: CarrierSandbox) -> None:
    form = subscription(callbackurl="http://127.0.0.1:9/cb")
    await post(carrier.base_url + SUBSCRIBE, form)
    assert (await post(carrier.base_url + SUBSCRIBE, form))["returnCode"] == "501"


async def test_query_checks_the_sign(carrier: CarrierSandbox) -> None:
    param = json.dumps({"com": "ems", "num": NUMBER})
    answer = await post(
        carrier.base_url + QUERY, {"customer": "CUSTOMER", "param": param, "sign": "X" * 32}
    )
    assert (answer["result"], answer["returnCode"]) == (False, "503")


async def test_a_demo_can_advance_a_parcel_over_http(carrier: CarrierSandbox) -> None:
    carrier.add_parcel(NUMBER)
    async with aiohttp.ClientSession() as http:
        async with http.post(carrier.base_url + ADVANCE, json={"number": NUMBER}) as resp:
            assert (resp.status, await resp.json()) == (200, {"number": NUMBER, "state": "1"})
        async with http.post(carrier.base_url + ADVANCE, json={"number": "nope"}) as resp:
            assert resp.status == 404
