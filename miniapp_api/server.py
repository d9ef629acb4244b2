"""Run the app inside an asyncio loop we own (demo and tests), with Sanic's full lifecycle."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

from sanic import Sanic
from sanic.config import Config

from miniapp_api.context import AppContext

App = Sanic[Config, AppContext]


@dataclass
class RunningServer:
    app: App
    server: Any
    url: str

    async def stop(self) -> None:
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()


async def start_server(app: App, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start ``app`` on ``host:port`` (0 = any free port) in the running loop."""
    # Sanic reads port 0 as "unset" (8000): bind the socket ourselves for a free port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    server: Any = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    if server is None:
        raise RuntimeError("Sanic did not create a server")
    await server.startup()
    await server.before_start()
    await server.after_start()
    sock = server.server.sockets[0].getsockname()
    return RunningServer(app=app, server=server, url=f"http://{sock[0]}:{sock[1]}")
