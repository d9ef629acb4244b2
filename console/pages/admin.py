"""Administration: staff accounts, catalogue and knowledge-base imports by upload, calendar
overrides, WeCom robot keys (write-only) and the staff access log.

Each form calls the service the matching ``citysvc`` command calls, so the rules are the
same; results are shown on the page (an import's outcome row by row).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot.wecom import RobotKeys
from console import forms
from console.catalogue_names import department_names
from console.context import services
from console.guard import Visitor, page
from console.import_reasons import explained, field_name, reason_text
from console.nav import ADMIN, ROLE_NAMES
from console.render import page as render_page
from core.cases.deadlines import recompute_open_deadlines, set_override
from core.cases.models import CalendarOverride
from core.catalogue.importer import import_items, rows_from_json
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.knowledge.importer import import_kb
from core.messages import render
from core.staff import access_log, totp
from core.staff.models import ROLES, StaffMember
from core.staff.service import add_staff, assign, set_locked

bp = Blueprint("console_admin", url_prefix="/console/admin")
MAX_UPLOAD = 10 * 1024 * 1024
OUTCOMES = {"created": "新建", "updated": "更新", "unchanged": "未变化", "rejected": "未导入"}
EVENTS = {
    "login": "登录",
    "login_failed": "登录失败",
    "locked_out": "账号锁定",
    "case_viewed": "查看办件",
    "material_downloaded": "查看材料",
}
DETAILS = {
    "password": "密码",
    "password+otp": "密码和动态码",
    "invalid_credentials": "用户名或密码不正确",
    "account_locked": "账号已锁定",
    "otp_required": "未填动态码",
    "invalid_otp": "动态码不正确",
    "locked after repeated failures": "多次失败后锁定",
}
STAFF_DONE = {
    "added": "账号已创建。",
    "assigned": "角色和部门已更新，该账号需重新登录。",
    "locked": "账号已停用，其登录已全部失效。",
    "unlocked": "账号已启用，失败次数已清零。",
}


def _error(exc: DomainError) -> tuple[int, str]:
    status = 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) else 422
    return status, render(exc.code, "zh", exc.details)


# --- staff accounts -------------------------------------------------------------------


async def _staff_page(request: Request, status: int = 200, **values: Any) -> HTTPResponse:
    members = await StaffMember.all().order_by("username")
    now = services(request).clock.now()
    return render_page(
        request,
        "admin_staff.html",
        status=status,
        title="工作人员",
        members=members,
        now=now,
        roles=ROLES,
        role_names=ROLE_NAMES,
        departments=await department_names(),
        totp=services(request).settings.staff_security.totp == "required",
        **values,
    )


@bp.get("/staff")
@page(ADMIN)
async def staff(request: Request, who: Visitor) -> HTTPResponse:
    return await _staff_page(request, done=STAFF_DONE.get(forms.arg(request, "done"), ""))


@bp.post("/staff")
@page(ADMIN)
async def add(request: Request, who: Visitor) -> HTTPResponse:
    username = forms.field(request, "username", 64).strip()
    role = forms.field(request, "role", 16)
    department = forms.field(request, "department", 64) or None
    svc = services(request)
    try:
        member = await add_staff(username, forms.field(request, "password", 256), role, department)
    except (Conflict, InvalidInput, NotFound) as exc:
        status, message = _error(exc)
        typed = {"username": username, "role": role, "department": department or ""}
        return await _staff_page(request, status, error=message, typed=typed)
    if svc.settings.staff_security.totp == "required":
        uri = await totp.enrol(member, svc.cipher)
        return await _staff_page(request, done=STAFF_DONE["added"], enrolment=(username, uri))
    return redirect("/console/admin/staff?done=added")


@bp.post("/staff/<member_id:int>/<what:str>")
@page(ADMIN)
async def change(request: Request, who: Visitor, member_id: int, what: str) -> HTTPResponse:
    svc = services(request)
    try:
        if what == "assign":
            role = forms.field(request, "role", 16)
            await assign(member_id, role, forms.field(request, "department", 64) or None)
            await svc.sessions.revoke_all("staff", str(member_id))
            return redirect("/console/admin/staff?done=assigned")
        if what in ("lock", "unlock"):
            await set_locked(member_id, what == "lock")
            if what == "lock":
                await svc.sessions.revoke_all("staff", str(member_id))
            return redirect(f"/console/admin/staff?done={what}ed")
        if what == "reset-otp":
            member = await StaffMember.get_or_none(id=member_id)
            if member is None:
                raise NotFound("no such member", code="staff_not_found")
            uri = await totp.enrol(member, svc.cipher)
            done = "两步验证已重置，旧的动态码不再有效。"
            return await _staff_page(request, done=done, enrolment=(member.username, uri))
        raise NotFound("no such change", code="not_found")
    except (Conflict, InvalidInput, NotFound) as exc:
        status, message = _error(exc)
        return await _staff_page(request, status, error=message)


# --- imports ----------------------------------------------------------------------------


def _uploaded_rows(request: Request) -> tuple[list[object], str]:
    """The rows of the uploaded JSON file and the file's name; InvalidInput if unusable."""
    upload = request.files.get("file") if request.files else None
    if upload is None or not upload.body:
        raise InvalidInput("no file", code="invalid_import_file", details={"reason": "json"})
    if len(upload.body) > MAX_UPLOAD:
        raise InvalidInput("too large", code="payload_too_large")
    return rows_from_json(bytes(upload.body)), upload.name or ""


