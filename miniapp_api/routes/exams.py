"""Exam scores: the calling citizen's own result, once released."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.exams.service import own_score
from miniapp_api.context import bearer_token, services

bp = Blueprint("exams", url_prefix="/api/v1/exams")


@bp.get("/<exam:str>/score")
@openapi.summary("Your own result of an exam (matched by your verified ID), once released")
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
