"""`citysvc serve`: Sanic's own server, one or many worker processes."""

from __future__ import annotations

from functools import partial

from sanic import Sanic
from sanic.worker.loader import AppLoader

from core.errors import SettingsError
from core.settings import Settings
from miniapp_api.app import create_app


def serve(settings: Settings, host: str, port: int, workers: int) -> int:
    """Serve until stopped; each worker process builds its own app from the same settings.

    Several workers need Redis: rate limits (staff logins, real-name attempts), the bot's
    message claims and binding-code counters live in shared state, and without REDIS_URL each
    worker would keep its own (N workers, N times every limit). So they refuse to start.
    """
    if workers > 1 and not settings.redis_url:
        raise SettingsError(
            [
                f"--workers {workers} needs REDIS_URL: without Redis each worker keeps its own "
                "rate limits and bot state; set REDIS_URL or serve with --workers 1"
            ]
        )
    loader = AppLoader(factory=partial(create_app, settings, name="citysvc"))
    app = loader.load()
    app.prepare(
        host=host,
        port=port,
        workers=max(1, workers),
        single_process=workers <= 1,
        access_log=False,
        motd=False,
    )
    Sanic.serve(primary=app, app_loader=loader)
    return 0
