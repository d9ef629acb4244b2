"""The lifecycle every sandbox shares: an aiohttp server on loopback, started and stopped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

DEMO_PREFIX = "/sandbox/"  # the sandboxes' own demo endpoints, not the platforms'


@web.middleware
async def demo_cors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """The demo's mini-program simulator (another origin) may call the ``/sandbox/`` endpoints
    from the browser; the platforms' own paths stay as the platforms serve them."""
    if not request.path.startswith(DEMO_PREFIX):
        return await handler(request)
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response(status=204)
    else:
        response = await handler(request)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


class LoopbackServer:
    """Subclasses add their routes in ``routes``; ``async with`` starts and stops the server.

    ``port=0`` takes any free port; ``base_url`` is ``http://HOST:PORT`` once started.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def middlewares(self) -> list[Any]:
        return []

    async def started(self) -> None:
        """Called once the server listens (start background work here)."""

    async def stopping(self) -> None:
        """Called before the server closes (release held requests, stop background work)."""

    async def start(self) -> str:
        app = web.Application(middlewares=[demo_cors, *self.middlewares()])
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{self.port}"
        await self.started()
        return self.base_url

    async def stop(self) -> None:
        await self.stopping()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
