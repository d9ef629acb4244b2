"""The staff access log, for administrators."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.errors import Forbidden, InvalidInput
from core.paging import paged
from core.staff import access_log
from miniapp_api import schemas as s
from miniapp_api.body import paging
from miniapp_api.context import current_staff
from miniapp_api.docs import documented

bp = Blueprint("access_log", url_prefix="/api/v1/staff/access-log")


def _filters(request: Request) -> tuple[str | None, int | None]:
    event = request.args.get("event") or None
    if event is not None and event not in access_log.EVENTS:
        raise InvalidInput(
            "Unknown event.", details={"field": "event", "allowed": list(access_log.EVENTS)}
        )
    staff = request.args.get("staff_id") or None
    if staff is not None and not (staff.isascii() and staff.isdigit() and len(staff) <= 18):
        raise InvalidInput("'staff_id' must be a staff member's id.", details={"field": "staff_id"})
    return event, int(staff) if staff is not None else None


@bp.get("")
@openapi.summary("The staff access log: sign-ins, failures, lock-outs, cases viewed, downloads")
@openapi.description(
    "Administrators only (else 403 `role_not_allowed`). Newest first, "
    '`{"items": [{id, at, event, staff_id, username, address, subject, detail}], "total"}`; '
    "`event` one of `login`, `login_failed`, `locked_out`, `case_viewed`, "
    "`material_downloaded`. A username that names no staff member is masked. Lines are kept "
    "at least six months (`STAFF_ACCESS_LOG_DAYS`) and cannot be changed."
)
@openapi.parameter("page", int, "query", description="1-based page number")
@openapi.parameter("per_page", int, "query", description="1 to 100, default 20")
@openapi.parameter("event", str, "query", description="only lines of this event")
@openapi.parameter("staff_id", int, "query", description="only lines of this staff member")
@documented("staff", answers={200: s.AccessLogPage}, errors={422: ("invalid_value",)})
async def index(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    if member.role != "admin":
        raise Forbidden("Only administrators read the access log.", code="role_not_allowed")
    event, staff_id = _filters(request)
    items, total = await access_log.page(paging(request), event=event, staff_id=staff_id)
    return json(paged(items, total))
