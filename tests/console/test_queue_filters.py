"""The queue's filters in core (``staff_cases`` with a ``CaseFilter``), on SQLite and on
PostgreSQL: by item, by case number prefix, by filing day (China dates), always in scope."""

from __future__ import annotations

from datetime import timedelta

from core.cases.queries import CaseFilter, staff_cases
from core.clock import CST
from core.staff.models import StaffMember
from core.staff.service import add_staff
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

OTHER_ITEM = "320112-000-XK-00002"


async def _check_filters(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    await b.add_item(code=OTHER_ITEM)
    citizen = await b.citizen_token(api, wechat)
    first = await b.file_case(api, citizen)
    second = await b.file_case(api, citizen, code=OTHER_ITEM)
    await add_staff("clerk1", b.PASSWORD, "clerk", "GA")
    await add_staff("clerk2", b.PASSWORD, "clerk", "MZ")
    clerk = await StaffMember.get(username="clerk1")
    today = api.clock.now().astimezone(CST).date()

    async def numbers(wanted: CaseFilter, member: StaffMember = clerk) -> list[str]:
        cases, total = await staff_cases(member, None, False, today, wanted=wanted)
        assert total == len(cases)
        return [c.number for c in cases]

    assert await numbers(CaseFilter()) == [second, first]
    assert await numbers(CaseFilter(item_code=OTHER_ITEM)) == [second]
    assert await numbers(CaseFilter(number=first)) == [first]
    assert await numbers(CaseFilter(number=first[:9])) == [second, first]  # the day's prefix
    assert await numbers(CaseFilter(filed_from=today, filed_to=today)) == [second, first]
    assert await numbers(CaseFilter(filed_to=today - timedelta(days=1))) == []
    assert await numbers(CaseFilter(filed_from=today + timedelta(days=1))) == []
    stranger = await StaffMember.get(username="clerk2")
    assert await numbers(CaseFilter(number=first), stranger) == []


async def test_queue_filters_on_sqlite(api: Api, wechat: WeChatSandbox) -> None:
    await _check_filters(api, wechat)


async def test_queue_filters_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    await _check_filters(pg_api, wechat)
