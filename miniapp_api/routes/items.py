"""The public service catalogue: search and item details (no login needed)."""

from __future__ import annotations

from urllib.parse import unquote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.catalogue.service import get_item, search_items
from miniapp_api import schemas as s
from miniapp_api.body import paging
from miniapp_api.docs import documented

bp = Blueprint("items", url_prefix="/api/v1/items")


@bp.get("")
@openapi.summary("Search the service catalogue (20 items a page, best match first)")
@openapi.description("An empty `q` lists every item by code. `total` counts all matches.")
@openapi.parameter("q", str, "query", description="Chinese search text, at most 50 characters")
@openapi.parameter("audience", str, "query", description="`personal` or `legal_person`")
@openapi.parameter("page", int, "query", description="1-based page number")
@openapi.parameter("per_page", int, "query", description="items a page: default 20, at most 100")
@documented("public", answers={200: s.ItemPage})
async def list_items(request: Request) -> HTTPResponse:
    q = request.args.get("q") or ""
    audience = request.args.get("audience") or None
    return json(await search_items(q, audience, paging(request)))


@bp.get("/<code:str>")
@openapi.summary("One service item: materials, process, time limits, fee and delivery")
@openapi.description("404 `item_not_found` for an unknown code.")
@documented("public", answers={200: s.Item}, errors={404: ("item_not_found",)})
async def item(request: Request, code: str) -> HTTPResponse:
    # Sanic hands over the raw, still %-escaped path segment (its `unquote=True` skips the
    # `str` type); codes are opaque and may hold any character but '/', so decode once here
    return json(await get_item(unquote(code)))
