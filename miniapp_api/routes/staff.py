"""The staff API: login, the department's cases, and actions on them."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.cases.notes import read_note
from core.cases.queries import staff_case, staff_cases
from core.cases.staff_actions import act as act_on
from core.cases.views import summary
from core.details.staff import staff_detail
from core.errors import NotFound
from core.paging import paged
from core.ratelimit import STAFF_LOGIN_PER_IP, enforce
from core.staff import access_log
from core.staff.models import StaffMember
from core.staff.signin import Attempt, sign_in
from core.uploads.models import Upload
from core.uploads.service import read_upload
from miniapp_api import schemas as s
from miniapp_api.body import flag, paging, parsed
from miniapp_api.context import app_context, current_staff, services
from miniapp_api.docs import documented
from miniapp_api.headers import attachment

bp = Blueprint("staff", url_prefix="/api/v1/staff")


@bp.post("/login")
@openapi.body({"application/json": {"username": str, "password": str, "otp": str}})
@openapi.summary("Staff login: username and password")
@openapi.description(
    "`{token, role, department}`: role one of `clerk`, `supervisor`, `publicity`, `admin`; "
    "department the code a clerk or supervisor is scoped to (null for the others). 401 "
    "`invalid_credentials`; after five failures 401 `account_locked` for 15 minutes; 429 "
    "per address. With `STAFF_TOTP=required` also `otp`, the 6-digit code of the member's "
    "authenticator (RFC 6238): 401 `otp_required` without one (`details.enrolled` false "
    "when the member has no secret yet: `citysvc staff reset-otp`), 401 `invalid_otp` for "
    "a wrong or already used code. Every outcome is written to the staff access log."
)
@documented(
    "public",
    body=s.StaffLogin,
    answers={200: s.StaffToken},
    errors={401: ("invalid_credentials", "account_locked", "otp_required", "invalid_otp")},
)
async def login(request: Request) -> HTTPResponse:
    svc = services(request)
    address = request.remote_addr or request.ip
    await enforce(svc.platforms.state, STAFF_LOGIN_PER_IP, address)
    body, _ = parsed(request, s.StaffLogin)
    attempt = Attempt(
        username=body.username,
        password=body.password,
        otp=body.otp,
        address=address,
    )
    required = svc.settings.staff_security.totp == "required"
    member = await sign_in(attempt, svc.clock, svc.cipher, totp_required=required)
    return json(
        {
            "token": await svc.sessions.issue("staff", str(member.id)),
            "role": member.role,
            "department": member.department_code,
        }
    )


async def _detail(request: Request, number: str, member: StaffMember) -> HTTPResponse:
    return json(await staff_detail(services(request).cases, number, member))


@bp.get("/applications")
@openapi.parameter("status", str, "query", description="a case state")
@openapi.parameter("overdue", bool, "query", description="true: open cases past due")
@openapi.parameter("page", int, "query", description="1-based page number")
@openapi.summary("Cases of the staff member's department (?status=, ?overdue=true, ?page=)")
@openapi.description(
    "Newest first, paged: `{items, total}`, `?page=` (from 1), `?per_page=` (default 20, at "
    "most 100). `status` one of the case states (else 422 `invalid_status`); `overdue` `true` "
    "or `false` (else 422): open cases past their due date, clock not stopped."
)
@documented("staff", answers={200: s.CasePage}, errors={422: ("invalid_status", "invalid_value")})
async def index(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    today = services(request).clock.now().date()
    status = request.args.get("status") or None
    cases, total = await staff_cases(
        member, status, flag(request, "overdue"), today, paging(request)
    )
    return json(paged([summary(case) for case in cases], total))


@bp.get("/applications/<number:str>")
@openapi.summary("One case with masked applicant, materials, audit trail and messages")
@documented("staff", answers={200: s.StaffCase}, errors={404: ("case_not_found",)})
async def show(request: Request, number: str) -> HTTPResponse:
    member = await current_staff(request)
    answer = await _detail(request, number, member)
    await _log(request, access_log.CASE_VIEWED, member, number)
    return answer


async def _log(request: Request, event: str, member: StaffMember, subject: str) -> None:
    await access_log.record(
        event,
        services(request).clock.now(),
        username=member.username,
        staff_id=member.id,
        address=request.remote_addr or request.ip,
        subject=subject,
    )


@bp.post("/applications/<number:str>/actions")
@openapi.body({"application/json": {"action": str, "note": str, "days": int}})
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
@documented(
    "staff",
    body=s.StaffAction,
    answers={200: s.StaffCase},
    errors={
        404: ("case_not_found",),
        409: (
            "invalid_transition",
            "concurrent_update",
            "already_extended",
            "revoke_window_passed",
            "not_instantly_approved",
        ),
        422: ("invalid_action", "note_required", "invalid_extension"),
    },
)
async def act(request: Request, number: str) -> HTTPResponse:
    member = await current_staff(request)
    typed, body = parsed(
        request,
        s.StaffAction,
        wrong={("action",): ("invalid_action", "allowed"), ("days",): ("invalid_extension",)},
    )
    svc = services(request)
    hours = svc.settings.supervision.instant_revoke_hours
    moved = await act_on(
        svc.cases,
        member,
        number,
        typed.action,
        read_note(body),
        body.get("days"),
        instant_revoke_hours=hours,
    )
    if moved.status == "approved":  # the approval may have granted a licence a policy asks for
        await app_context(request).policy_check.recheck(str(moved.citizen_id))
    return await _detail(request, number, member)


@bp.get("/applications/<number:str>/materials/<file_id:str>")
@openapi.summary("Download a material of a case of your department")
@openapi.description(
    "Sent as an attachment (`Content-Disposition: attachment`, `nosniff`, `no-store`)."
)
@documented(
    "staff",
    answers={200: "application/octet-stream"},
    errors={404: ("case_not_found", "file_not_found")},
)
async def material(request: Request, number: str, file_id: str) -> HTTPResponse:
    member = await current_staff(request)
    case = await staff_case(number, member)
    if not any(m.get("file_id") == file_id for m in case.materials):
        raise NotFound("No such material on this case.", code="file_not_found")
    upload = await Upload.get(id=file_id)
    content = await read_upload(services(request).settings.upload_dir, upload)
    await _log(request, access_log.MATERIAL_DOWNLOADED, member, f"{number}/{file_id}")
    return attachment(upload, content)
