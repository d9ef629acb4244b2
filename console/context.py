"""What the console's pages need of the server's services (``app.ctx.services``).

The API builds those services (``miniapp_api.context.Services``) and mounts the console; the
console names only the parts it reads, so it depends on nothing above ``bot``.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from sanic import Request

from core.auth.sessions import SessionService
from core.cases.context import CaseContext
from core.pii import PiiCipher
from core.ports import Clock
from core.settings import Settings
from integrations.wiring import Platforms


class ConsoleServices(Protocol):
    settings: Settings
    clock: Clock
    platforms: Platforms
    sessions: SessionService
    cipher: PiiCipher
    cases: CaseContext


def services(request: Request) -> ConsoleServices:
    return cast(ConsoleServices, request.app.ctx.services)


def app_state(request: Request, name: str) -> Any:
    """Something else the server attached to ``app.ctx`` at start (e.g. the feedback notifier)."""
    return getattr(request.app.ctx, name)
