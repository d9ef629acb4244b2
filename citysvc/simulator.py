"""The mini-program simulator at ``/demo/``: only `citysvc demo` mounts it (never `serve`).

Two phone frames, WeChat and Alipay, each play a citizen's journey against this API and the
sandboxes: log in, the consent taps, real-name verification, search, filing with an upload,
the case's live timeline and the pushes the phone receives (read from the sandbox). The page
is plain HTML, CSS and JavaScript shipped in this package (``simulator_static/``), no CDN.
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


def blueprint(config: dict[str, Any]) -> Blueprint:
    bp = Blueprint("simulator", url_prefix="/demo")
    assets = {name: _asset(name) for name in _TYPES}

    @bp.get("/")
    @openapi.exclude()
    async def page(request: Request) -> HTTPResponse:
        return raw(assets["index.html"], content_type="text/html; charset=utf-8")

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
