"""``GET /api/v1/staff/warnings``: the open warnings of the staff member's department."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.alerts.service import warning_page
from core.paging import paged
from miniapp_api import schemas as s
from miniapp_api.body import paging
from miniapp_api.context import current_staff
from miniapp_api.docs import documented

bp = Blueprint("warnings", url_prefix="/api/v1/staff/warnings")


@bp.get("")
@openapi.summary("Open warnings of the staff member's department (admins: every department)")
@openapi.description(
    "Newest first, paged (`{items, total}`, `?page=`, `?per_page=`); each `{id, kind, "
    "level, colour, audience, department, number, message, "
    "created_at}`. Kinds include the supervision warnings `not_accepted`, `near_deadline`, "
    "`supplement_pending` (yellow), `overdue` and `overdue_escalated` (red; the latter "
    "addressed to supervisors), and delivery problems. Clerks, supervisors and admins only."
)
@documented("staff", answers={200: s.WarningPage})
async def index(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    views, total = await warning_page(member, paging(request))
    return json(paged(views, total))
