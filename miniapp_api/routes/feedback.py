"""Ratings (好差评), rectifications, and complaints, suggestions and corrections."""

from __future__ import annotations

from urllib.parse import unquote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.cases.notes import read_note
from core.cases.queries import citizen_case
from core.errors import NotFound
from core.feedback import rectifications
from core.feedback import service as feedback
from core.feedback.errors import InvalidDimensions, InvalidFeedbackKind
from core.feedback.models import Rating
from core.feedback.ratings import DIMENSIONS, citizen_rating_view, rate
from core.paging import paged
from miniapp_api import schemas as s
from miniapp_api.body import paging, parsed
from miniapp_api.context import app_context, current_citizen, current_staff, services
from miniapp_api.docs import documented

citizen_bp = Blueprint("ratings", url_prefix="/api/v1")
staff_bp = Blueprint("staff_feedback", url_prefix="/api/v1/staff")


@citizen_bp.post("/applications/<number:str>/rating")
@openapi.summary("Rate a finished case once (好差评, 一事一评)")
@openapi.body(
    {
        "application/json": {
            "level": int,
            "comment": str,
            "dimensions": {
                "efficiency": int,
                "guide_accuracy": int,
                "convenience": int,
                "usability": int,
            },
        }
    }
)
@openapi.description(
    "`level` 1-5 (5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意; 1 and 2 are poor and "
    "open a rectification task for the case's department), optional `comment` (at most 500 "
    "characters) and `dimensions` (each 1-5). 201 `{application_number, level, level_text, "
    "dimensions, comment, default, created_at}`. 409 `not_finished` unless the case is "
    "`refused`, `denied`, `result_mailed`, `delivered` or `collected`; 409 `already_rated` "
    "for a second rating; 422 `invalid_level`, `invalid_dimensions`, `invalid_value`; 404 "
    "`case_not_found` for a case that is not yours."
)
@documented(
    "citizen",
    body=s.RatingRequest,
    answers={201: s.RatingAnswer},
    errors={
        404: ("case_not_found",),
        409: ("not_finished", "already_rated"),
        422: ("invalid_level", "invalid_dimensions", "invalid_value"),
    },
)
async def create_rating(request: Request, number: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    _, body = parsed(
        request,
        s.RatingRequest,
        codes={
            ("level",): "invalid_level",
            ("dimensions",): InvalidDimensions(details={"allowed": list(DIMENSIONS)}),
        },
    )
    case = await citizen_case(number, str(citizen.id))
    svc = services(request)
    rating = await rate(
        case,
        str(citizen.id),
        body,
        svc.clock.now(),
        svc.cases.calendar,
        svc.settings.ratings.rectify_days,
    )
    return json(citizen_rating_view(rating, case.number), status=201)


@citizen_bp.get("/applications/<number:str>/rating")
@openapi.summary("Your rating of a case (404 `rating_not_found` when it has none yet)")
@documented(
    "citizen",
    answers={200: s.RatingAnswer},
    errors={404: ("case_not_found", "rating_not_found")},
)
async def show_rating(request: Request, number: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    case = await citizen_case(number, str(citizen.id))
    rating = await Rating.get_or_none(application_id=case.id)
    if rating is None:
        raise NotFound("这件办件还没有评价。", code="rating_not_found")
    return json(citizen_rating_view(rating, case.number))


@citizen_bp.post("/feedback")
@openapi.summary("Send a complaint, suggestion or correction (我要纠错)")
@openapi.body(
    {
        "application/json": {
            "kind": str,
            "content": str,
            "item_code": str,
            "application_number": str,
        }
    }
)
@openapi.description(
    "`kind` `complaint`, `suggestion` or `correction` (else 422 `invalid_feedback_kind`); "
    "`content` 1-2000 characters; a correction names the `item_code` whose guide is wrong "
    "(else 422 `missing_field`). It goes to the department of the case named (your own: "
    "else 404 `case_not_found`) or of the item named (404 `item_not_found`), otherwise to "
    "the administrators, and is answered within `FEEDBACK_REPLY_DAYS` working days (the "
    '`due_date`). 201 `{id, kind, status: "open", due_date}`.'
)
@documented(
    "citizen",
    body=s.FeedbackRequest,
    answers={201: s.FeedbackFiled},
    errors={
        404: ("case_not_found", "item_not_found"),
        422: ("invalid_feedback_kind", "missing_field", "invalid_value"),
    },
)
async def create_feedback(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    svc = services(request)
    _, body = parsed(
        request,
        s.FeedbackRequest,
        codes={("kind",): InvalidFeedbackKind(details={"allowed": list(feedback.KINDS)})},
    )
    row = await feedback.submit(
        str(citizen.id),
        body,
        svc.clock.now(),
        svc.cases.calendar,
        svc.settings.ratings.reply_days,
    )
    return json(
        {"id": row.id, "kind": row.kind, "status": row.status, "due_date": str(row.due_date)},
        status=201,
    )


@citizen_bp.get("/feedback")
@openapi.summary("Your feedback with its status and reply, newest first (paged)")
@openapi.description(
    "`{items: [{id, kind, content, item_code, application_number, status, reply, "
    "replied_at, due_date, created_at}], total}`; `?page=` from 1, `?per_page=` 1-100 "
    "(default 20)."
)
@documented("citizen", answers={200: s.FeedbackPage}, errors={422: ("invalid_value",)})
async def my_feedback(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    items, total = await feedback.citizen_page(str(citizen.id), paging(request))
    return json(paged(items, total))


@citizen_bp.get("/items/<code:str>/history")
@openapi.summary("An item's versions, newest first, with the corrections each answered")
@openapi.description(
    "`[{version, name, created_at, corrections: [{id, content, filed_at, status, reply}]}]`: "
    "a correction (我要纠错) filed while version N was current shows under version N+1, "
    "once the catalogue has been updated. 404 `item_not_found`."
)
@documented("citizen", answers={200: [s.ItemHistory]}, errors={404: ("item_not_found",)})
async def item_history(request: Request, code: str) -> HTTPResponse:
    return json(await feedback.item_history(unquote(code)))


@staff_bp.get("/rectifications")
@openapi.summary("Poor ratings of the department's cases and their rectification (paged)")
@openapi.description(
    "`{items: [{id, application_number, level, comment, status, due_date, due_provisional, "
    "history, created_at}], total}`; never who rated. `?status=` one of `open`, "
    "`called_back`, `rectified`, `appealed`, `voided` (else 422 `invalid_status`); "
    "`?page=`, `?per_page=` (default 20, at most 100). Clerks and supervisors see their "
    "department's, admins all; other roles 403 `role_not_allowed`."
)
@documented(
    "staff",
    answers={200: s.RectificationPage},
    errors={422: ("invalid_status", "invalid_value")},
)
async def list_rectifications(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    status = request.args.get("status") or None
    items, total = await rectifications.task_page(member, status, paging(request))
    return json(paged(items, total))


@staff_bp.post("/rectifications/<task_id:id>")
@openapi.summary("Act on a rectification task: call_back, rectify, appeal; uphold or void")
@openapi.body({"application/json": {"action": str, "note": str}})
@openapi.description(
    "Clerks: `call_back` (open → called_back), `rectify` (called_back → rectified), "
    "`appeal` (open or called_back → appealed). A supervisor of the department (or an "
    "admin): `uphold` (appealed → open) or `void` (appealed → voided: the rating no longer "
    "counts in the figures). 409 `invalid_transition` from any other state; 403 "
    "`role_not_allowed` for the other role's actions; 422 `invalid_action`; 404 "
    "`rectification_not_found` for another department's task. Answers the task."
)
@documented(
    "staff",
    body=s.RectificationAction,
    answers={200: s.Rectification},
    errors={
        404: ("rectification_not_found",),
        409: ("invalid_transition", "concurrent_update"),
        422: ("invalid_action", "missing_field", "invalid_value"),
    },
)
async def act_rectification(request: Request, task_id: int) -> HTTPResponse:
    member = await current_staff(request)
    typed, body = parsed(
        request, s.RectificationAction, wrong={("action",): ("invalid_action", "allowed")}
    )
    task = await rectifications.act(
        member, task_id, typed.action, read_note(body), services(request).clock.now()
    )
    return json(task)


@staff_bp.get("/feedback")
@openapi.summary("Feedback about the department's items and cases (paged)")
@openapi.description(
    "`{items: [{id, kind, content, item_code, application_number, status, reply, "
    "replied_at, due_date, created_at, department}], total}`; never who wrote it. Admins "
    "see everything, including feedback naming neither item nor case (`department` null). "
    "`?status=` `open` or `replied`; `?page=`, `?per_page=`."
)
@documented(
    "staff",
    answers={200: s.StaffFeedbackPage},
    errors={422: ("invalid_status", "invalid_value")},
)
async def list_feedback(request: Request) -> HTTPResponse:
    member = await current_staff(request)
    status = request.args.get("status") or None
    items, total = await feedback.staff_page(member, status, paging(request))
    return json(paged(items, total))


@staff_bp.post("/feedback/<feedback_id:id>/reply")
@openapi.summary("Answer a citizen's feedback; they get a `feedback.replied` message")
@openapi.body({"application/json": {"reply": str}})
@openapi.description(
    '`reply` 1-2000 characters. Answers the feedback with `status: "replied"`. The '
    "message is queued in the same transaction. 409 `already_replied`; 404 "
    "`feedback_not_found` outside your department."
)
@documented(
    "staff",
    body=s.FeedbackReply,
    answers={200: s.StaffFeedback},
    errors={
        404: ("feedback_not_found",),
        409: ("already_replied",),
        422: ("missing_field", "invalid_value"),
    },
)
async def reply_feedback(request: Request, feedback_id: int) -> HTTPResponse:
    member = await current_staff(request)
    notifier = app_context(request).feedback_notifier
    answer = await feedback.reply(
        member,
        feedback_id,
        parsed(request, s.FeedbackReply)[1],
        services(request).clock.now(),
        notifier,
    )
    return json(answer)
