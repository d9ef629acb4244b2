"""Instant approval (秒批): an item's rules judged at filing, decided by ``system:instant``.

A case that meets every rule of a non-empty rule set is accepted and approved in the filing
transaction (due date set as usual); the audit entry records each rule and the value it was
judged on. A case that fails any rule stays ``submitted`` for a clerk, with an audit entry
naming the rules and values (``instant_check``, not on the citizen's timeline) and the
judgements on the case (``instant_rules``) for the clerk's page. A clerk may revoke an
instant approval within ``INSTANT_REVOKE_HOURS``: the case goes back under review.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from core.campaigns.towns import town_of
from core.cases import audit
from core.cases.context import CaseContext
from core.cases.finish import record_finish
from core.cases.milestones import record_milestone
from core.cases.models import Application, AuditEntry
from core.errors import NotInstantlyApproved, RevokeWindowPassed
from core.identity.models import ID_NUMBER_CONTEXT, Citizen
from core.rules.checking import rules_from_stored
from core.rules.judging import Facts, Judgement, age_on, judge

ACTOR = "system:instant"


def verified_id_number(ctx: CaseContext, citizen: Citizen) -> str | None:
    if not citizen.realname_verified or not citizen.id_number_enc:
        return None
    return ctx.cipher.decrypt(citizen.id_number_enc, context=ID_NUMBER_CONTEXT)


async def facts_for(ctx: CaseContext, citizen: Citizen, form: dict[str, Any]) -> Facts:
    """What the district knows of ``citizen`` (age only from a verified ID number)."""
    id_number = verified_id_number(ctx, citizen)

    async def holds(license_type: str) -> bool:
        return (
            id_number is not None and await ctx.licences.find(id_number, license_type) is not None
        )

    return Facts(
        age=age_on(id_number, ctx.today()),
        township=await town_of(str(citizen.id)),
        form=form,
        licence=holds,
    )


async def judge_case(
    ctx: CaseContext, citizen: Citizen, version: Any, form: dict[str, Any]
) -> list[Judgement] | None:
    """The item version's rules judged for this filing; None when it has no rules."""
    if not version.rules:
        return None
    return await judge(rules_from_stored(version.rules), await facts_for(ctx, citizen, form))


def _note(judgements: list[Judgement]) -> str:
    return json.dumps([j.as_dict() for j in judgements], ensure_ascii=False, default=str)


async def approve(ctx: CaseContext, case: Application, judgements: list[Judgement]) -> Application:
    """Accept and approve at once; inside the filing transaction."""
    today = ctx.today()
    due, provisional = ctx.calendar.due_date(today, case.promised_days, 0, 0)
    now = ctx.clock.now()
    case.accepted_on, case.due_date = today, due
    await record_finish(case, "approved", now, ctx.calendar)  # finished (办结) at once
    await Application.filter(id=case.id).update(
        status="approved",
        accepted_on=today,
        due_date=due,
        due_provisional=provisional,
        version=case.version + 1,
        updated_at=now,
    )
    await audit.append(
        case.id, ACTOR, "instant_approve", "submitted", "approved", _note(judgements), now
    )
    case = await Application.get(id=case.id)
    await record_milestone(ctx, case, "application.approved", "approved")
    return case


async def record_failure(ctx: CaseContext, case: Application, judgements: list[Judgement]) -> None:
    """The rules judged, on the trail, for the clerk who takes the case as usual."""
    await audit.append(
        case.id,
        ACTOR,
        "instant_check",
        "submitted",
        "submitted",
        _note(judgements),
        ctx.clock.now(),
    )


async def check_revocable(ctx: CaseContext, case: Application, window_hours: float) -> None:
    """Conflict unless ``case`` was approved by ``system:instant`` (nothing since) within the
    window."""
    last = await AuditEntry.filter(application_id=case.id).order_by("-seq").first()
    if last is None or last.action != "instant_approve" or case.status != "approved":
        raise NotInstantlyApproved()
    if ctx.clock.now() - last.at > timedelta(hours=window_hours):
        raise RevokeWindowPassed(details={"window_hours": window_hours})
