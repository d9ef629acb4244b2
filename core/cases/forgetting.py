"""What account closure asks of cases (``core.privacy.registry.Forget``).

Case files stay (the administration must keep them), so only what is the citizen's and not
part of a decision goes: the delivery address of every CLOSED case (``machine.CLOSED``; an
open case keeps it, encrypted, so the result still reaches the applicant), and every agent
authorisation the citizen gave or held is revoked.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from core.cases.machine import CLOSED
from core.cases.models import AgentAuthorization, Application


async def forget(citizen_id: str, now: datetime) -> None:
    await AgentAuthorization.filter(
        Q(citizen_id=citizen_id) | Q(agent_id=citizen_id), revoked_at=None
    ).update(revoked_at=now)
    await Application.filter(citizen_id=citizen_id, status__in=list(CLOSED)).update(
        delivery_address_enc=None, delivery_address_masked=None
    )
