"""Linking Official Account users to citizens by unionid (when WeChat gives one)."""

from __future__ import annotations

from datetime import datetime

from bot.accounts import Accounts
from core.clock import CST, FrozenClock
from core.followers.models import OaLink
from core.identity.models import Citizen, PlatformAccount
from integrations.errors import Retryable
from integrations.state import MemoryState
from tests.builders import cipher

APP = "wxoa000000000001"


class UnionIds:
    """Stands in for WeChat's user-info API, which the WeChat sandbox does not serve."""

    def __init__(self, known: dict[str, str], fail: bool = False) -> None:
        self.known, self.fail, self.asked = known, fail, 0

    async def union_id(self, open_id: str) -> str | None:
        self.asked += 1
        if self.fail:
            raise Retryable("busy", platform="wechat")
        return self.known.get(open_id)


async def _citizen_with_union(union_id: str) -> str:
    citizen = await Citizen.create()
    await PlatformAccount.create(
        citizen=citizen, platform="wechat", app_id="wxmini", open_id="o-mini", union_id=union_id
    )
    return str(citizen.id)


def _accounts(source: UnionIds) -> Accounts:
    clock = FrozenClock(datetime(2026, 11, 26, 10, 0, tzinfo=CST))
    return Accounts(APP, clock, cipher(), MemoryState(), source)


async def test_same_wechat_user_is_linked_by_unionid(db: str) -> None:
    citizen = await _citizen_with_union("u-1")
    source = UnionIds({"o-oa": "u-1"})
    accounts = _accounts(source)
    assert await accounts.citizen_of("o-oa") == citizen
    assert await accounts.citizen_of("o-oa") == citizen
    assert source.asked == 1  # linked once, then read from the link
    link = await OaLink.get(open_id="o-oa")
    assert (link.via, link.union_id) == ("unionid", "u-1")


async def test_no_match_or_failure_means_not_linked(db: str) -> None:
    await _citizen_with_union("u-1")
    stranger = UnionIds({"o-oa": "u-2"})
    accounts = _accounts(stranger)
    assert await accounts.citizen_of("o-oa") is None
    assert await accounts.citizen_of("o-oa") is None
    assert stranger.asked == 1  # a miss is remembered for a while
    assert await _accounts(UnionIds({}, fail=True)).citizen_of("o-x") is None


async def test_closed_citizen_is_no_link(db: str) -> None:
    citizen = await _citizen_with_union("u-1")
    accounts = _accounts(UnionIds({"o-oa": "u-1"}))
    assert await accounts.citizen_of("o-oa") == citizen
    await Citizen.filter(id=citizen).update(closed_at=datetime(2026, 11, 27, tzinfo=CST))
    assert await accounts.citizen_of("o-oa") is None
