"""The clerk's queue and a case's page, with one form per action the case allows.

Everything is read and changed through the services the staff API uses (``core.cases``,
``notifications.staff_case``, ``core.shipping.service.mail_result``), scoped the same way:
another department's case is the same 404 as no case. Supervisors read; they get no
buttons (and the server refuses their posts, as the API does).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.exceptions import NotFound as PathNotFound
from sanic.response import HTTPResponse, raw, redirect

from console import forms, labels
from console.catalogue_names import department_items, item_names
from console.context import app_state, services
from console.guard import Visitor, page
from console.nav import CASE_READERS
from console.render import page as render_page
from core.cases.deadlines import deadline_colour, workdays_left
from core.cases.machine import CLOSED, TRANSITIONS
from core.cases.models import Application
from core.cases.queries import (
    ACTING_ROLES,
    STATUSES,
    CaseFilter,
    staff_case,
    staff_case_to_act,
    staff_cases,
)
from core.cases.staff_actions import act as act_on
from core.details.staff import detail_of
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.messages import render
from core.shipping.service import mail_result
from core.staff import access_log
from core.uploads.models import Upload
from core.uploads.service import read_upload

bp = Blueprint("console_cases", url_prefix="/console")

# the buttons, in the order shown; ``ship`` is the 邮寄 form with its 邮件号 field
BUTTONS = (
    "accept",
    "start_review",
    "approve",
    "hand_over",
    "resume",
    "extend",
    "request_supplement",
    "suspend",
    "refuse",
    "deny",
    "revoke_instant",
)
NEEDS_NOTE = frozenset({"refuse", "request_supplement", "deny", "revoke_instant"})
DANGER = frozenset({"refuse", "deny", "revoke_instant"})
# a colleague acted first: the state moved on, or the version the page showed is gone
OVERTAKEN = ("concurrent_update", "invalid_transition")
PREVIEWABLE = {"image/jpeg": "image", "image/png": "image", "application/pdf": "pdf"}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# a material shown inside the case page: only this server may frame it, nothing else loads
PREVIEW_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def _filters(request: Request) -> tuple[str, bool, CaseFilter, dict[str, str]]:
    status = forms.arg(request, "status")
    status = status if status in STATUSES else ""
    overdue = forms.arg(request, "overdue") == "1"
    wanted = CaseFilter(
        item_code=forms.arg(request, "item") or None,
        number=forms.arg(request, "number", 20).upper() or None,
        filed_from=forms.day(request, "from"),
        filed_to=forms.day(request, "to"),
    )
    shown = {
        "status": status,
        "overdue": "1" if overdue else "",
        "item": wanted.item_code or "",
        "number": wanted.number or "",
        "from": wanted.filed_from.isoformat() if wanted.filed_from else "",
        "to": wanted.filed_to.isoformat() if wanted.filed_to else "",
    }
    return status, overdue, wanted, shown


def _row(case: Application, names: dict[str, str], request: Request) -> dict[str, Any]:
    ctx = services(request).cases
    today = ctx.today()
    near = services(request).settings.supervision.near_deadline_days
    return {
        "number": case.number,
        "item": names.get(case.item_code, case.item_code),
        "status": case.status,
        "filed": case.created_at,
        "due": case.due_date,
        "left": workdays_left(case.due_date, today, ctx.calendar)
        if case.status not in CLOSED
        else None,
        "colour": deadline_colour(case.status, case.due_date, today, ctx.calendar, near),
    }


@bp.get("/cases")
@page(*CASE_READERS)
async def queue(request: Request, who: Visitor) -> HTTPResponse:
    status, overdue, wanted, shown = _filters(request)
    paging = forms.page_of(request)
    today = services(request).cases.today()
    cases, total = await staff_cases(who.member, status or None, overdue, today, paging, wanted)
    names = await item_names(case.item_code for case in cases)
    department = None if who.role == "admin" else who.member.department_code
    query = {k: v for k, v in shown.items() if v}
    pages = forms.pager(paging, total)
    more = paging.number < pages["pages"]
    return render_page(
        request,
        "cases.html",
        title="办件队列",
        rows=[_row(case, names, request) for case in cases],
        total=total,
        shown=shown,
        statuses=STATUSES,
        items=await department_items(department),
        **pages,
        previous=urlencode({**query, "page": paging.number - 1}) if paging.number > 1 else "",
        following=urlencode({**query, "page": paging.number + 1}) if more else "",
        near_days=services(request).settings.supervision.near_deadline_days,
    )


def _buttons(case: Application, detail: dict[str, Any], who: Visitor) -> list[str]:
    if who.role not in ACTING_ROLES:
        return []
    allowed = [a for a in BUTTONS if (case.status, a) in TRANSITIONS]
    if case.delivery_method != "pickup":
        allowed = [a for a in allowed if a != "hand_over"]
    instant = bool(detail["audit"]) and detail["audit"][-1]["action"] == "instant_approve"
    if not instant or case.status != "approved":
        allowed = [a for a in allowed if a != "revoke_instant"]
    if case.extended_days:
        allowed = [a for a in allowed if a != "extend"]
    return allowed


def _can_ship(case: Application, who: Visitor) -> bool:
    shippable = (case.status, "ship") in TRANSITIONS
    return who.role in ACTING_ROLES and shippable and case.delivery_method == "ems"


async def _siblings(case: Application, who: Visitor) -> list[dict[str, Any]]:
    if not case.bundle_number:
        return []
    others = await Application.filter(bundle_number=case.bundle_number).exclude(id=case.id)
    names = await item_names(o.item_code for o in others)
    mine = who.role == "admin" or None
    return [
        {
            "number": o.number,
            "item": names.get(o.item_code, o.item_code),
            "department": o.department_code,
            "status": o.status,
            "linked": mine or o.department_code == who.member.department_code,
        }
        for o in others
    ]


async def _logged(request: Request, who: Visitor, event: str, subject: str) -> None:
    """One line in the staff access log for what ``who`` looked at, as the API logs it."""
    await access_log.record(
        event,
        services(request).clock.now(),
        username=who.member.username,
        staff_id=who.member.id,
        address=request.remote_addr or request.ip,
        subject=subject,
    )


async def _case_page(
    request: Request,
    who: Visitor,
    case: Application,
    *,
    status: int = 200,
    done: str = "",
    error: str = "",
    field_errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> HTTPResponse:
    svc = services(request)
    detail = await detail_of(svc.cases, case)
    names = await item_names([case.item_code])
    today = svc.cases.today()
    near = svc.settings.supervision.near_deadline_days
    await _logged(request, who, access_log.CASE_VIEWED, case.number)
    return render_page(
        request,
        "case.html",
        status=status,
        title=f"办件 {case.number}",
        case=detail,
        version=case.version,
        item_name=names.get(case.item_code, case.item_code),
        left=None
        if case.status in CLOSED
        else workdays_left(case.due_date, today, svc.cases.calendar),
        colour=deadline_colour(case.status, case.due_date, today, svc.cases.calendar, near),
        buttons=_buttons(case, detail, who),
        can_ship=_can_ship(case, who),
        needs_note=NEEDS_NOTE,
        danger=DANGER,
        max_extension=case.legal_days - case.promised_days,
        siblings=await _siblings(case, who),
        previews=await _previews(detail["materials"]),
        ems_texts={
            r: render("invalid_tracking_number", "zh", {"reason": r})
            for r in ("format", "not_ems", "check_digit")
        },
        instant=_instant(detail),
        done=done,
        error=error,
        field_errors=field_errors or {},
        typed=typed or {},
    )


def _instant(detail: dict[str, Any]) -> list[dict[str, Any]]:
    rules = detail.get("instant_rules") or []
    return [r for r in rules if isinstance(r, dict)]


async def _previews(materials: list[dict[str, Any]]) -> dict[str, str]:
    ids = [m["file_id"] for m in materials if m.get("file_id")]
    rows = await Upload.filter(id__in=ids).values_list("id", "content_type")
    return {str(i): PREVIEWABLE.get(str(t), "") for i, t in rows}


@bp.get("/cases/<number:str>")
@page(*CASE_READERS)
async def show(request: Request, who: Visitor, number: str) -> HTTPResponse:
    case = await staff_case(number, who.member)
    done = forms.arg(request, "done")
    message = f"已完成：{labels.ACTION_LABELS[done]}" if done in labels.ACTION_LABELS else ""
    return await _case_page(request, who, case, done=message)


async def _refused(
    request: Request, who: Visitor, number: str, exc: DomainError, typed: dict[str, str]
) -> HTTPResponse:
    """The case's page again, fresh, saying why nothing happened."""
    case = await staff_case(number, who.member)
    message = render(exc.code, "zh", exc.details)
    status = 409 if isinstance(exc, Conflict) else 422
    if exc.code in OVERTAKEN:
        message = "另一位工作人员已先处理了这个办件，操作没有执行。下面是它现在的状态，请据此办理。"
    fields = {"tracking_number": message} if exc.code == "invalid_tracking_number" else {}
    return await _case_page(
        request, who, case, status=status, error=message, field_errors=fields, typed=typed
    )


