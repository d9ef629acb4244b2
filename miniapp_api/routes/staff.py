"""The staff API: login, the department's cases, and actions on them."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.cases.instant import check_revocable
from core.cases.machine import STAFF_ACTIONS
from core.cases.models import AuditEntry
from core.cases.notes import read_note
from core.cases.queries import staff_case, staff_case_to_act, staff_cases
from core.cases.transitions import move
from core.cases.views import staff_view, summary
from core.errors import InvalidInput, NotFound
from core.identity.models import Citizen
from core.ratelimit import STAFF_LOGIN_PER_IP, enforce
from core.shipping.views import staff_shipment
from core.staff.models import StaffMember
from core.staff.service import authenticate
from core.uploads.models import Upload
from core.uploads.service import read_upload
from miniapp_api.body import flag, json_object, page_number, required_str
from miniapp_api.context import current_staff, services
from miniapp_api.headers import attachment
from notifications.outbox import messages_for

bp = Blueprint("staff", url_prefix="/api/v1/staff")


@bp.post("/login")
@openapi.summary("Staff login: username and password")
@openapi.description(
    "`{token, role, department}`: role one of `clerk`, `supervisor`, `publicity`, `admin`; "
    "department the code a clerk or supervisor is scoped to (null for the others). 401 "
    "`invalid_credentials`; after five failures 401 `account_locked` for 15 minutes; 429 "
    "per address."
)
async def login(request: Request) -> HTTPResponse:
    svc = services(request)
    await enforce(svc.platforms.state, STAFF_LOGIN_PER_IP, request.remote_addr or request.ip)
    body = json_object(request)
    member = await authenticate(
        required_str(body, "username", max_length=64),
        required_str(body, "password", max_length=256),
        svc.clock,
    )
    return json(
        {
            "token": await svc.sessions.issue("staff", str(member.id)),
            "role": member.role,
            "department": member.department_code,
        }
    )


async def _detail(request: Request, number: str, member: StaffMember) -> HTTPResponse:
    case = await staff_case(number, member)
    entries = await AuditEntry.filter(application_id=case.id).order_by("seq")
    citizen = await Citizen.get_or_none(id=case.citizen_id)
    mailed = case.status in ("result_mailed", "delivered")
    shipment = await staff_shipment(case.id) if mailed else None
    messages = await messages_for(case.id)
    return json(staff_view(services(request).cases, case, entries, citizen, shipment, messages))


@bp.get("/applications")
@openapi.summary("Cases of the staff member's department (?status=, ?overdue=true, ?page=)")
@openapi.description(
    "Newest first, 100 a page (`?page=`, from 1); the `X-Total-Count` header counts every "
    "match. `status` one of the case states (else 422 `invalid_status`); `overdue` `true` "
    "or `false` (else 422): open cases past their due date, clock not stopped."
)
async def index(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    today = services(request).clock.now().date()
    status = request.args.get("status") or None
    cases, total = await staff_cases(
        member, status, flag(request, "overdue"), today, page_number(request)
    )
    return json([summary(case) for case in cases], headers={"X-Total-Count": str(total)})


@bp.get("/applications/<number:str>")
@openapi.summary("One case with masked applicant, materials, audit trail and messages")
async def show(request: Request, number: str) -> HTTPResponse:
    return await _detail(request, number, await current_staff(request))


@bp.post("/applications/<number:str>/actions")
@openapi.summary("Move a case: accept, refuse, request_supplement, start_review, approve, ...")
@openapi.description(
    'Body `{"action", "note", "days"}`. `note` is text of at most 1000 characters '
    "(else 422 `invalid_value`); `request_supplement`, `refuse` and `deny` need a non-empty "
    "one, shown to the citizen (everything missing, or the reason), else 422 `note_required`. "
    "`days` (working days) goes with `extend`. `revoke_instant` (with a note) takes back an "
    "instant approval (秒批) within INSTANT_REVOKE_HOURS: 409 `revoke_window_passed`, "
    "`not_instantly_approved`. "
    "409 `invalid_transition` from a state that does not allow it. Clerks and admins only: "
    "supervisors read and warn, and get 403 `role_not_allowed`."
)
async def act(request: Request, number: str) -> HTTPResponse:
    member = await current_staff(request)
    body = json_object(request)
    action = required_str(body, "action", max_length=32)
    if action not in STAFF_ACTIONS:
        raise InvalidInput(
            "Unknown action.", code="invalid_action", details={"allowed": list(STAFF_ACTIONS)}
        )
    note = read_note(body)
    case = await staff_case_to_act(number, member)
    if action == "revoke_instant":
        hours = services(request).settings.supervision.instant_revoke_hours
        await check_revocable(services(request).cases, case, hours)
    await move(
        services(request).cases,
        case,
        action,
        f"staff:{member.username}",
        note,
        days=body.get("days"),
    )
    return await _detail(request, number, member)


@bp.get("/applications/<number:str>/materials/<file_id:str>")
@openapi.summary("Download a material of a case of your department")
@openapi.description(
    "Sent as an attachment (`Content-Disposition: attachment`, `nosniff`, `no-store`)."
)
async def material(request: Request, number: str, file_id: str) -> HTTPResponse:
    case = await staff_case(number, await current_staff(request))
    if not any(m.get("file_id") == file_id for m in case.materials):
        raise NotFound("No such material on this case.", code="file_not_found")
    upload = await Upload.get(id=file_id)
    content = await read_upload(services(request).settings.upload_dir, upload)
    return attachment(upload, content)
