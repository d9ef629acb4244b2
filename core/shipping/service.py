"""Mailing a case's result by EMS, and what the carrier's reports do to the case.

``record_shipment`` moves an approved or denied case to ``result_mailed`` and creates its
shipment in one transaction; a number already on another citizen's case is refused (one
envelope may carry several results of the same citizen).
``apply_update`` takes the carrier's view of a parcel (a push or a query answer) and is
idempotent: pushes repeat the whole history, carriers retry, and the poller may read what
a push already brought. Events are keyed by a fingerprint; the case moves to ``delivered``
only while it is ``result_mailed``; a failed delivery is reported once per parcel state,
gated by the unique staff alert of that state.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from core.alerts.service import raise_alert
from core.cases.context import CaseContext
from core.cases.milestones import record_milestone
from core.cases.models import Application
from core.cases.transitions import move
from core.errors import Conflict, InvalidTransition
from core.ports import ParcelEvent, ParcelUpdate, TrackingProvider
from core.shipping.models import Shipment, TrackingEvent
from core.shipping.tracking_number import normalize_tracking_number

ACTOR = "system:tracking"
CARRIER = "ems"
SHIPPABLE = ("approved", "denied")
DELIVERY_FAILED = "shipment.delivery_failed"
# parcel states after which the carrier has nothing more to say
FINAL = frozenset({"signed", "returned"})
# parcel states in which the result will not reach the citizen without a clerk's help:
# state -> (what the citizen and the clerk read, alert level)
FAILURES = {
    "problem": ("投递遇到问题（疑难件）", "warning"),
    "refused": ("被拒收", "critical"),
    "returning": ("正在退回", "critical"),
    "returned": ("已退回寄件单位", "critical"),
}
# held until commit; two numbers whose hashes collide merely wait for each other
_LOCK_NUMBER = "SELECT pg_advisory_xact_lock(hashtextextended('shipment:' || $1::text, 0))"


def _check_shippable(case: Application) -> None:
    if case.delivery_method != CARRIER:
        raise Conflict(
            "This case's result is collected in person, not mailed: no shipment can be recorded.",
            code="not_shippable",
            details={"delivery_method": case.delivery_method},
        )
    if case.status not in SHIPPABLE:  # the state table's rule, answered as any action's is
        raise InvalidTransition(
            f"Only an approved or denied case can be mailed; this case is '{case.status}'.",
            details={"status": case.status, "allowed": list(SHIPPABLE)},
        )


async def record_shipment(
    ctx: CaseContext, case: Application, raw_number: str, actor: str
) -> Shipment:
    """Mail the result: validate the number (422), move the case (409 when not shippable).

    The carrier is subscribed afterwards (``subscribe_parcel``): a network call has no place
    inside the transaction, and a failed subscription is retried by the poller.
    """
    number = normalize_tracking_number(raw_number)
    _check_shippable(case)
    now = ctx.clock.now()
    async with in_transaction():
        # the move writes first: on SQLite that takes the database's one write lock, so the
        # check below sees every committed shipment and nobody can add one until we commit
        await move(ctx, case, "ship", actor, f"EMS {number}")
        await _claim_number(number, case)
        return await Shipment.create(
            application_id=case.id,
            tracking_number=number,
            carrier=CARRIER,
            checked_at=now,
            shipped_by=actor,
            created_at=now,
            updated_at=now,
        )


async def mail_result(
    ctx: CaseContext,
    tracker: TrackingProvider | None,
    case: Application,
    raw_number: str,
    actor: str,
) -> Shipment:
    """``record_shipment``, then the carrier's subscription when a tracker is configured (a
    failed subscription does not fail the mailing: the poller retries it). The staff API and
    the console's 邮寄 button both mail through here."""
    shipment = await record_shipment(ctx, case, raw_number, actor)
    if tracker is not None:
        await subscribe_parcel(tracker, shipment.tracking_number, ctx.clock.now())
    return shipment


