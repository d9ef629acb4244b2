"""The Kuaidi100 client against the sandbox carrier: subscribe, query, signed pushes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
import pytest

from core.clock import CST, FrozenClock
from integrations.errors import Permanent, Retryable, SignatureInvalid
from integrations.http import new_session
from integrations.tracking.client import (
    Kuaidi100Client,
    md5_upper,
    push_salt,
    verify_push,
)
from integrations.tracking.sandbox import QUERY, SUBSCRIBE, CarrierSandbox

CUSTOMER, KEY = "SANDBOXCUSTOMER01", "sandbox-kuaidi100-key"
SECRET = "a-deployment-secret-key-of-at-least-32-chars"
UNREACHABLE = "http://127.0.0.1:9/webhooks/tracking"
NUMBER = "EA123456785CN"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 26, 9, 0, tzinfo=CST))


@pytest.fixture
async def carrier(clock: FrozenClock) -> AsyncIterator[CarrierSandbox]:
    async with CarrierSandbox(now=clock.now) as sandbox:
        sandbox.add_account(CUSTOMER, KEY)
        yield sandbox


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session(timeout=2.0) as session:
        yield session


@pytest.fixture
def client(http: aiohttp.ClientSession, carrier: CarrierSandbox) -> Kuaidi100Client:
    return Kuaidi100Client(http, carrier.base_url, CUSTOMER, KEY, UNREACHABLE, SECRET)


async def walk(carrier: CarrierSandbox, clock: FrozenClock, steps: int) -> None:
    for _ in range(steps):
        clock.advance(hours=2)
        await carrier.advance(NUMBER)


# -- subscribe ----------------------------------------------------------------------------


async def test_subscribe_sends_callback_salt_and_resultv2(
    client: Kuaidi100Client, carrier: CarrierSandbox
) -> None:
    assert await client.subscribe(NUMBER)
    sub = carrier.subscriptions[NUMBER]
    assert (sub.key, sub.callbackurl, sub.resultv2) == (KEY, UNREACHABLE, True)
    assert sub.salt == push_salt(SECRET, NUMBER) and len(sub.salt) == 32
    assert push_salt(SECRET, NUMBER) != push_salt(SECRET, "EA000000005CN")  # per parcel
    assert await client.subscribe(NUMBER)  # 501 "already subscribed" is no failure


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"return_code": "600"}, Permanent),
        ({"return_code": "700"}, Permanent),
        ({"return_code": "500"}, Retryable),
        ({"http_status": 502}, Retryable),
    ],
)
async def test_subscribe_failures(
    client: Kuaidi100Client, carrier: CarrierSandbox, fault: dict[str, object], error: type
) -> None:
    carrier.fail_next(SUBSCRIBE, **fault)  # type: ignore[arg-type]
    with pytest.raises(error):
        await client.request_subscription(NUMBER)
    carrier.fail_next(SUBSCRIBE, **fault)  # type: ignore[arg-type]
    assert not await client.subscribe(NUMBER)  # the port logs and answers False


async def test_a_wrong_or_expired_key_is_permanent(
    http: aiohttp.ClientSession, carrier: CarrierSandbox
) -> None:
    wrong = Kuaidi100Client(http, carrier.base_url, CUSTOMER, "wrong", UNREACHABLE, SECRET)
    with pytest.raises(Permanent) as caught:
        await wrong.request_subscription(NUMBER)
    assert caught.value.platform_code == "600"
    carrier.expire_key(KEY)
    right = Kuaidi100Client(http, carrier.base_url, CUSTOMER, KEY, UNREACHABLE, SECRET)
    with pytest.raises(Permanent) as caught:
        await right.request_subscription(NUMBER)
    assert caught.value.platform_code == "601"


async def test_an_unreachable_provider_is_retryable(http: aiohttp.ClientSession) -> None:
    client = Kuaidi100Client(http, "http://127.0.0.1:9", CUSTOMER, KEY, UNREACHABLE, SECRET)
    with pytest.raises(Retryable):
        await client.request_subscription(NUMBER)
    assert await client.query(NUMBER) is None


# -- query --------------------------------------------------------------------------------


async def test_query_is_signed_and_reads_the_history_newest_first(
    client: Kuaidi100Client, carrier: CarrierSandbox, clock: FrozenClock
) -> None:
    carrier.add_parcel(NUMBER, "signed")
    await walk(carrier, clock, 4)
    update = await client.fetch(NUMBER)
    assert (update.tracking_number, update.state, update.stopped) == (NUMBER, "signed", False)
    assert [e.status for e in update.events] == [
        "signed",
        "out_for_delivery",
        "in_transit",
        "collected",
    ]
    assert update.events[0].at == clock.now()
    assert update.events[0].location == "江苏省扬州市"
    assert carrier.calls[QUERY] == 1


async def test_query_failures(
    http: aiohttp.ClientSession, client: Kuaidi100Client, carrier: CarrierSandbox
) -> None:
    with pytest.raises(Retryable) as caught:  # mailed, not scanned yet: "查询无结果"
        await client.fetch(NUMBER)
    assert caught.value.platform_code == "500"
    assert await client.query(NUMBER) is None
    bad_key = Kuaidi100Client(http, carrier.base_url, CUSTOMER, "wrong", UNREACHABLE, SECRET)
    with pytest.raises(Permanent) as caught:  # the sign is made with the wrong key
        await bad_key.fetch(NUMBER)
    assert caught.value.platform_code == "503"
    carrier.fail_next(QUERY, http_status=503)
    with pytest.raises(Retryable):
        await client.fetch(NUMBER)


# -- pushes -------------------------------------------------------------------------------


async def pushed_form(
    client: Kuaidi100Client, carrier: CarrierSandbox, clock: FrozenClock, outcome: str, steps: int
) -> dict[str, str]:
    carrier.add_parcel(NUMBER, outcome)
    assert await client.subscribe(NUMBER)
    await walk(carrier, clock, steps)
    assert len(carrier.pushes) == steps
    return carrier.pushes[-1].form


async def test_a_signed_push_verifies(
    client: Kuaidi100Client, carrier: CarrierSandbox, clock: FrozenClock
) -> None:
    form = await pushed_form(client, carrier, clock, "problem", 3)
    update = verify_push(SECRET, form["param"], form["sign"])
    assert update.state == "problem"
    assert [e.status for e in update.events] == ["problem", "in_transit", "collected"]
    assert verify_push(SECRET, form["param"], form["sign"].lower()).state == "problem"


async def test_forged_pushes_are_refused(
    client: Kuaidi100Client, carrier: CarrierSandbox, clock: FrozenClock
) -> None:
    form = await pushed_form(client, carrier, clock, "signed", 2)
    param, sign = form["param"], form["sign"]
    payload = json.loads(param)
    payload["lastResult"]["state"] = "3"
    tampered = json.dumps(payload, ensure_ascii=False)
    other_parcel = md5_upper(param + push_salt(SECRET, "EA000000005CN"))
    other_secret = md5_upper(param + push_salt("another-deployment-secret-0123456789", NUMBER))
    for bad_param, bad_sign in [
        (tampered, sign),
        (param, other_parcel),
        (param, other_secret),
        (param, None),
        (None, sign),
        ("not json", sign),
        (param, "é" * 32),
    ]:
        with pytest.raises(SignatureInvalid):
            verify_push(SECRET, bad_param, bad_sign)


async def test_abort_stops_the_subscription(
    client: Kuaidi100Client, carrier: CarrierSandbox, clock: FrozenClock
) -> None:
    await pushed_form(client, carrier, clock, "signed", 1)
    push = await carrier.abort(NUMBER)
    update = verify_push(SECRET, push.form["param"], push.form["sign"])
    assert update.stopped and NUMBER not in carrier.subscriptions
    assert await client.subscribe(NUMBER)  # a fresh subscription is accepted again