def _check_version(case: Application, request: Request) -> None:
    """The page the clerk acted from showed this version; anything else means a colleague
    changed the case meanwhile (the API's optimistic guard, made visible)."""
    if forms.whole(request, "version") != case.version:
        raise Conflict("The case changed since the page was shown.", code="concurrent_update")


@bp.post("/cases/<number:str>/act")
@page("clerk", "admin", "supervisor")
async def act(request: Request, who: Visitor, number: str) -> HTTPResponse:
    action = forms.field(request, "action", 32)
    note = forms.field(request, "note").strip()
    typed = {"note": note, "action": action}
    svc = services(request)
    try:
        if action not in BUTTONS:
            raise InvalidInput("Unknown action.", code="invalid_action")
        moved = await act_on(
            svc.cases,
            who.member,
            number,
            action,
            note,
            forms.whole(request, "days") if action == "extend" else None,
            instant_revoke_hours=svc.settings.supervision.instant_revoke_hours,
            shown_version=forms.whole(request, "version"),
        )
    except (Conflict, InvalidInput) as exc:
        return await _refused(request, who, number, exc, typed)
    if moved.status == "approved":  # the approval may have granted a licence a policy asks for
        await app_state(request, "policy_check").recheck(str(moved.citizen_id))
    return redirect(f"/console/cases/{number}?done={action}")


