"""Liveness and readiness for operators and load balancers."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from core.db import db_ready
from miniapp_api import schemas as s
from miniapp_api.context import services
from miniapp_api.docs import documented

bp = Blueprint("ops")


@bp.get("/healthz")
@documented("public", answers={200: s.Health})
async def healthz(request: Request) -> HTTPResponse:
    """200 while the process serves."""
    return json({"status": "ok"})


@bp.get("/readyz")
@documented("public", answers={200: s.Ready, 503: s.Ready})
async def readyz(request: Request) -> HTTPResponse:
    """200 when the database (and Redis, when configured) answer; 503 otherwise."""
    svc = services(request)
    checks = {"database": await db_ready()}
    if svc.settings.redis_url:
        checks["redis"] = await svc.platforms.state.ping()
    ready = all(checks.values())
    return json(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status=200 if ready else 503,
    )
