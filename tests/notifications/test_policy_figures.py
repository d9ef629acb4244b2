"""The benefits sweep's figures (免申即享) for the console: citizens told, day by day, what became
of the messages, and who then filed the policy's item (approved at once or not)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.cases.instant import ACTOR
from core.cases.models import Application, AuditEntry
from core.cases.numbers import format_number
from core.policies.importer import import_policies
from notifications.policy_figures import policy_figures
from notifications.policy_sweep import PolicySweep
from tests import builders as b
from tests.notifications.conftest import Rig
from tests.notifications.test_policy_sweep import NOW, OLD, POLICY, YOUNG, person

_serial = iter(range(1, 1000))


async def filed(citizen: str, at_offset: timedelta, instant: bool = False) -> None:
    at = NOW + at_offset
    case = await Application.create(
        number=format_number(at.date(), next(_serial)),
        citizen_id=citizen,
        item_code=POLICY["item_code"],
        item_version_id=1,
        department_code="MZ",
        status="approved" if instant else "submitted",
        delivery_method="pickup",
        promised_days=5,
        legal_days=20,
        created_at=at,
        updated_at=at,
    )
    actor = ACTOR if instant else f"citizen:{citizen}"
    await AuditEntry.create(
        application_id=case.id,
        seq=1,
        actor=actor,
        action="instant_approve" if instant else "submit",
        to_status=case.status,
        at=at,
        prev_hash="0" * 64,
        hash="1" * 64,
    )


async def check(rig: Rig) -> None:
    await b.add_item()
    assert (await import_policies([POLICY, POLICY | {"code": "other", "name": "另一项"}])).created
    told = [await person(rig, OLD, "仙女镇", True) for _ in range(3)]
    await person(rig, YOUNG, "仙女镇", True)
    report = await PolicySweep(rig.chooser, b.cipher(), _Clock()).run()
    assert report.messaged == 6  # three citizens, two policies
    rig.clock.advance(60)  # the messages were queued due at the wall clock's now
    assert await rig.dispatcher.run_until_idle() == 6
    await filed(told[0], timedelta(hours=2), instant=True)
    await filed(told[1], timedelta(hours=3))
    await filed(told[2], -timedelta(days=1))  # filed before being told: not the sweep's doing

    (first, other) = await policy_figures(NOW.date(), days=7)
    assert other["code"] == "other"
    assert (first["code"], first["name"], first["told"]) == ("gaoling", "高龄津贴", 3)
    assert first["messages"] == {"sent": 3}
    assert (first["filed"], first["instant"]) == (2, 1)
    assert first["last_told_at"] == f"{NOW:%Y-%m-%d %H:%M}"
    assert [d["told"] for d in first["by_day"]] == [0, 0, 0, 0, 0, 0, 3]
    assert first["by_day"][-1]["date"] == NOW.date().isoformat()


class _Clock:
    def now(self) -> datetime:
        return NOW


async def test_policy_figures(rig: Rig) -> None:
    await check(rig)


async def test_policy_figures_on_postgresql(pg_rig: Rig) -> None:
    await check(pg_rig)
