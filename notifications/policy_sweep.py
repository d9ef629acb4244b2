"""Benefits without applying (免申即享): the sweep that tells citizens they newly qualify.

For each policy, citizens are read in keyset batches of ``batch`` rows straight from SQL,
already narrowed by the database to those who hold a consent for the ``policy.eligible``
template, were never told of this policy, are verified when a rule needs the ID number and
live in a town the township rules allow; the rules are then judged here (the age needs the
encrypted ID number decrypted), one batch at a time, so memory stays
bounded by the batch whatever the population. Each citizen who qualifies gets one message
and a ``policy_notice`` row in one transaction: once per policy, ever (the notice's unique
key and the message's key both say so).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.identity.models import ID_NUMBER_CONTEXT
from core.pii import PiiCipher
from core.policies.models import Policy, PolicyNotice
from core.ports import Clock, LicenceRegistry, NoLicences
from core.rules.checking import Rule, rules_from_stored
from core.rules.judging import Facts, age_on, all_met, judge
from integrations import keys
from notifications.channels import NONE, ChannelChooser, Choice
from notifications.outbox import current_item_name, enqueue
from notifications.sql import numbered
from notifications.templates import PLATFORMS, policy_context
from notifications.worker_context import WorkerContext

log = logging.getLogger("citysvc.notifications.policy_sweep")

EVENT = "policy.eligible"
BATCH = 2000
_CANDIDATES = (
    "SELECT c.id, c.id_number_enc, t.town FROM citizen c "
    "LEFT JOIN citizen_town t ON t.citizen_id = c.id "
    "WHERE c.closed_at IS NULL AND c.id {who} ? {verified}{towns}"
    "AND EXISTS (SELECT 1 FROM notify_consent n WHERE n.citizen_id = c.id "
    "AND n.template_id IN ({templates}) AND (n.long_term OR n.credits > n.reserved)) "
    "AND NOT EXISTS (SELECT 1 FROM policy_notice p WHERE p.citizen_id = c.id "
    "AND p.policy_code = ?) ORDER BY c.id LIMIT ?"
)
_FIRST = uuid.UUID(int=0)


@dataclass
class SweepReport:
    examined: int = 0  # candidates judged (consenting, not yet told)
    eligible: int = 0
    messaged: int = 0


@dataclass
class PolicySweep:
    chooser: ChannelChooser
    cipher: PiiCipher
    clock: Clock
    licences: LicenceRegistry = NoLicences()  # noqa: RUF009 (stateless)
    batch: int = BATCH
    now: Callable[[], float] = time.time

    def _template_ids(self) -> list[str]:
        found = (self.chooser.registry.template(EVENT, p) for p in PLATFORMS)
        return sorted({t.template_id for t in found if t is not None})

    async def run(self) -> SweepReport:
        report = SweepReport()
        templates = self._template_ids()
        if not templates:
            return report  # the operators chose not to send this message
        for policy in await Policy.all().order_by("code"):
            await self._policy(policy, templates, report)
        return report

    async def recheck(self, citizen_id: str) -> None:
        """``citizen`` after a change of the citizen's data committed (verified, declared a
        town, had a case approved, which may grant a licence a rule asks for). The change
        stands whatever happens here: a failure is logged and the daily sweep catches up."""
        try:
            report = await self.citizen(citizen_id)
        except Exception:
            log.exception("policy check after a data change failed; the daily sweep will retry")
            return
        if report.messaged:
            log.info("told a citizen of %d newly met policies", report.messaged)

    async def citizen(self, citizen_id: str) -> SweepReport:
        """The same judgement for one citizen whose data just changed (verified, moved
        town, was granted a licence): told at once rather than at the next daily sweep,
        and still once per policy, ever, whichever of the two comes first."""
        report = SweepReport()
        templates = self._template_ids()
        if not templates:
            return report
        for policy in await Policy.all().order_by("code"):
            rules = rules_from_stored(policy.rules)
            rows = await _candidates(
                policy.code, templates, rules, uuid.UUID(citizen_id), 1, only=True
            )
            await self._judge(policy, rules, rows, report)
        return report

    async def _policy(self, policy: Policy, templates: list[str], report: SweepReport) -> None:
        rules = rules_from_stored(policy.rules)
        after = _FIRST
        while True:
            rows = await _candidates(policy.code, templates, rules, after, self.batch)
            if not rows:
                return
            after = uuid.UUID(str(rows[-1][0]))
            await self._judge(policy, rules, rows, report)

    async def _judge(
        self,
        policy: Policy,
        rules: tuple[Rule, ...],
        rows: list[tuple[Any, ...]],
        report: SweepReport,
    ) -> None:
        item_name: str | None = None
        for citizen_id, encrypted, town in rows:
            report.examined += 1
            if await self._qualifies(rules, encrypted, town):
                report.eligible += 1
                item_name = item_name or await current_item_name(policy.item_code)
                report.messaged += await self._tell(policy, item_name, str(citizen_id))

    async def _qualifies(self, rules: tuple[Rule, ...], encrypted: str | None, town: Any) -> bool:
        id_number = self.cipher.decrypt(encrypted, context=ID_NUMBER_CONTEXT) if encrypted else None

        async def holds(license_type: str) -> bool:
            found = id_number and await self.licences.find(id_number, license_type)
            return bool(found)

        facts = Facts(age=age_on(id_number, self.clock.now().date()), township=town, licence=holds)
        return all_met(await judge(rules, facts))

    async def _tell(self, policy: Policy, item_name: str, citizen_id: str) -> int:
        """1 when the message was queued; 0 when the consent was spent meanwhile or the
        citizen was told already (the sweep and a data change judged them at once: the
        notice's unique key fails the later, which rolls back, consent credit and all)."""
        at = self.clock.now()
        try:
            async with in_transaction():
                choice = await self.chooser.choose(citizen_id, EVENT)
                if choice.channel == NONE:
                    return 0
                await PolicyNotice.create(
                    policy_code=policy.code, citizen_id=citizen_id, created_at=at
                )
                await self._enqueue(policy, item_name, citizen_id, choice, at)
        except IntegrityError:
            return 0
        return 1

    async def _enqueue(
        self, policy: Policy, item_name: str, citizen_id: str, choice: Choice, at: datetime
    ) -> None:
        await enqueue(
            f"policy:{policy.code}:{citizen_id}",
            choice,
            policy_context(policy.code, policy.name, item_name, at),
            citizen_id=citizen_id,
            event=EVENT,
            created_at=at,
            due=self.now(),
        )


def _town_filter(rules: tuple[Rule, ...]) -> tuple[str, list[Any]]:
    """The township rules as SQL (a town never declared meets none of them)."""
    parts, params = [], []
    for rule in rules:
        if rule.subject != "township":
            continue
        if rule.op == "in":
            parts.append(f"AND t.town IN ({', '.join('?' for _ in rule.value)}) ")
            params += list(rule.value)
        else:
            parts.append("AND t.town = ? " if rule.op == "eq" else "AND t.town <> ? ")
            params.append(rule.value)
    return "".join(parts), params


async def _candidates(
    code: str,
    templates: list[str],
    rules: tuple[Rule, ...],
    after: uuid.UUID,
    limit: int,
    only: bool = False,
) -> list[tuple[Any, ...]]:
    """The next batch after ``after``; with ``only``, that one citizen (if a candidate)."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    verified = any(r.subject in ("age", "licence") for r in rules)
    towns, town_params = _town_filter(rules)
    sql = _CANDIDATES.format(
        who="=" if only else ">",
        verified="AND c.realname_verified " if verified else "",
        towns=towns,
        templates=", ".join("?" for _ in templates),
    )
    first = after if postgres else str(after)
    params: list[Any] = [first, *town_params, *templates, code, limit]
    rows = await conn.execute_query_dict(numbered(sql) if postgres else sql, params)
    return [(r["id"], r["id_number_enc"], r["town"]) for r in rows]


EVERY = 86400.0  # daily; a worker's restart runs one at once (harmless: once per policy)
LOCK = keys.LOCK + "policy-sweep"
LOCK_TTL = 3600.0


async def policy_job(ctx: WorkerContext) -> None:
    """The worker job: one sweep a day, by one worker at a time, with the root's licences."""
    token = await ctx.state.acquire(LOCK, ttl=LOCK_TTL)
    if token is None:
        return
    try:
        sweep = PolicySweep(ctx.chooser, ctx.cipher, ctx.clock, ctx.licences)
        report = await sweep.run()
        log.info(
            "policy sweep: %d judged, %d eligible, %d told",
            report.examined,
            report.eligible,
            report.messaged,
        )
    finally:
        await ctx.state.release(LOCK, token)