@bp.post("/cases/<number:str>/ship")
@page("clerk", "admin", "supervisor")
async def ship(request: Request, who: Visitor, number: str) -> HTTPResponse:
    raw = forms.field(request, "tracking_number", 64)
    svc = services(request)
    try:
        case = await staff_case_to_act(number, who.member)
        _check_version(case, request)
        actor = f"staff:{who.member.username}"
        await mail_result(svc.cases, svc.platforms.tracking, case, raw, actor)
    except (Conflict, InvalidInput) as exc:
        return await _refused(request, who, number, exc, {"tracking_number": raw})
    return redirect(f"/console/cases/{number}?done=ship")


@bp.get("/cases/<number:str>/materials/<file_id:str>")
@page(*CASE_READERS)
async def material(request: Request, who: Visitor, number: str, file_id: str) -> HTTPResponse:
    """A material shown inline in the case page (scoped like the page; logged like the API's
    download); only this server's pages may frame it."""
    case = await staff_case(number, who.member)
    if not any(m.get("file_id") == file_id for m in case.materials):
        raise NotFound("No such material on this case.", code="file_not_found")
    upload = await Upload.get_or_none(id=file_id)
    if upload is None:
        raise PathNotFound("gone")
    svc = services(request)
    content = await read_upload(svc.settings.upload_dir, upload)
    await _logged(request, who, access_log.MATERIAL_DOWNLOADED, f"{number}/{file_id}")
    name = f"{upload.id}.{EXTENSIONS.get(upload.content_type, 'bin')}"
    inline = upload.content_type in PREVIEWABLE
    return raw(
        content,
        content_type=upload.content_type,
        headers={
            "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": PREVIEW_POLICY,
            "X-Frame-Options": "SAMEORIGIN",
        },
    )
