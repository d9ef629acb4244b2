"""Recording a shipment and applying carrier reports: state rules, idempotence, alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.alerts.models import StaffAlert
from core.alerts.service import open_alerts, raise_alert, resolve_alert
from core.cases.context import CaseContext
from core.cases.models import Application
from core.clock import CST
from core.errors import Conflict, InvalidInput
from core.ports import ParcelEvent, ParcelUpdate
from core.shipping.models import Shipment, TrackingEvent
from core.shipping.service import (
    DELIVERY_FAILED,
    apply_update,
    record_shipment,
    subscribe_parcel,
)
from integrations.tracking.client import Kuaidi100Client
from integrations.tracking.sandbox import CarrierSandbox
from tests.core.shipping.conftest import events_of, make_case, moves_of

pytestmark = pytest.mark.usefixtures("db")
NUMBER = "EA123456785CN"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=CST)


def scan(minutes: int, status: str, text: str) -> ParcelEvent:
    return ParcelEvent(T0 + timedelta(minutes=minutes), status, text)


COLLECTED = scan(0, "collected", "已收寄")
TRANSIT = scan(60, "in_transit", "离开扬州邮区中心")
SIGNED = scan(120, "signed", "已签收，签收人：本人")
PROBLEM = scan(120, "problem", "收件地址不详")
REFUSED = scan(180, "refused", "收件人拒收")


def update(state: str, *events: ParcelEvent, stopped: bool = False) -> ParcelUpdate:
    return ParcelUpdate(NUMBER, state, tuple(events), stopped)


async def mailed(ctx: CaseContext) -> Application:
    case = await make_case(ctx)
    await record_shipment(ctx, case, " ea 1234 5678 5 cn ", "staff:clerk1")
    return await Application.get(id=case.id)


async def test_record_moves_the_case_and_creates_the_shipment(ctx: CaseContext) -> None:
    case = await mailed(ctx)
    shipment = await Shipment.get(application_id=case.id)
    assert case.status == "result_mailed"
    assert (shipment.tracking_number, shipment.state, shipment.subscribed) == (
        NUMBER,
        "created",
        False,
    )
    assert await events_of(case, "application.result_mailed") == 1


@pytest.mark.parametrize(
    ("status", "method", "code"),
    [
        ("under_review", "ems", "invalid_transition"),
        ("approved", "pickup", "not_shippable"),
        ("delivered", "ems", "invalid_transition"),
    ],
)
async def test_only_approved_or_denied_ems_cases_ship(
    ctx: CaseContext, status: str, method: str, code: str
) -> None:
    case = await make_case(ctx, status=status, method=method)
    with pytest.raises(Conflict) as caught:
        await record_shipment(ctx, case, NUMBER, "staff:clerk1")
    assert caught.value.code == code
    assert not await Shipment.exists(application_id=case.id)
    assert (await Application.get(id=case.id)).status == status


async def test_a_bad_number_changes_nothing(ctx: CaseContext) -> None:
    case = await make_case(ctx, status="denied")
    with pytest.raises(InvalidInput):
        await record_shipment(ctx, case, "EA123456784CN", "staff:clerk1")
    assert (await Application.get(id=case.id)).status == "denied"


async def test_subscribing_marks_the_shipment(
    ctx: CaseContext, carrier: CarrierSandbox, tracker: Kuaidi100Client
) -> None:
    case = await mailed(ctx)
    assert await subscribe_parcel(tracker, NUMBER, ctx.clock.now())
    assert (await Shipment.get(application_id=case.id)).subscribed
    assert NUMBER in carrier.subscriptions


async def test_signed_delivers_once_however_often_reported(ctx: CaseContext) -> None:
    case = await mailed(ctx)
    for _ in range(3):
        assert await apply_update(ctx, update("signed", SIGNED, TRANSIT, COLLECTED)) == 1
    shipment = await Shipment.get(application_id=case.id)
    assert (await Application.get(id=case.id)).status == "delivered"
    assert await TrackingEvent.filter(shipment_id=shipment.id).count() == 3
    assert await moves_of(case, "deliver") == 1
    assert await events_of(case, "application.delivered") == 1
    assert (shipment.state, shipment.last_event_at) == ("signed", SIGNED.at)


async def test_a_late_older_report_adds_events_but_keeps_the_state(ctx: CaseContext) -> None:
    case = await mailed(ctx)
    await apply_update(ctx, update("in_transit", TRANSIT))
    await apply_update(ctx, update("collected", COLLECTED))  # a retried push, arriving late
    shipment = await Shipment.get(application_id=case.id)
    assert shipment.state == "in_transit"
    assert await TrackingEvent.filter(shipment_id=shipment.id).count() == 2


async def test_each_failure_state_is_reported_once(ctx: CaseContext) -> None:
    case = await mailed(ctx)
    for _ in range(3):
        await apply_update(ctx, update("problem", PROBLEM, TRANSIT, COLLECTED))
    assert await events_of(case, DELIVERY_FAILED) == 1
    alerts = (await open_alerts("GA"))[0]
    assert [(a.kind, a.level, a.application_id) for a in alerts] == [
        ("shipment.problem", "warning", case.id)
    ]
    assert NUMBER in alerts[0].message and "收件地址不详" in alerts[0].message
    # the parcel then moves on to a second failure: reported too, once
    for _ in range(2):
        await apply_update(ctx, update("refused", REFUSED, PROBLEM, TRANSIT, COLLECTED))
    assert await events_of(case, DELIVERY_FAILED) == 2
    assert await StaffAlert.filter(application_id=case.id).count() == 2
    assert (await Application.get(id=case.id)).status == "result_mailed"
    assert (await open_alerts("MZ"))[0] == []


async def test_the_provider_giving_up_unsubscribes(ctx: CaseContext) -> None:
    case = await mailed(ctx)
    await Shipment.filter(application_id=case.id).update(subscribed=True)
    await apply_update(ctx, update("in_transit", TRANSIT, stopped=True))
    assert not (await Shipment.get(application_id=case.id)).subscribed


async def test_a_number_on_another_citizens_case_is_refused_and_changes_nothing(
    ctx: CaseContext,
) -> None:
    await mailed(ctx)
    second = await make_case(ctx, status="denied")
    with pytest.raises(Conflict) as caught:
        await record_shipment(ctx, second, "EA1234 56785cn", "staff:clerk2")
    assert (caught.value.code, caught.value.details) == (
        "tracking_number_in_use",
        {"tracking_number": NUMBER},
    )
    assert await Shipment.filter(tracking_number=NUMBER).count() == 1
    assert (await Application.get(id=second.id)).status == "denied"
    assert await moves_of(second, "ship") == 0
    assert await events_of(second, "application.result_mailed") == 0


async def test_recording_the_number_again_on_its_case_changes_nothing(ctx: CaseContext) -> None:
    case = await mailed(ctx)
    with pytest.raises(Conflict) as caught:  # the case is result_mailed: nothing to ship
        await record_shipment(ctx, case, NUMBER, "staff:clerk1")
    assert caught.value.code == "invalid_transition"
    assert await Shipment.filter(tracking_number=NUMBER).count() == 1
    assert await moves_of(case, "ship") == 1


async def test_one_envelope_for_two_cases_of_one_citizen(ctx: CaseContext) -> None:
    first = await mailed(ctx)
    second = await make_case(ctx, status="denied", citizen=first.citizen_id)
    await record_shipment(ctx, second, NUMBER, "staff:clerk1")
    assert await apply_update(ctx, update("signed", SIGNED)) == 2
    for case in (first, second):
        assert (await Application.get(id=case.id)).status == "delivered"


async def test_an_unknown_parcel_is_ignored(ctx: CaseContext) -> None:
    assert await apply_update(ctx, update("signed", SIGNED)) == 0


async def test_an_alert_is_raised_once_and_resolved(ctx: CaseContext) -> None:
    case = await make_case(ctx)
    kw = {"department_code": "GA", "application_id": case.id, "kind": "overdue"}
    first = await raise_alert(**kw, level="critical", message="逾期", at=ctx.clock.now())
    again = await raise_alert(**kw, level="critical", message="逾期", at=ctx.clock.now())
    assert first is not None and again is None
    assert not await resolve_alert(first.id, "MZ", ctx.clock.now())
    assert await resolve_alert(first.id, "GA", ctx.clock.now())
    assert (await open_alerts(None))[0] == []
    assert await raise_alert(**kw, level="critical", message="逾期", at=ctx.clock.now()) is None
