"""Supervision (电子监察): open warnings by department and colour, and appeals of poor
ratings to uphold or void. The overdue list is the queue filtered (``/console/cases?overdue=1``);
supervisors read cases and get no action buttons there."""

from __future__ import annotations

from collections import defaultdict

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from console import forms
from console.catalogue_names import department_names
from console.context import services
from console.guard import Visitor, page
from console.nav import ADMIN, CASE_READERS, SUPERVISOR
from console.render import page as render_page
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.feedback import rectifications
from core.messages import render
from core.supervision.warnings import open_by_department, warning_page

bp = Blueprint("console_supervision", url_prefix="/console")
KINDS = {
    "not_accepted": "未及时受理",
    "near_deadline": "临近期限",
    "supplement_pending": "补正久未处理",
    "overdue": "已超期",
    "overdue_escalated": "超期督办",
    "rectification_overdue": "整改超期",
}
APPEAL_DONE = {
    "uphold": "已维持差评，整改任务重新打开。",
    "void": "已认定申诉成立，该差评不再计入统计。",
}


@bp.get("/warnings")
@page(*CASE_READERS)
async def warnings(request: Request, who: Visitor) -> HTTPResponse:
    paging = forms.page_of(request)
    views, total = await warning_page(who.member, paging)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for department, level, n in await open_by_department(who.member):
        counts[department][level] = n
    for view in views:
        kind = str(view["kind"])
        view["kind_name"] = KINDS.get(kind) or (
            "邮件投递异常" if kind.startswith("shipment") else "其他"
        )
    return render_page(
        request,
        "warnings.html",
        title="预警",
        warnings=views,
        total=total,
        counts=sorted(counts.items()),
        departments=await department_names(),
        **forms.pager(paging, total),
    )


@bp.get("/appeals")
@page(SUPERVISOR, ADMIN)
async def appeals(request: Request, who: Visitor) -> HTTPResponse:
    done = APPEAL_DONE.get(forms.arg(request, "done"), "")
    return await _appeals_page(request, who, done=done)


async def _appeals_page(
    request: Request, who: Visitor, status: int = 200, done: str = "", error: str = ""
) -> HTTPResponse:
    paging = forms.page_of(request)
    tasks, total = await rectifications.task_page(who.member, "appealed", paging)
    return render_page(
        request,
        "appeals.html",
        status=status,
        title="差评申诉",
        tasks=tasks,
        total=total,
        done=done,
        error=error,
    )


@bp.post("/appeals/<task_id:int>")
@page(SUPERVISOR, ADMIN)
async def judge(request: Request, who: Visitor, task_id: int) -> HTTPResponse:
    action = forms.field(request, "action", 16)
    note = forms.field(request, "note").strip()
    try:
        if action not in APPEAL_DONE:
            raise InvalidInput("Unknown action.", code="invalid_action")
        await rectifications.act(who.member, task_id, action, note, services(request).clock.now())
    except (Conflict, InvalidInput, NotFound) as exc:
        return await _appeals_page(
            request, who, _status(exc), error=render(exc.code, "zh", exc.details)
        )
    return redirect(f"/console/appeals?done={action}")


def _status(exc: DomainError) -> int:
    return 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) else 422
