"""What citizens and staff see of a shipment.

Events are listed newest first, as carriers and parcel-tracking pages list them: the first
line answers "where is it now". Times are China Standard Time.
"""

from __future__ import annotations

from typing import Any

from core.clock import CST
from core.db import fetch
from core.rows import as_datetime
from core.shipping.models import Shipment, TrackingEvent

# one indexed query; the LEFT JOIN still gives the tracking number before the first scan
_CITIZEN = """
SELECT s.tracking_number, e.at, e.status, e.description
FROM shipment s
LEFT JOIN tracking_event e ON e.shipment_id = s.id
WHERE s.application_id = ?
ORDER BY e.at DESC, e.id DESC
"""


def _time(value: Any) -> str:
    return as_datetime(value).astimezone(CST).isoformat()


def citizen_shipment_view(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """docs/api.md's ``{"tracking_number", "events": [{"at", "status", "description"}]}``."""
    if not rows:
        return None
    return {
        "tracking_number": rows[0]["tracking_number"],
        "events": [
            {"at": _time(r["at"]), "status": r["status"], "description": r["description"]}
            for r in rows
            if r["at"] is not None
        ],
    }


async def citizen_shipment(application_id: int) -> dict[str, Any] | None:
    """The shipment of a case as its owner sees it, or None before it is mailed."""
    return citizen_shipment_view(await fetch(_CITIZEN, [application_id]))


def staff_shipment_view(shipment: Shipment, events: list[TrackingEvent]) -> dict[str, Any]:
    """The clerk's view: the citizen's, plus the parcel state and how we hear of it."""
    return {
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "state": shipment.state,
        "subscribed": shipment.subscribed,
        "last_event_at": _time(shipment.last_event_at) if shipment.last_event_at else None,
        "checked_at": _time(shipment.checked_at),
        "shipped_by": shipment.shipped_by,
        "created_at": _time(shipment.created_at),
        "events": [
            {
                "at": _time(e.at),
                "status": e.status,
                "description": e.description,
                "location": e.location,
            }
            for e in events
        ],
    }


async def staff_shipment(application_id: int) -> dict[str, Any] | None:
    """The shipment of a case for its department, or None when none was recorded."""
    shipment = await Shipment.get_or_none(application_id=application_id)
    if shipment is None:
        return None
    events = await TrackingEvent.filter(shipment_id=shipment.id).order_by("-at", "-id")
    return staff_shipment_view(shipment, events)
