"""The benefits sweep (免申即享): newly eligible citizens with consent hear once, ever."""

from __future__ import annotations

import asyncio
from datetime import datetime

from core.campaigns.towns import set_town
from core.clock import CST, FrozenClock
from core.identity.idnumber import check_character
from core.identity.models import Citizen
from core.outbox.models import Consent, OutboxMessage
from core.policies.importer import import_policies
from core.policies.models import PolicyNotice
from notifications.policy_sweep import PolicySweep
from tests import builders as b
from tests.notifications.conftest import Rig

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CST)
OLD = "19400101"  # born 1940: 86 on NOW
YOUNG = "19900101"  # 36
_serial = iter(range(100, 1000))


def id_number(born: str) -> str:
    first17 = f"110105{born}{next(_serial):03d}"
    return first17 + check_character(first17)


POLICY = {
    "code": "gaoling",
    "name": "高龄津贴",
    "item_code": "320112-000-XK-00001",
    "rules": [
        {"subject": "age", "op": "ge", "value": 80},
        {"subject": "township", "op": "in", "value": ["仙女镇", "邵伯镇"]},
    ],
}


async def person(rig: Rig, born: str | None, town: str | None, consent: bool) -> str:
    citizen = await rig.citizen()
    if born:
        await b.verify_directly(citizen, id_number=id_number(born))
    if town:
        await set_town(citizen, town, [], NOW)
    if consent:
        await rig.grant(citizen, "policy.eligible", taps=2)
    return citizen


async def told() -> list[tuple[str, str]]:
    rows = await OutboxMessage.filter(event="policy.eligible").values_list("citizen_id", "key")
    return sorted((str(c), str(k)) for c, k in rows)


async def run_sweep(rig: Rig, batch: int = 2) -> None:
    await b.add_item()
    report = await import_policies([POLICY])
    assert report.created == 1, report.errors
    clock = FrozenClock(NOW)
    eligible = [await person(rig, OLD, "仙女镇", True) for _ in range(3)]
    no_consent = await person(rig, OLD, "仙女镇", False)
    young = await person(rig, YOUNG, "仙女镇", True)
    elsewhere = await person(rig, OLD, "别的镇", True)
    unverified = await person(rig, None, "仙女镇", True)
    sweep = PolicySweep(rig.chooser, b.cipher(), clock, batch=batch)

    first = await sweep.run()
    assert first.eligible == first.messaged == 3
    assert sorted(c for c, _ in await told()) == sorted(eligible)
    assert all(k == f"policy:gaoling:{c}" for c, k in await told())
    assert await PolicyNotice.filter(policy_code="gaoling").count() == 3

    # a second run tells nobody again, though every consent still has a credit left: only
    # the consenting, verified citizens never told in an allowed town are judged (young)
    again = await sweep.run()
    assert again.messaged == 0 and again.examined == 1
    assert len(await told()) == 3

    # the citizen who had no consent gives it, a young one moves: only the newly eligible hear
    await rig.grant(no_consent, "policy.eligible")
    await set_town(elsewhere, "邵伯镇", [], NOW)
    third = await sweep.run()
    assert third.messaged == 2
    told_now = sorted(c for c, _ in await told())
    assert told_now == sorted([*eligible, no_consent, elsewhere])
    assert young not in told_now and unverified not in told_now
    message = await OutboxMessage.get(citizen_id=no_consent, event="policy.eligible")
    assert message.context["policy_name"] == "高龄津贴"
    assert message.status == "queued"


async def test_the_sweep_tells_each_newly_eligible_citizen_once(rig: Rig) -> None:
    await run_sweep(rig)


async def test_the_sweep_on_postgresql(pg_rig: Rig) -> None:
    await run_sweep(pg_rig, batch=3)


async def test_a_closed_account_is_not_told(rig: Rig) -> None:
    await b.add_item()
    await import_policies([POLICY])
    citizen = await person(rig, OLD, "仙女镇", True)
    await Citizen.filter(id=citizen).update(closed_at=NOW)
    report = await PolicySweep(rig.chooser, b.cipher(), FrozenClock(NOW)).run()
    assert report.messaged == 0 and await told() == []


async def tell_once_from_both(rig: Rig) -> None:
    """The daily sweep and a data change judge the same citizen at the same moment: one
    message, and one consent credit reserved for it (the loser rolls back its own)."""
    await b.add_item()
    await import_policies([POLICY])
    citizen = await person(rig, OLD, "仙女镇", True)  # two credits
    sweep = PolicySweep(rig.chooser, b.cipher(), FrozenClock(NOW))
    other = PolicySweep(rig.chooser, b.cipher(), FrozenClock(NOW))
    reports = await asyncio.gather(sweep.run(), other.citizen(citizen), sweep.citizen(citizen))
    assert sum(r.messaged for r in reports) == 1
    assert await told() == [(citizen, f"policy:gaoling:{citizen}")]
    consent = await Consent.get(citizen_id=citizen)
    assert (consent.credits, consent.reserved) == (2, 1)
    assert (await other.citizen(citizen)).messaged == 0  # and never again


async def test_the_sweep_and_a_data_change_tell_once(rig: Rig) -> None:
    await tell_once_from_both(rig)


async def test_the_sweep_and_a_data_change_tell_once_on_postgresql(pg_rig: Rig) -> None:
    await tell_once_from_both(pg_rig)
