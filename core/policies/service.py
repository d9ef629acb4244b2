"""Which policies a citizen qualifies for now (``GET /api/v1/me/eligible``)."""

from __future__ import annotations

from typing import Any

from core.cases.context import CaseContext
from core.cases.instant import facts_for
from core.identity.models import Citizen
from core.policies.models import Policy
from core.rules.checking import rules_from_stored
from core.rules.judging import all_met, judge


async def eligible(ctx: CaseContext, citizen: Citizen) -> list[dict[str, Any]]:
    """Each policy whose every rule holds for ``citizen``, with the form it pre-fills."""
    facts = await facts_for(ctx, citizen, {})
    found: list[dict[str, Any]] = []
    for policy in await Policy.all().order_by("code"):
        if all_met(await judge(rules_from_stored(policy.rules), facts)):
            found.append(
                {
                    "code": policy.code,
                    "name": policy.name,
                    "item_code": policy.item_code,
                    "form": policy.form,
                }
            )
    return found
