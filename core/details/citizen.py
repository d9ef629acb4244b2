"""The citizen's case detail in two reads: the most frequent request of the whole service.

A citizen polls their case; on release days thousands do. The session row and the case,
with the citizen's timeline stored beside it, come back in one joined raw query (no ORM
model building), so this read costs little more than the query itself. A case filed before
the stored timeline reads its audit trail instead. Only when nothing matches is a further
query run, to tell a dead session (401) from a case that is not the caller's (404).
"""

from __future__ import annotations

from typing import Any

import orjson

from core.auth.sessions import SessionService
from core.cases.context import CaseContext
from core.cases.numbers import is_valid_number
from core.cases.queries import not_found
from core.cases.views import citizen_view, render_timeline
from core.db import fetch, fetch_tuples
from core.errors import NotAuthenticated
from core.shipping.views import citizen_shipment

# only these states have a shipment: other cases keep their single query
_MAILED = frozenset({"result_mailed", "delivered"})

_DETAIL = """
SELECT s.kind, s.expires_at, s.revoked_at,
       a.id AS application_id, a.number, a.item_code, a.status, a.due_date,
       a.due_provisional, a.created_at,
       a.delivery_method, a.delivery_address_enc, a.delivery_address_masked,
       a.materials, a.citizen_timeline
FROM session s
JOIN application a ON a.number = ?
 AND (CAST(a.citizen_id AS VARCHAR(36)) = s.subject_id
      OR (CAST(a.agent_id AS VARCHAR(36)) = s.subject_id
          AND EXISTS (SELECT 1 FROM agent_authorization g
                      WHERE g.citizen_id = a.citizen_id AND g.agent_id = a.agent_id
                        AND g.item_code = a.item_code AND g.revoked_at IS NULL)))
WHERE s.id = ?
"""
_TRAIL = "SELECT action, to_status, note, at FROM audit_entry WHERE application_id = ? ORDER BY seq"


async def citizen_detail(
    ctx: CaseContext, sessions: SessionService, token: str, number: str
) -> dict[str, Any]:
    """The case as its owner sees it, or the agent who filed it while the authorisation for
    the item stands (``queries.citizen_case``'s rule); 404 for anyone else."""
    claims = sessions.claims(token)
    if not is_valid_number(number):
        await sessions.check(token)
        raise not_found(number)
    rows = await fetch(_DETAIL, [number, claims["sid"]])
    if not rows:
        await sessions.check(token)  # 401 if the session is dead, else the case is not theirs
        raise not_found(number)
    first = rows[0]
    sessions.ensure_live(first)
    if first["kind"] != "citizen":
        raise NotAuthenticated("This token cannot be used here.", code="wrong_token_kind")
    timeline = first["citizen_timeline"]
    if isinstance(timeline, str):  # stored JSON goes out as it is
        timeline = orjson.Fragment(timeline)
    elif timeline is None:  # filed before migration 0004
        timeline = render_timeline(await fetch_tuples(_TRAIL, [first["application_id"]]))
    shipment = None
    if first["status"] in _MAILED:
        shipment = await citizen_shipment(first["application_id"])
    return citizen_view(ctx, first, timeline, shipment=shipment)
