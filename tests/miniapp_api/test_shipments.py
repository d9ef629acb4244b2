"""Results mailed by EMS, end to end: the clerk's number, the carrier's pushes, the citizen's view.

The app runs with the sandbox carrier as its tracking provider; ``PUBLIC_BASE_URL`` is the
app's own address, so the sandbox pushes to the real ``/webhooks/tracking``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from core.alerts.service import open_alerts
from core.cases.models import AuditEntry, Milestone
from core.clock import FrozenClock
from core.settings import Settings
from core.shipping.models import Shipment, TrackingEvent
from integrations.tracking.sandbox import CarrierSandbox
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.app import create_app
from miniapp_api.server import start_server
from tests import builders as b
from tests import harness
from tests.harness import Api

CUSTOMER, KEY = "SANDBOXCUSTOMER01", "sandbox-kuaidi100-key"
S10 = "EA123456785CN"
DOMESTIC = "1136281381675"
OK = {"result": True, "returnCode": "200", "message": "成功"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def tracked(
    database_url: str, env: dict[str, str], clock: FrozenClock, carrier: CarrierSandbox
) -> AsyncIterator[Api]:
    """The app on a port known in advance, so that its callback URL can name it."""
    port = _free_port()
    tracking = {
        "TRACKING_API_BASE": carrier.base_url,
        "TRACKING_CUSTOMER": CUSTOMER,
        "TRACKING_KEY": KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    settings: Settings = harness.settings_for(database_url, **env, **tracking)
    app = create_app(settings, clock=clock)
    app.config.TOUCHUP = False
    server = await start_server(app, port=port)
    try:
        async with aiohttp.ClientSession() as http:
            yield Api(server, http, clock)
    finally:
        await server.stop()


@pytest.fixture
async def carrier(clock: FrozenClock) -> AsyncIterator[CarrierSandbox]:
    async with CarrierSandbox(now=clock.now) as sandbox:
        sandbox.add_account(CUSTOMER, KEY)
        yield sandbox


@pytest.fixture
async def api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock, carrier: CarrierSandbox
) -> AsyncIterator[Api]:
    async with tracked(database_url, platform_env, clock, carrier) as running:
        yield running


@pytest.fixture
async def pg_api(
    postgres_url: str,
    postgres_template: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    carrier: CarrierSandbox,
) -> AsyncIterator[Api]:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    async with tracked(url, platform_env, clock, carrier) as running:
        yield running


# -- builders -----------------------------------------------------------------------------


async def decided_case(
    api: Api, wechat: WeChatSandbox, *, method: str = "ems", decision: str = "approve"
) -> tuple[str, str, str]:
    """(citizen token, clerk token, case number) of a case approved (or denied)."""
    await b.add_item()
    citizen = await b.citizen_token(api, wechat)
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, citizen, method=method)
    await decide(api, clerk, number, decision)
    return citizen, clerk, number


async def decide(api: Api, clerk: str, number: str, decision: str = "approve") -> str:
    for action in ("accept", "start_review", decision):
        assert (await b.act(api, clerk, number, action, note="经审查作出决定"))[0] == 200
    return number


async def ship(api: Api, clerk: str, number: str, tracking_number: str) -> tuple[int, Any]:
    status, body, _ = await api.call(
        "POST",
        f"/api/v1/staff/applications/{number}/shipment",
        token=clerk,
        json={"tracking_number": tracking_number},
    )
    return status, body


async def detail(api: Api, citizen: str, number: str) -> dict[str, Any]:
    status, body, _ = await api.call("GET", f"/api/v1/applications/{number}", token=citizen)
    assert status == 200, body
    return dict(body)


async def walk(api: Api, carrier: CarrierSandbox, tracking_number: str, steps: int) -> None:
    for _ in range(steps):
        api.clock.advance(hours=3)
        await carrier.advance(tracking_number)
        assert carrier.pushes[-1].answer == OK, carrier.pushes[-1]


async def push(api: Api, form: dict[str, str] | None = None, **kw: Any) -> tuple[int, Any]:
    status, body, _ = await api.call("POST", "/webhooks/tracking", data=form, **kw)
    return status, body


async def counts() -> tuple[int, int, int]:
    """(tracking events, audit entries, milestones) of every case: what a push may change."""
    return (
        await TrackingEvent.all().count(),
        await AuditEntry.all().count(),
        await Milestone.all().count(),
    )


# -- recording the number -----------------------------------------------------------------

# EA123456785CN with every other check digit, and with each serial digit mistyped (+1; the
# sixth by +2, since 7 there gives the same check digit: the S10 scheme cannot see that typo)
WRONG_DIGITS = [f"EA12345678{d}CN" for d in "0123456789" if d != "5"] + [
    "EA223456785CN",
    "EA133456785CN",
    "EA124456785CN",
    "EA123556785CN",
    "EA123466785CN",
    "EA123458785CN",
    "EA123456885CN",
    "EA123456795CN",
]
WRONG_SHAPES = {
    "RB123456785GB": "not_ems",  # a valid S10 number of registered mail
    "LA123456785CN": "not_ems",
    "E1123456785CN": "format",
    "EA12345678CN": "format",
    "113628138167": "format",  # 12 digits
    "11362813816750": "format",  # 14 digits
}


async def test_tracking_numbers_are_checked(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, number = await decided_case(api, wechat)
    cases = {bad: "check_digit" for bad in WRONG_DIGITS} | WRONG_SHAPES
    for bad, reason in cases.items():
        status, body = await ship(api, clerk, number, bad)
        error = body["error"]
        assert (status, error["code"], error["details"]) == (
            422,
            "invalid_tracking_number",
            {"reason": reason},
        ), bad
    assert (await ship(api, clerk, number, "  "))[0] == 422
    status, case = await ship(api, clerk, number, "ea 1234 5678 5cn")
    assert (status, case["status"]) == (200, "result_mailed")
    assert case["shipment"]["tracking_number"] == S10
    assert case["shipment"]["subscribed"] is True


async def test_a_domestic_number_for_a_denied_case(
    api: Api, wechat: WeChatSandbox, carrier: CarrierSandbox
) -> None:
    _, clerk, number = await decided_case(api, wechat, decision="deny")
    status, case = await ship(api, clerk, number, DOMESTIC)
    assert (status, case["status"], case["shipment"]["tracking_number"]) == (
        200,
        "result_mailed",
        DOMESTIC,
    )
    assert carrier.subscriptions[DOMESTIC].callbackurl == api.url + "/webhooks/tracking"


async def test_only_decided_ems_cases_ship(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, pickup = await decided_case(api, wechat, method="pickup")
    status, body = await ship(api, clerk, pickup, S10)
    assert (status, body["error"]["code"]) == (409, "not_shippable")
    citizen = await b.citizen_token(api, wechat)
    pending = await b.file_case(api, citizen)
    status, body = await ship(api, clerk, pending, S10)
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    assert body["error"]["details"]["status"] == "submitted"
    outsider = await b.staff_token(api, "clerk-mz", department="MZ")
    assert (await ship(api, outsider, pickup, S10))[0] == 404


async def test_a_number_serves_one_citizen(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, first = await decided_case(api, wechat)
    other = await decide(api, clerk, await b.file_case(api, await b.citizen_token(api, wechat)))
    assert (await ship(api, clerk, first, S10))[0] == 200
    status, body = await ship(api, clerk, other, "ea 1234 5678 5cn")
    assert (status, body["error"]["code"]) == (409, "tracking_number_in_use")
    assert body["error"]["details"] == {"tracking_number": S10}
    path = "/api/v1/staff/applications/{}"
    _, case, _ = await api.call("GET", path.format(other), token=clerk)
    assert (case["status"], case["shipment"]) == ("approved", None)
    # the same number again on its own case: refused as today, nothing recorded twice
    status, body = await ship(api, clerk, first, S10)
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    _, case, _ = await api.call("GET", path.format(first), token=clerk)
    assert [e["action"] for e in case["audit"]].count("ship") == 1
    # a second result of the same citizen may travel in the same envelope
    same = await decide(api, clerk, await b.file_case(api, citizen))
    assert (await ship(api, clerk, same, S10))[0] == 200
    assert await Shipment.filter(tracking_number=S10).count() == 2


# -- the carrier's pushes -----------------------------------------------------------------


async def test_a_full_walk_ends_delivered(
    api: Api, wechat: WeChatSandbox, carrier: CarrierSandbox
) -> None:
    citizen, clerk, number = await decided_case(api, wechat)
    await ship(api, clerk, number, S10)
    before = await detail(api, citizen, number)
    assert before["shipment"] == {"tracking_number": S10, "events": []}
    await walk(api, carrier, S10, 4)
    view = await detail(api, citizen, number)
    assert view["status"] == "delivered"
    assert [t["status"] for t in view["timeline"]][-2:] == ["result_mailed", "delivered"]
    events = view["shipment"]["events"]  # newest first
    assert [e["status"] for e in events] == [
        "signed",
        "out_for_delivery",
        "in_transit",
        "collected",
    ]
    assert events[0]["at"] == api.clock.now().isoformat()
    assert events[0]["description"] == "已签收，签收人：本人"
    assert set(events[0]) == {"at", "status", "description"}
    milestones = (
        await Milestone.filter(event__startswith="application.")
        .order_by("id")
        .values_list("event", flat=True)
    )
    assert milestones[-2:] == ["application.result_mailed", "application.delivered"]
    clerk = await b.staff_login(api, "clerk1")  # 12 hours on: staff sessions idle out at 30 min
    status, staff_view, _ = await api.call(
        "GET", f"/api/v1/staff/applications/{number}", token=clerk
    )
    assert (status, staff_view["shipment"]["state"], len(staff_view["shipment"]["events"])) == (
        200,
        "signed",
        4,
    )


async def test_the_address_is_masked_for_the_citizen_only(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await decided_case(api, wechat)
    _, case = await ship(api, clerk, number, S10)
    address = (await detail(api, citizen, number))["delivery"]["address"]
    assert address["name"] != b.ADDRESS["name"] and address["phone"] != b.ADDRESS["phone"]
    assert address["detail"] != b.ADDRESS["detail"]
    assert "13812345678" not in str(address) and "龙川路88号3幢201室" not in str(address)
    assert case["delivery"]["address"] == b.ADDRESS  # the clerk who mails it reads it whole


async def test_forged_pushes_change_nothing_and_replays_are_harmless(
    api: Api, wechat: WeChatSandbox, carrier: CarrierSandbox
) -> None:
    citizen, clerk, number = await decided_case(api, wechat)
    await ship(api, clerk, number, S10)
    await walk(api, carrier, S10, 3)
    before = await counts()
    out_for_delivery = carrier.pushes[-1].form
    forged = out_for_delivery["param"].replace('"state": "5"', '"state": "3"')
    assert forged != out_for_delivery["param"]
    for form in [
        {"param": forged, "sign": out_for_delivery["sign"]},
        {"param": out_for_delivery["param"]},
        {"param": out_for_delivery["param"], "sign": "0" * 32},
        {},
    ]:
        status, body = await push(api, form)
        assert (status, body["error"]["code"]) == (401, "signature_invalid"), form
    status, _ = await push(api, json={"param": forged})  # not even a form
    assert status == 401
    assert await counts() == before
    assert (await detail(api, citizen, number))["status"] == "result_mailed"

    await walk(api, carrier, S10, 1)
    delivered = await counts()
    for form in (carrier.pushes[-1].form, carrier.pushes[-1].form, out_for_delivery):
        assert await push(api, form) == (200, OK)
    assert await counts() == delivered  # no new event, no second transition
    view = await detail(api, citizen, number)
    assert (view["status"], len(view["shipment"]["events"])) == ("delivered", 4)


async def test_a_problem_parcel_alerts_the_clerk_once(
    api: Api, wechat: WeChatSandbox, carrier: CarrierSandbox
) -> None:
    citizen, clerk, number = await decided_case(api, wechat)
    carrier.add_parcel(S10, "problem")
    await ship(api, clerk, number, S10)
    await walk(api, carrier, S10, 3)
    for _ in range(2):  # the provider pushes again; a repeat is no new failure
        assert (await carrier.push(S10)).answer == OK
    alerts = (await open_alerts("GA"))[0]
    assert [(a.kind, a.level) for a in alerts] == [("shipment.problem", "warning")]
    assert number in alerts[0].message and S10 in alerts[0].message
    failed = await Milestone.filter(event="shipment.delivery_failed").values_list("note", flat=True)
    assert failed == ["投递遇到问题（疑难件）：收件地址不详，无法投递"]
    view = await detail(api, citizen, number)
    assert (view["status"], view["shipment"]["events"][0]["status"]) == ("result_mailed", "problem")


async def test_the_webhook_applies_events_on_postgres(
    pg_api: Api, wechat: WeChatSandbox, carrier: CarrierSandbox
) -> None:
    citizen, clerk, number = await decided_case(pg_api, wechat)
    assert (await ship(pg_api, clerk, number, DOMESTIC))[0] == 200
    await walk(pg_api, carrier, DOMESTIC, 3)
    # the signed-for push reaches nobody, then arrives three times at once (provider retries)
    carrier.subscriptions[DOMESTIC].callbackurl = "http://127.0.0.1:9/webhooks/tracking"
    await carrier.advance(DOMESTIC)
    signed = carrier.pushes[-1].form
    answers = await asyncio.gather(*(push(pg_api, signed) for _ in range(3)))
    assert answers == [(200, OK)] * 3
    assert await push(pg_api, carrier.pushes[1].form) == (200, OK)  # a late, older push
    view = await detail(pg_api, citizen, number)
    assert view["status"] == "delivered"
    assert [e["status"] for e in view["shipment"]["events"]] == [
        "signed",
        "out_for_delivery",
        "in_transit",
        "collected",
    ]
    assert await AuditEntry.filter(action="deliver").count() == 1


async def test_the_endpoints_are_documented(api: Api) -> None:
    status, doc, _ = await api.call("GET", "/docs/openapi.json")
    assert status == 200
    assert "post" in doc["paths"]["/webhooks/tracking"]
    assert "post" in doc["paths"]["/api/v1/staff/applications/{number}/shipment"]
