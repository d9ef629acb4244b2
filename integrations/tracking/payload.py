"""Reading Kuaidi100's parcel result (``lastResult`` of a push, the body of a query).

Both carry ``state`` (the parcel's current state code) and ``data``, the scans newest
first, each ``{context, time, ftime, status, areaName...}``; with ``resultv2=1`` a scan's
``status`` is a word (在途, 签收...). Codes and words become ``core.ports`` state names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.clock import CST, in_service_range
from core.ports import ParcelEvent, ParcelUpdate
from core.text import without_controls

STATES = {
    "0": "in_transit",
    "1": "collected",
    "2": "problem",
    "3": "signed",
    "4": "returned",
    "5": "out_for_delivery",
    "6": "returning",
    "7": "transferred",
    "8": "customs",
    "10": "customs",
    "11": "customs",
    "12": "customs",
    "13": "customs",
    "14": "refused",
}
WORDS = {
    "在途": "in_transit",
    "揽收": "collected",
    "疑难": "problem",
    "签收": "signed",
    "退签": "returned",
    "派件": "out_for_delivery",
    "退回": "returning",
    "转投": "transferred",
    "清关": "customs",
    "待清关": "customs",
    "清关中": "customs",
    "已清关": "customs",
    "清关异常": "customs",
    "拒签": "refused",
}
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def state_name(code: object) -> str:
    return STATES.get(str(code).strip(), "unknown")


def _event_status(item: dict[str, Any]) -> str:
    word = str(item.get("status") or "").strip()
    if word in WORDS:
        return WORDS[word]
    return state_name(item.get("statusCode", word))


def _event_time(item: dict[str, Any]) -> datetime | None:
    for key in ("ftime", "time"):
        raw = item.get(key)
        if isinstance(raw, str):
            try:
                at = datetime.strptime(raw.strip(), _TIME_FORMAT).replace(tzinfo=CST)
            except ValueError:
                continue
            if in_service_range(at):  # year 1 or 9999 is no scan: it cannot be stored
                return at
    return None


def parse_event(item: object) -> ParcelEvent | None:
    """One scan, or None when it has no readable time (it cannot be ordered or keyed)."""
    if not isinstance(item, dict):
        return None
    at = _event_time(item)
    if at is None:
        return None
    return ParcelEvent(
        at=at,
        status=_event_status(item),
        description=without_controls(str(item.get("context") or "")).strip(),
        location=without_controls(str(item.get("areaName") or "")).strip(),
    )


def parse_result(result: object, number: str) -> ParcelUpdate:
    """The parcel ``number`` as a result object describes it; unreadable scans are skipped."""
    body = result if isinstance(result, dict) else {}
    data = body.get("data")
    events = [parse_event(item) for item in data] if isinstance(data, list) else []
    found = sorted((e for e in events if e is not None), key=lambda e: e.at, reverse=True)
    return ParcelUpdate(number, state_name(body.get("state")), tuple(found))
