"""The poller: silent parcels are queried, failed subscriptions retried; time is injected."""

from __future__ import annotations

import pytest

from core.cases.context import CaseContext
from core.cases.models import Application
from core.clock import FrozenClock
from core.shipping.models import Shipment, TrackingEvent
from core.shipping.poller import poll_parcels
from core.shipping.service import record_shipment, subscribe_parcel
from integrations.tracking.client import Kuaidi100Client
from integrations.tracking.sandbox import QUERY, SUBSCRIBE, CarrierSandbox
from tests.core.shipping.conftest import KEY, make_case

pytestmark = pytest.mark.usefixtures("db")
NUMBER = "1136281381675"
SILENT_HOURS = 12


async def mailed(ctx: CaseContext) -> Application:
    case = await make_case(ctx)
    await record_shipment(ctx, case, NUMBER, "staff:clerk1")
    return case


async def test_a_silent_parcel_is_queried_and_delivered(
    ctx: CaseContext, clock: FrozenClock, carrier: CarrierSandbox, tracker: Kuaidi100Client
) -> None:
    case = await mailed(ctx)
    assert await subscribe_parcel(tracker, NUMBER, clock.now())
    for _ in range(4):  # every push is lost: the callback is unreachable
        clock.advance(hours=1)
        await carrier.advance(NUMBER)
    assert [p.http_status for p in carrier.pushes] == [None] * 4
    assert (await poll_parcels(ctx, tracker, SILENT_HOURS)).queried == 0  # silent 4 h only
    clock.advance(hours=8, minutes=1)
    report = await poll_parcels(ctx, tracker, SILENT_HOURS)
    assert (report.queried, report.applied, report.subscribed) == (1, 1, 0)
    assert (await Application.get(id=case.id)).status == "delivered"
    shipment = await Shipment.get(application_id=case.id)
    assert (shipment.state, await TrackingEvent.filter(shipment_id=shipment.id).count()) == (
        "signed",
        4,
    )
    clock.advance(hours=SILENT_HOURS + 1)
    assert (await poll_parcels(ctx, tracker, SILENT_HOURS)).queried == 0  # finished parcels rest
    assert carrier.calls[QUERY] == 1


async def test_a_parcel_heard_of_recently_is_left_alone(
    ctx: CaseContext, clock: FrozenClock, carrier: CarrierSandbox, tracker: Kuaidi100Client
) -> None:
    await mailed(ctx)
    assert await subscribe_parcel(tracker, NUMBER, clock.now())
    clock.advance(hours=SILENT_HOURS - 1)
    assert (await poll_parcels(ctx, tracker, SILENT_HOURS)).queried == 0
    assert carrier.calls[QUERY] == 0


async def test_a_failed_subscription_is_retried_and_queried(
    ctx: CaseContext, clock: FrozenClock, carrier: CarrierSandbox, tracker: Kuaidi100Client
) -> None:
    case = await mailed(ctx)
    carrier.fail_next(SUBSCRIBE, http_status=502)
    assert not await subscribe_parcel(tracker, NUMBER, clock.now())
    await carrier.advance(NUMBER)  # collected; nobody is subscribed, nothing is pushed
    report = await poll_parcels(ctx, tracker, SILENT_HOURS)
    assert (report.subscribed, report.queried, report.applied) == (1, 1, 1)
    shipment = await Shipment.get(application_id=case.id)
    assert (shipment.subscribed, shipment.state) == (True, "collected")
    assert carrier.subscriptions[NUMBER].callbackurl.endswith("/webhooks/tracking")


async def test_one_number_is_asked_at_most_every_half_hour(
    ctx: CaseContext, clock: FrozenClock, carrier: CarrierSandbox, tracker: Kuaidi100Client
) -> None:
    await mailed(ctx)
    carrier.expire_key(KEY)  # every subscribe and query now answers 601
    assert (await poll_parcels(ctx, tracker, SILENT_HOURS)).queried == 1
    clock.advance(minutes=29)
    assert (await poll_parcels(ctx, tracker, SILENT_HOURS)).queried == 0
    clock.advance(minutes=2)
    report = await poll_parcels(ctx, tracker, SILENT_HOURS)
    assert (report.queried, report.applied, report.subscribed) == (1, 0, 0)
    assert (carrier.calls[SUBSCRIBE], carrier.calls[QUERY]) == (2, 2)
