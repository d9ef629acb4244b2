"""No login: the public board (审批直播间), its Server-Sent Events stream, and the figures."""

from __future__ import annotations

from typing import cast

import orjson
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.clock import CST
from core.errors import InvalidInput
from core.feedback.board import board
from core.feedback.figures import figures, parse_day
from core.feedback.hub import BoardHub
from miniapp_api import schemas as s
from miniapp_api.context import app_context, services
from miniapp_api.docs import documented

bp = Blueprint("public", url_prefix="/api/v1/public")

MAX_ID = 2**63 - 1


def _entry_id(raw: str | None, name: str) -> int:
    raw = (raw or "0").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise InvalidInput(f"'{name}' must be an entry id.", details={"field": name})
    return int(raw)


def hub(request: Request) -> BoardHub:
    return app_context(request).board_hub


@bp.get("/board")
@openapi.summary("Today's finished cases, anonymised, newest first (?since=ID)")
@openapi.description(
    "`[{id, at, item_name, department_name, status}]`: one entry per case when it first "
    "finishes (`approved`, `denied`, `refused`, `result_mailed`, `delivered`, `collected`), "
    "today in China Standard Time; no personal data and no case number. `since` answers "
    "only entries after that id (mini-programs poll with it: they have no EventSource). At "
    "most 200 entries."
)
@openapi.parameter("since", int, "query", description="the last entry id already shown")
@documented("public", answers={200: [s.BoardEntry]}, errors={422: ("invalid_value",)})
async def show_board(request: Request) -> HTTPResponse:
    since = _entry_id(request.args.get("since"), "since")
    today = services(request).clock.now().astimezone(CST).date()
    return json(await board(today, since))


def _event(entry: dict[str, object]) -> bytes:
    return b"id: %d\ndata: %s\n\n" % (cast(int, entry["id"]), orjson.dumps(entry))


@bp.get("/board/stream")
@openapi.summary("The board as Server-Sent Events: each new entry as it happens")
@openapi.description(
    "`text/event-stream`: for each new entry an `id:` line and one `data:` line holding the "
    "entry's JSON object (as in `GET /api/v1/public/board`), pushed within a second of the "
    "change; a comment line (`: keep-alive`) at least every 15 seconds "
    "(`BOARD_HEARTBEAT_SECONDS`). `Last-Event-ID` (header, or `?last_event_id=`) resumes "
    "after that entry; without it the stream starts with what happens next."
)
@documented("public", answers={200: "text/event-stream"}, errors={422: ("invalid_value",)})
async def stream_board(request: Request) -> HTTPResponse | None:
    board_hub = hub(request)
    resume = request.headers.get("last-event-id") or request.args.get("last_event_id")
    since = _entry_id(resume, "Last-Event-ID") if resume else await board_hub.cursor()
    heartbeat = services(request).settings.ratings.board_heartbeat
    response = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    board_hub.listeners += 1
    try:
        await response.send(b"retry: 3000\n: connected\n\n")
        while not board_hub.closed:
            entries = await board_hub.after(since, heartbeat)
            if entries:
                await response.send(b"".join(_event(e) for e in entries))
                since = int(cast(int, entries[-1]["id"]))
            else:
                await response.send(b": keep-alive\n\n")
    finally:
        board_hub.listeners -= 1
    await response.eof()
    return None


@bp.get("/figures")
@openapi.summary("The service's figures for a date range (?from=&to=, ?department=, ?item=)")
@openapi.description(
    "`{cases, finished, no_visit_rate, on_time_rate, avg_working_days, satisfaction_rate, "
    "poor_ratings, realname_citizens, top_complained: [{item_code, count}]}` (and the "
    "`from`, `to`, `department` and `item` asked) over the cases filed from `from` to `to` "
    "(China dates, both inclusive, default today), as they stand now. `on_time_rate` = cases "
    "with a due date finished by it / (those finished + those in progress past it); "
    "`no_visit_rate` = finished cases sent by EMS or refused or denied / finished cases; "
    "`avg_working_days` = mean working days from acceptance to finishing, pauses excluded; "
    "`satisfaction_rate` = ratings of 3 or more / ratings, default and voided ones "
    "excluded; `top_complained` the 10 items with most complaints filed in those dates. "
    "Rates are fractions 0-1, null when nothing counts. 422 `invalid_date`."
)
@openapi.parameter("from", str, "query", description="YYYY-MM-DD (China date)")
@openapi.parameter("to", str, "query", description="YYYY-MM-DD (China date)")
@openapi.parameter("department", str, "query", description="a department code")
@openapi.parameter("item", str, "query", description="an item code")
@documented("public", answers={200: s.ServiceFigures}, errors={422: ("invalid_date",)})
async def show_figures(request: Request) -> HTTPResponse:
    today = services(request).clock.now().astimezone(CST).date()
    start = parse_day(request.args.get("from"), "from") if request.args.get("from") else today
    end = parse_day(request.args.get("to"), "to") if request.args.get("to") else today
    department = (request.args.get("department") or "")[:64] or None
    item = (request.args.get("item") or "")[:64] or None
    return json(await figures(start, end, today, department, item))
