"""Mounting the console on the server's app: every page module's blueprint, the shipped
assets, and the console's own error pages. Pages stay out of the OpenAPI document."""

from __future__ import annotations

from importlib import resources

from sanic import Blueprint, Request, Sanic
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, raw
from sanic_ext.extensions.openapi import openapi

from console.pages import (
    admin,
    campaign,
    campaigns,
    cases,
    figures,
    policies,
    queues,
    signin,
    supervision,
)

ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
# every page module's blueprint; a new module adds its own here
PAGES: list[Blueprint] = [signin.bp, cases.bp, supervision.bp, admin.bp]
# the publicity team's, the figures dashboard, the clerks' feedback queues, policy figures
PAGES += [campaigns.bp, campaign.bp, figures.bp, queues.bp, policies.bp]


def _assets() -> dict[str, bytes]:
    folder = resources.files("console").joinpath("static")
    return {
        item.name: item.read_bytes()
        for item in folder.iterdir()
        if any(item.name.endswith(ext) for ext in ASSET_TYPES)
    }


def _asset_blueprint() -> Blueprint:
    bp = Blueprint("console_assets", url_prefix="/console")
    assets = _assets()

    @bp.get("/static/<name:str>")
    async def asset(request: Request, name: str) -> HTTPResponse:
        body = assets.get(name)
        if body is None:
            raise NotFound("no such asset")
        kind = ASSET_TYPES[name[name.rindex(".") :]]
        return raw(body, content_type=kind, headers={"Cache-Control": "public, max-age=3600"})

    return bp


def mount(app: Sanic) -> None:  # type: ignore[type-arg]
    """Add the console to ``app`` (``miniapp_api.app.create_app`` calls this; its error
    handler hands every error under ``/console`` to ``console.errors.handle``)."""
    for bp in [*PAGES, _asset_blueprint()]:
        app.blueprint(bp)
        # HTML for people, not API operations: out of the OpenAPI document like /demo/, /docs
        openapi.exclude(bp=bp)
