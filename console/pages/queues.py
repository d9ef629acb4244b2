"""The clerk's rectification and feedback queues, scoped to the clerk's department exactly as
the staff API scopes them (``core.feedback.rectifications``, ``core.feedback.service``):
call back, rectify or appeal a poor rating; reply to a complaint, suggestion or correction
(the reply reaches the citizen as a ``feedback.replied`` message). Who rated or wrote is
never shown.
"""

from __future__ import annotations

from typing import Any, cast

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from console import forms
from console.catalogue_names import item_names
from console.context import app_state, services
from console.guard import Visitor, page
from console.render import page as render_page
from core.clock import CST
from core.errors import DomainError
from core.feedback import rectifications
from core.feedback import service as feedback
from core.messages import render

bp = Blueprint("console_queues", url_prefix="/console")
ROLES = ("clerk", "admin")
TASK_STATUS = {
    "open": "待回访",
    "called_back": "已回访",
    "rectified": "已整改",
    "appealed": "申诉中",
    "voided": "已撤销",
}
TASK_ACTIONS = {"call_back": "已回访", "rectify": "整改完成", "appeal": "申诉"}
HISTORY = TASK_ACTIONS | {"uphold": "申诉未通过，重新整改", "void": "申诉通过，差评不再计入"}
LEVELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
FEEDBACK_STATUS = {"open": "待答复", "replied": "已答复"}
KINDS = {"complaint": "投诉", "suggestion": "建议", "correction": "纠错"}
DONE = {
    "call_back": "已记录回访。",
    "rectify": "已记录整改完成。",
    "appeal": "已提交申诉，等待督查人员审核。",
    "reply": "已答复，群众将收到答复消息。",
}


def _status(request: Request, allowed: dict[str, str]) -> str | None:
    wanted = forms.arg(request, "status")
    return wanted if wanted in allowed else None


def _today(request: Request) -> str:
    return services(request).clock.now().astimezone(CST).date().isoformat()


async def _tasks_page(
    request: Request, who: Visitor, status_code: int = 200, error: str = ""
) -> HTTPResponse:
    status = _status(request, TASK_STATUS)
    paging = forms.page_of(request)
    tasks, total = await rectifications.task_page(who.member, status, paging)
    clerk_moves = set(rectifications.CLERK_ACTIONS)
    return render_page(
        request,
        "rectifications.html",
        status=status_code,
        title="差评整改",
        tasks=[
            t | {"possible": [a for a in TASK_ACTIONS if (t["status"], a) in clerk_moves]}
            for t in tasks
        ],
        total=total,
        shown=status or "",
        statuses=TASK_STATUS,
        actions=TASK_ACTIONS,
        history=HISTORY,
        levels=LEVELS,
        today=_today(request),
        **forms.pager(paging, total),
        done=DONE.get(forms.arg(request, "done"), ""),
        error=error,
    )


@bp.get("/rectifications")
@page(*ROLES)
async def tasks(request: Request, who: Visitor) -> HTTPResponse:
    return await _tasks_page(request, who)


@bp.post("/rectifications/<task_id:int>")
@page(*ROLES)
async def act(request: Request, who: Visitor, task_id: int) -> HTTPResponse:
    action = forms.field(request, "action", 16)
    note = forms.field(request, "note").strip()
    try:
        await rectifications.act(who.member, task_id, action, note, services(request).clock.now())
    except DomainError as exc:
        return await _tasks_page(request, who, 409, render(exc.code, "zh", exc.details))
    return redirect(f"/console/rectifications?done={action}")


async def _feedback_page(
    request: Request, who: Visitor, status_code: int = 200, error: str = ""
) -> HTTPResponse:
    status = _status(request, FEEDBACK_STATUS)
    paging = forms.page_of(request)
    rows, total = await feedback.staff_page(who.member, status, paging)
    names = await item_names(str(r["item_code"]) for r in rows if r["item_code"])
    return render_page(
        request,
        "feedback.html",
        status=status_code,
        title="群众意见",
        rows=[r | {"item_name": names.get(str(r["item_code"]), r["item_code"])} for r in rows],
        total=total,
        shown=status or "",
        statuses=FEEDBACK_STATUS,
        kinds=KINDS,
        today=_today(request),
        **forms.pager(paging, total),
        done=DONE.get(forms.arg(request, "done"), ""),
        error=error,
    )


@bp.get("/feedback")
@page(*ROLES)
async def queue(request: Request, who: Visitor) -> HTTPResponse:
    return await _feedback_page(request, who)


@bp.post("/feedback/<feedback_id:int>/reply")
@page(*ROLES)
async def reply(request: Request, who: Visitor, feedback_id: int) -> HTTPResponse:
    body: dict[str, Any] = {"reply": forms.field(request, "reply", 2000).strip()}
    notifier = cast(feedback.Notify, app_state(request, "feedback_notifier"))
    try:
        await feedback.reply(who.member, feedback_id, body, services(request).clock.now(), notifier)
    except DomainError as exc:
        status = 409 if exc.code == "already_replied" else 422
        return await _feedback_page(request, who, status, render(exc.code, "zh", exc.details))
    return redirect("/console/feedback?done=reply")
