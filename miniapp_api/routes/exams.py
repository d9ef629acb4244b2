"""Exam scores: the calling citizen's own result, once released."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.exams.service import own_score
from miniapp_api import schemas as s
from miniapp_api.context import bearer_token, services
from miniapp_api.docs import documented

bp = Blueprint("exams", url_prefix="/api/v1/exams")


@bp.get("/<exam:str>/score")
@openapi.summary("Your own result of an exam (matched by your verified ID), once released")
@openapi.description(
    "`{exam, candidate_number, name_masked, total, subjects: {subject: score}}`; scores are "
    'strings exactly as the exam authority published them (`"612.5"`; `""` for a subject '
    "not sat). The exam key is the imported one, e.g. `gaokao2026`. 404 `score_not_found` "
    "before release, without a record or for an unknown exam (the same answer); 403 "
    "`realname_required` before real-name verification; 429 `rate_limited` (with "
    "`Retry-After`) beyond 30 queries a minute per citizen."
)
@documented(
    "citizen",
    answers={200: s.Score},
    errors={403: ("realname_required",), 404: ("score_not_found",)},
)
async def score(request: Request, exam: str) -> HTTPResponse:
    svc = services(request)
    result = await own_score(
        exam[:64],
        bearer_token(request),
        svc.sessions,
        svc.platforms.state,
        svc.clock.now(),
        svc.cipher,
    )
    return json(result)
