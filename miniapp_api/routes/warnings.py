"""``GET /api/v1/staff/warnings``: the open warnings of the staff member's department."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.alerts.models import StaffAlert
from core.alerts.service import open_alerts
from core.cases.models import Application
from core.errors import Forbidden
from core.paging import paged
from miniapp_api import schemas as s
from miniapp_api.body import paging
from miniapp_api.context import current_staff
from miniapp_api.docs import documented

bp = Blueprint("warnings", url_prefix="/api/v1/staff/warnings")

ROLES = ("clerk", "supervisor", "admin")
_COLOURS = {"critical": "red", "warning": "yellow", "info": "blue"}


def _view(alert: StaffAlert, numbers: dict[int, str]) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "level": alert.level,
        "colour": _COLOURS.get(alert.level, alert.level),
        "audience": "supervisor" if alert.kind.endswith("_escalated") else "department",
        "department": alert.department_code,
        "number": numbers.get(alert.application_id),
        "message": alert.message,
        "created_at": alert.created_at.isoformat(),
    }


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
    if member.role not in ROLES:
        raise Forbidden("Your role does not handle cases.", code="role_not_allowed")
    department = None if member.role == "admin" else member.department_code
    if department is None and member.role != "admin":
        return json(paged([], 0))
    alerts, total = await open_alerts(department, paging(request))
    case_ids = list({a.application_id for a in alerts})
    rows = await Application.filter(id__in=case_ids).values_list("id", "number")
    numbers = {int(case_id): str(number) for case_id, number in rows}
    return json(paged([_view(alert, numbers) for alert in alerts], total))
