"""What a staff member sees of one case, assembled once for the staff API and the console."""

from __future__ import annotations

from typing import Any

from core.cases.context import CaseContext
from core.cases.models import Application, AuditEntry
from core.cases.queries import staff_case
from core.cases.views import staff_view
from core.identity.models import Citizen
from core.shipping.views import staff_shipment
from core.staff.models import StaffMember
from notifications.outbox import messages_for

MAILED = ("result_mailed", "delivered")


async def staff_case_detail(ctx: CaseContext, number: str, member: StaffMember) -> dict[str, Any]:
    """The case of ``number`` in the member's scope (404 otherwise) as ``staff_view`` shows it:
    masked applicant, materials, audit trail, shipment and the messages sent about it."""
    case = await staff_case(number, member)
    return await detail_of(ctx, case)


async def detail_of(ctx: CaseContext, case: Application) -> dict[str, Any]:
    entries = await AuditEntry.filter(application_id=case.id).order_by("seq")
    citizen = await Citizen.get_or_none(id=case.citizen_id)
    shipment = await staff_shipment(case.id) if case.status in MAILED else None
    messages = await messages_for(case.id)
    return staff_view(ctx, case, entries, citizen, shipment, messages)
