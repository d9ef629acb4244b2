"""The mini-program simulator at ``/demo/``: only `citysvc demo` mounts it (never `serve`).

Two phone frames, WeChat and Alipay, each play a citizen's journey against this API and the
sandboxes: log in, the consent taps, real-name verification, search, filing with an upload,
the case's live timeline and the pushes the phone receives (read from the sandbox). The page
is plain HTML, CSS and JavaScript shipped in this package (``simulator_static/``), no CDN.

The API's answers carry ``default-src 'none'`` (they are data, never a page); this page sets
its own policy first: its own script, styles and pictures (``data:`` for the camera's photo),
and calls to this server and to the two sandboxes at the host name the browser used.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from sanic import Blueprint, Request, exceptions
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

_TYPES = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}


def _asset(name: str) -> bytes:
    return resources.files("citysvc").joinpath(f"simulator_static/{name}").read_bytes()


def page_policy(host: str, ports: list[int]) -> str:
    """The page's Content-Security-Policy: nothing from elsewhere but the sandboxes' calls."""
    sandboxes = " ".join(f"http://{host}:{port}" for port in ports)
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {sandboxes}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def blueprint(config: dict[str, Any]) -> Blueprint:
    bp = Blueprint("simulator", url_prefix="/demo")
    assets = {name: _asset(name) for name in _TYPES}
    ports = [int(config[platform]["port"]) for platform in ("wechat", "alipay")]

    @bp.get("/")
    @openapi.exclude()
    async def page(request: Request) -> HTTPResponse:
        host = request.host.rsplit(":", 1)[0] if request.host else "127.0.0.1"
        return raw(
            assets["index.html"],
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": page_policy(host, ports)},
        )

    @bp.get("/config.json")
    @openapi.exclude()
    async def settings(request: Request) -> HTTPResponse:
        return json(config)

    @bp.get("/<name:str>")
    @openapi.exclude()
    async def asset(request: Request, name: str) -> HTTPResponse:
        if name not in assets:
            raise exceptions.NotFound()  # answered in the contract's shape by the app
        return raw(assets[name], content_type=_TYPES[name] + "; charset=utf-8")

    return bp
