"""The citizen's case detail in one query: the most frequent read of the whole service.

A citizen polls their case; on release days thousands do. The session row, the case and its
audit trail come back in one joined raw query (one database round trip, no ORM model building),
so this read costs little more than the query itself. Only when nothing matches is a second
query run, to tell a dead session (401) from a case that is not the caller's (404).
"""

from __future__ import annotations

from typing import Any

from core.auth.sessions import SessionService
from core.cases.context import CaseContext
from core.cases.numbers import is_valid_number
from core.cases.queries import not_found
from core.cases.views import citizen_view
from core.db import fetch
from core.errors import NotAuthenticated
from core.shipping.views import citizen_shipment

# only these states have a shipment: other cases keep their single query
_MAILED = frozenset({"result_mailed", "delivered"})

_DETAIL = """
SELECT s.kind, s.expires_at, s.revoked_at,
       a.id AS application_id, a.number, a.item_code, a.status, a.due_date,
       a.due_provisional, a.created_at,
       a.delivery_method, a.delivery_address_enc, a.materials,
       e.action, e.to_status, e.note, e.at
FROM session s
JOIN application a ON a.number = ?
 AND (CAST(a.citizen_id AS VARCHAR(36)) = s.subject_id
      OR CAST(a.agent_id AS VARCHAR(36)) = s.subject_id)
LEFT JOIN audit_entry e ON e.application_id = a.id
WHERE s.id = ?
ORDER BY e.seq
"""


async def citizen_detail(
    ctx: CaseContext, sessions: SessionService, token: str, number: str
) -> dict[str, Any]:
    """The case as its owner (or the agent who filed it) sees it; 404 for anyone else."""
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
    entries = [(r["action"], r["to_status"], r["note"], r["at"]) for r in rows if r["action"]]
    shipment = None
    if first["status"] in _MAILED:
        shipment = await citizen_shipment(first["application_id"])
    return citizen_view(ctx, first, entries, shipment=shipment)
