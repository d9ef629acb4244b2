"""Mailing results: the clerk records the EMS number; the tracking provider pushes events."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.cases.queries import staff_case_to_act
from core.shipping.service import apply_update, mail_result
from integrations.tracking.client import CALLBACK_PATH, PUSH_ANSWER, verify_push
from miniapp_api import schemas as s
from miniapp_api.body import parsed
from miniapp_api.context import current_staff, services
from miniapp_api.docs import documented
from miniapp_api.routes.staff import _detail as staff_detail

bp = Blueprint("shipments")


@bp.post("/api/v1/staff/applications/<number:str>/shipment")
@openapi.summary("Record the EMS number the result was mailed with; the case is result_mailed")
@openapi.body({"application/json": {"tracking_number": str}})
@openapi.description(
    'Body `{"tracking_number"}`: a UPU S10 EMS number with a valid check digit '
    "(`EA123456785CN`) or a 13-digit domestic EMS number, else 422 `invalid_tracking_number`. "
    "Only approved or denied cases (else 409 `invalid_transition`, as the state table says; "
    "so recording again on a mailed case changes nothing) whose delivery method is `ems` "
    "(else 409 `not_shippable`). A number already on another citizen's case: 409 "
    "`tracking_number_in_use`, nothing changed (one citizen's cases may share an envelope). "
    "Clerks and admins only (supervisors: 403 `role_not_allowed`). "
    "Answers the case as `GET /api/v1/staff/applications/{number}` does, with its shipment."
)
@documented(
    "staff",
    body=s.ShipmentRequest,
    answers={200: s.StaffCase},
    errors={
        404: ("case_not_found",),
        409: ("invalid_transition", "not_shippable", "tracking_number_in_use", "concurrent_update"),
        422: ("invalid_tracking_number",),
    },
)
async def record(request: Request, number: str) -> HTTPResponse:
    member = await current_staff(request)
    raw = parsed(request, s.ShipmentRequest)[0].tracking_number
    svc = services(request)
    case = await staff_case_to_act(number, member)
    await mail_result(svc.cases, svc.platforms.tracking, case, raw, f"staff:{member.username}")
    return await staff_detail(request, number, member)


def _field(request: Request, name: str) -> str | None:
    value = request.form.get(name) if request.form else None
    return value if isinstance(value, str) else None


@bp.post(CALLBACK_PATH)
@openapi.summary("Parcel events pushed by the tracking provider (Kuaidi100 protocol)")
@openapi.body({"application/x-www-form-urlencoded": {"param": str, "sign": str}})
@openapi.response(200, {"application/json": {"result": bool, "returnCode": str, "message": str}})
@openapi.description(
    "Form POST `param` (the provider's JSON) and `sign` = MD5(param + salt), upper case. "
    "Unsigned or badly signed pushes answer 401 and change nothing. Repeated pushes are "
    'harmless. Success answers `{"result": true, "returnCode": "200", "message": "成功"}`.'
)
@documented("public", answers={200: "application/json"}, errors={401: ("signature_invalid",)})
async def tracking_push(request: Request) -> HTTPResponse:
    svc = services(request)
    update = verify_push(svc.settings.secret_key, _field(request, "param"), _field(request, "sign"))
    await apply_update(svc.cases, update)
    return json(PUSH_ANSWER)