@bp.get("/catalogue")
@page(ADMIN)
async def catalogue(request: Request, who: Visitor) -> HTTPResponse:
    return render_page(request, "admin_catalogue.html", title="事项目录导入")


@bp.post("/catalogue")
@page(ADMIN)
async def catalogue_import(request: Request, who: Visitor) -> HTTPResponse:
    try:
        rows, _ = _uploaded_rows(request)
    except InvalidInput as exc:
        _, message = _error(exc)
        return render_page(
            request, "admin_catalogue.html", status=422, title="事项目录导入", error=message
        )
    report = await import_items(rows)
    reasons: dict[int, list[str]] = {}
    for rejected in report.errors:
        reasons.setdefault(rejected.row, []).append(explained(rejected.field, rejected.reason))
    results = [
        {
            "index": i + 1,
            "code": row.get("code", "") if isinstance(row, dict) else "",
            "name": row.get("name", "") if isinstance(row, dict) else "",
            "outcome": outcome,
            "outcome_name": OUTCOMES.get(outcome, outcome),
            "reasons": reasons.get(i, []),
        }
        for i, (row, outcome) in enumerate(zip(rows, report.outcomes, strict=False))
    ]
    return render_page(
        request,
        "admin_catalogue.html",
        title="事项目录导入",
        report=report,
        results=results,
        done=f"导入完成：新建 {report.created}，更新 {report.updated}，"
        f"未变化 {report.unchanged}，未导入 {report.rejected}。",
    )


@bp.get("/knowledge")
@page(ADMIN)
async def knowledge(request: Request, who: Visitor) -> HTTPResponse:
    return render_page(request, "admin_knowledge.html", title="知识库导入")


@bp.post("/knowledge")
@page(ADMIN)
async def knowledge_import(request: Request, who: Visitor) -> HTTPResponse:
    try:
        rows, source = _uploaded_rows(request)
    except InvalidInput as exc:
        _, message = _error(exc)
        return render_page(
            request, "admin_knowledge.html", status=422, title="知识库导入", error=message
        )
    source = source or "console-upload.json"
    report = await import_kb(rows, source[:100], services(request).clock.now())
    state = "已生成新版本" if report.created else "内容无变化，未生成新版本"
    return render_page(
        request,
        "admin_knowledge.html",
        title="知识库导入",
        report=report,
        errors=[(e.index + 1, field_name(e.field), reason_text(e.reason)) for e in report.errors],
        done=f"知识库第 {report.version} 版：{state}；条目 {report.entries}，"
        f"未导入 {report.rejected} 行。",
    )


# --- calendar overrides -----------------------------------------------------------------


async def _calendar_page(request: Request, status: int = 200, **values: Any) -> HTTPResponse:
    overrides = await CalendarOverride.all().order_by("-day")
    return render_page(
        request,
        "admin_calendar.html",
        status=status,
        title="工作日调整",
        overrides=overrides,
        **values,
    )


@bp.get("/calendar")
@page(ADMIN)
async def calendar(request: Request, who: Visitor) -> HTTPResponse:
    return await _calendar_page(request)


@bp.post("/calendar")
@page(ADMIN)
async def calendar_set(request: Request, who: Visitor) -> HTTPResponse:
    day = forms.field(request, "day", 10)
    kind = forms.field(request, "kind", 10)
    try:
        override = await set_override(day, kind, forms.field(request, "note", 200).strip())
    except InvalidInput as exc:
        _, message = _error(exc)
        return await _calendar_page(request, 422, error=message)
    changed = await recompute_open_deadlines()
    what = "工作日" if override.is_workday else "休息日"
    done = (
        f"{override.day} 已设为{what}；{changed} 件在办办件的承诺期限随之调整"
        "（各服务进程一分钟内生效）。"
    )
    return await _calendar_page(request, done=done)


# --- WeCom robot keys ---------------------------------------------------------------------


async def _robots_page(request: Request, status: int = 200, **values: Any) -> HTTPResponse:
    keys = RobotKeys(services(request).cipher)
    return render_page(
        request,
        "admin_robots.html",
        status=status,
        title="企业微信机器人",
        configured=await keys.departments(),
        departments=await department_names(),
        **values,
    )


@bp.get("/robots")
@page(ADMIN)
async def robots(request: Request, who: Visitor) -> HTTPResponse:
    return await _robots_page(request)


@bp.post("/robots")
@page(ADMIN)
async def robots_set(request: Request, who: Visitor) -> HTTPResponse:
    department = forms.field(request, "department", 64).strip()
    secret = forms.field(request, "key", 200).strip()
    if not department or not secret or len(secret) > 200 or not secret.isprintable():
        message = "请选择部门，并填写机器人 Webhook 地址中 key= 后面的内容。"
        return await _robots_page(request, 422, error=message)
    keys = RobotKeys(services(request).cipher)
    await keys.set(department, secret, services(request).clock.now())
    return await _robots_page(
        request, done=f"已为 {department} 保存机器人密钥（加密保存，不再显示）。"
    )


# --- the staff access log -------------------------------------------------------------------


@bp.get("/access-log")
@page(ADMIN)
async def access(request: Request, who: Visitor) -> HTTPResponse:
    paging = forms.page_of(request)
    event = forms.arg(request, "event")
    event = event if event in EVENTS else ""
    lines, total = await access_log.page(paging, event=event or None)
    return render_page(
        request,
        "admin_access_log.html",
        title="访问日志",
        lines=lines,
        total=total,
        events=EVENTS,
        details=DETAILS,
        event=event,
        **forms.pager(paging, total),
    )
