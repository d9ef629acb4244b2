"""Agent service (代办): a citizen authorises an agent for one item; the agent files for them."""

from __future__ import annotations

from typing import Any

from core.cases.models import AgentAuthorization
from core.catalogue.models import ServiceItem
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.citizen_ids import parse_citizen_id
from core.identity.models import Citizen
from core.ports import Clock


def view(auth: AgentAuthorization) -> dict[str, Any]:
    return {
        "id": auth.id,
        "citizen_id": str(auth.citizen_id),
        "agent_id": str(auth.agent_id),
        "item_code": auth.item_code,
        "created_at": auth.created_at.isoformat(),
    }


async def authorise(citizen: Citizen, body: dict[str, Any], clock: Clock) -> AgentAuthorization:
    """Let the agent named in ``body`` file ``item_code`` for ``citizen``."""
    agent_id = parse_citizen_id(body.get("agent_id"), "agent_id")
    item_code = body.get("item_code")
    if agent_id == str(citizen.id):
        raise InvalidInput("You cannot authorise yourself.", code="invalid_agent")
    agent = await Citizen.get_or_none(id=agent_id, closed_at=None)
    if agent is None or not agent.realname_verified:
        raise InvalidInput(
            "The agent must be a real-name verified user.", code="agent_not_verified"
        )
    if not isinstance(item_code, str) or not await ServiceItem.exists(code=item_code):
        raise InvalidInput("No service item has this code.", code="unknown_item")
    existing = await AgentAuthorization.get_or_none(
        citizen_id=citizen.id, agent_id=agent_id, item_code=item_code, revoked_at=None
    )
    if existing is not None:
        return existing
    return await AgentAuthorization.create(
        citizen_id=citizen.id, agent_id=agent_id, item_code=item_code, created_at=clock.now()
    )


async def revoke(citizen_id: str, authorisation_id: int, clock: Clock) -> None:
    updated = await AgentAuthorization.filter(
        id=authorisation_id, citizen_id=citizen_id, revoked_at=None
    ).update(revoked_at=clock.now())
    if not updated:
        raise NotFound("No such authorisation.", code="authorisation_not_found")


async def listing(citizen_id: str) -> dict[str, list[dict[str, Any]]]:
    given = await AgentAuthorization.filter(citizen_id=citizen_id, revoked_at=None)
    held = await AgentAuthorization.filter(agent_id=citizen_id, revoked_at=None)
    return {"given": [view(a) for a in given], "held": [view(a) for a in held]}


async def principal_for(agent: Citizen, on_behalf_of: object, item_code: object) -> Citizen:
    """The citizen an agent files for; Forbidden without a live authorisation for the item."""
    citizen_id = parse_citizen_id(on_behalf_of, "on_behalf_of")
    allowed = await AgentAuthorization.exists(
        citizen_id=citizen_id, agent_id=agent.id, item_code=item_code, revoked_at=None
    )
    citizen = await Citizen.get_or_none(id=citizen_id, closed_at=None) if allowed else None
    if citizen is None:
        raise Forbidden(
            "You are not authorised to file this item for this citizen.",
            code="not_authorised_agent",
        )
    return citizen
