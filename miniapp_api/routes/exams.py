"""Exam scores: the calling citizen's own result, once released."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.exams.service import own_score
from core.ratelimit import SCORE_PER_CITIZEN, enforce
from miniapp_api.context import authenticated, services

bp = Blueprint("exams", url_prefix="/api/v1/exams")


@bp.get("/<exam:str>/score")
@openapi.summary("Your own result of an exam (matched by your verified ID), once released")
async def score(request: Request, exam: str) -> HTTPResponse:
    principal = await authenticated(request)
    svc = services(request)
    await enforce(svc.platforms.state, SCORE_PER_CITIZEN, principal.subject_id)
    return json(await own_score(exam[:64], principal.subject_id, svc.clock.now(), svc.cipher))
