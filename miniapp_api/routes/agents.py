"""Agent authorisations (代办授权): given by a citizen, held by an agent."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json
from sanic_ext import openapi

from core.cases import agents
from miniapp_api import schemas as s
from miniapp_api.body import parsed
from miniapp_api.context import current_citizen, services
from miniapp_api.docs import documented

bp = Blueprint("agents", url_prefix="/api/v1/agent-authorizations")


@bp.post("")
@openapi.summary("Authorise an agent (by citizen id) to file one item for you")
@openapi.body({"application/json": {"agent_id": str, "item_code": str}})
@documented(
    "citizen",
    body=s.AgentGrant,
    answers={201: s.Authorisation},
    errors={422: ("invalid_agent", "agent_not_verified", "unknown_item", "invalid_citizen_id")},
)
async def create(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    _, body = parsed(
        request,
        s.AgentGrant,
        codes={("agent_id",): "invalid_citizen_id", ("item_code",): ("unknown_item",)},
    )
    auth = await agents.authorise(citizen, body, services(request).clock)
    return json(agents.view(auth), status=201)


@bp.get("")
@openapi.summary("Authorisations you gave and those you hold as an agent")
@documented("citizen", answers={200: s.Authorisations})
async def index(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    return json(await agents.listing(str(citizen.id)))


@bp.delete("/<auth_id:id>")
@openapi.summary("Withdraw an authorisation you gave")
@documented("citizen", answers={204: None}, errors={404: ("authorisation_not_found",)})
async def delete(request: Request, auth_id: int) -> HTTPResponse:
    citizen = await current_citizen(request)
    await agents.revoke(str(citizen.id), auth_id, services(request).clock)
    return empty()
