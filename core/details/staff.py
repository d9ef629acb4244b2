"""A case as staff see it: the case, its trail, the applicant, its parcel and its messages."""

from __future__ import annotations

from typing import Any

from core.cases.context import CaseContext
from core.cases.models import Application, AuditEntry
from core.cases.queries import staff_case
from core.cases.views import staff_view
from core.identity.models import Citizen
from core.outbox.views import messages_for
from core.shipping.views import staff_shipment
from core.staff.models import StaffMember

# only these states have a shipment
_MAILED = frozenset({"result_mailed", "delivered"})


async def staff_detail(ctx: CaseContext, number: str, member: StaffMember) -> dict[str, Any]:
    """The case ``number`` if ``member`` may see it (``queries.staff_case``), else 404."""
    return await detail_of(ctx, await staff_case(number, member))


async def detail_of(ctx: CaseContext, case: Application) -> dict[str, Any]:
    """A case already read in the member's scope (the console reads it once for its page)."""
    entries = await AuditEntry.filter(application_id=case.id).order_by("seq")
    citizen = await Citizen.get_or_none(id=case.citizen_id)
    shipment = await staff_shipment(case.id) if case.status in _MAILED else None
    messages = await messages_for(case.id)
    return staff_view(ctx, case, entries, citizen, shipment, messages)