async def _claim_number(number: str, case: Application) -> None:
    """Conflict ``tracking_number_in_use`` when ``number`` is on another citizen's case.

    One envelope may carry several results of the same citizen, so their cases may share a
    number; another citizen's parcel on a case would show that citizen's delivery to the
    wrong person. Call inside the recording transaction: on PostgreSQL a transaction-scoped
    advisory lock on the number serialises two clerks recording it at once (the second
    waits for the first to commit, then its check, a fresh snapshot under READ COMMITTED,
    sees it); on SQLite the move before it already holds the one write lock.
    """
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query(_LOCK_NUMBER, [number])
    cases = Shipment.filter(tracking_number=number).values_list("application_id", flat=True)
    if await Application.filter(id__in=await cases).exclude(citizen_id=case.citizen_id).exists():
        raise Conflict(
            "This EMS number is already recorded on another citizen's case; check the number.",
            code="tracking_number_in_use",
            details={"tracking_number": number},
        )


async def subscribe_parcel(tracker: TrackingProvider, number: str, at: datetime) -> bool:
    """Ask the provider for pushes of ``number``; True (and recorded) once it accepted."""
    if not await tracker.subscribe(number):
        return False
    await Shipment.filter(tracking_number=number).update(subscribed=True, updated_at=at)
    return True


async def apply_update(ctx: CaseContext, update: ParcelUpdate) -> int:
    """Apply the carrier's report to every shipment of that number; how many there were.

    An unknown number is no error (a case deleted, a stray push): nothing to apply.
    """
    shipments = await Shipment.filter(tracking_number=update.tracking_number).order_by("id")
    for shipment in shipments:
        await _apply_to(ctx, shipment.id, update)
    return len(shipments)


async def _apply_to(ctx: CaseContext, shipment_id: int, update: ParcelUpdate) -> None:
    now = ctx.clock.now()
    async with in_transaction():
        # the row lock serialises concurrent pushes of one parcel (PostgreSQL; SQLite
        # serialises every write transaction anyway)
        shipment = await Shipment.select_for_update().get(id=shipment_id)
        await _store_events(shipment.id, update.events, now)
        state = await _merge_state(shipment, update, now)
        case = await Application.get(id=shipment.application_id)
        latest = update.events[0].description if update.events else ""
        if state == "signed" and case.status == "result_mailed":
            await move(ctx, case, "deliver", ACTOR, latest)
        elif state in FAILURES:
            await _report_failure(ctx, case, shipment, state, latest)


def fingerprint(event: ParcelEvent) -> str:
    """What makes two reports of a scan the same scan: its time and its text."""
    text = f"{event.at.isoformat()}|{event.description}"
    return hashlib.sha256(text.encode()).hexdigest()


async def _store_events(shipment_id: int, events: tuple[ParcelEvent, ...], at: datetime) -> None:
    unique = {fingerprint(e): e for e in reversed(events)}  # oldest first: ids follow time
    rows = [
        TrackingEvent(
            shipment_id=shipment_id,
            fingerprint=key,
            at=e.at,
            status=e.status[:24],
            description=e.description[:2000],
            location=e.location[:64],
            received_at=at,
        )
        for key, e in unique.items()
    ]
    if rows:
        # a replayed or concurrent push inserts nothing: the unique key ignores known scans
        await TrackingEvent.bulk_create(rows, ignore_conflicts=True)


async def _merge_state(shipment: Shipment, update: ParcelUpdate, now: datetime) -> str:
    """Record what the update says; the parcel's state afterwards.

    A push older than what we hold (carriers retry late) adds its events but does not move
    the state back.
    """
    newest = update.events[0].at if update.events else None
    held = shipment.last_event_at
    stale = held is not None and (newest is None or newest < held)
    changes: dict[str, object] = {"checked_at": now, "updated_at": now}
    if update.stopped and update.state not in FINAL:
        changes["subscribed"] = False  # the provider gave up watching: the poller resubscribes
    if not stale:
        changes |= {"state": update.state, "last_event_at": newest}
    await Shipment.filter(id=shipment.id).update(**changes)
    return shipment.state if stale else update.state


async def _report_failure(
    ctx: CaseContext, case: Application, shipment: Shipment, state: str, latest: str
) -> None:
    label, level = FAILURES[state]
    detail = f"{label}：{latest}" if latest else label
    alert = await raise_alert(
        department_code=case.department_code,
        application_id=case.id,
        kind=f"shipment.{state}",
        level=level,
        message=f"办件{case.number}的办理结果（EMS {shipment.tracking_number}）{detail}",
        at=ctx.clock.now(),
    )
    if alert is not None:  # the first report of this state for this parcel
        await record_milestone(ctx, case, DELIVERY_FAILED, case.status, detail)
