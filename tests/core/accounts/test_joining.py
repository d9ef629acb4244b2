"""Joining two citizens: everything of the absorbed one moves, atomically."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from core.accounts.joining import join_citizens
from core.auth.models import Session
from core.cases.models import AgentAuthorization, Application
from core.clock import FrozenClock
from core.identity.models import Citizen, PlatformAccount, Verification
from core.pii import PiiCipher
from core.uploads.models import Upload
from tests.core.identity.conftest import make_case, make_citizen, make_upload


async def _session(citizen_id: str, clock: FrozenClock, sid: str) -> None:
    now = clock.now()
    await Session.create(
        id=sid,
        kind="citizen",
        subject_id=citizen_id,
        platform="alipay",
        created_at=now,
        expires_at=now + timedelta(days=1),
    )


async def test_join_moves_everything(db: str, clock: FrozenClock, cipher: PiiCipher) -> None:
    survivor = await make_citizen("wechat")
    absorbed = await make_citizen("alipay")
    a, s = str(absorbed.id), str(survivor.id)
    now = clock.now()
    await Citizen.filter(id=a).update(
        phone_enc=cipher.encrypt("13812345678", context="citizen.phone")
    )
    own = await make_case(a, now)
    filed = await make_case(survivor.id, now, agent_id=a)
    upload = await make_upload(a)
    auth = await AgentAuthorization.create(citizen_id=a, agent_id=s, item_code="I", created_at=now)
    await Verification.create(
        citizen_id=a, provider="sandbox", order_no="rn1", created_at=now, expires_at=now
    )
    await _session(a, clock, "s" * 32)

    async with in_transaction():
        await join_citizens(a, s, now)

    assert sorted(
        await PlatformAccount.filter(citizen_id=s).values_list("platform", flat=True)
    ) == ["alipay", "wechat"]
    assert (await Application.get(id=own.id)).citizen_id == survivor.id
    assert (await Application.get(id=filed.id)).agent_id == survivor.id
    assert (await Upload.get(id=upload.id)).owner_id == survivor.id
    assert (await AgentAuthorization.get(id=auth.id)).citizen_id == survivor.id
    assert await Verification.filter(citizen_id=s).count() == 1
    assert (await Session.get(id="s" * 32)).subject_id == s
    gone = await Citizen.get(id=a)
    assert gone.closed_at == now and gone.phone_enc is None
    kept = await Citizen.get(id=s)
    assert cipher.decrypt(kept.phone_enc or "", context="citizen.phone") == "13812345678"


async def test_join_is_all_or_nothing(db: str, clock: FrozenClock) -> None:
    survivor, absorbed = await make_citizen("wechat"), await make_citizen("alipay")
    case = await make_case(absorbed.id, clock.now())
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await join_citizens(str(absorbed.id), str(survivor.id), clock.now())
            raise RuntimeError("the rest of the confirmation failed")
    assert (await Application.get(id=case.id)).citizen_id == absorbed.id
    assert await PlatformAccount.filter(citizen_id=absorbed.id).count() == 1
    assert (await Citizen.get(id=absorbed.id)).closed_at is None


async def test_join_moves_bot_links_and_merges_topic_follows(db: str, clock: FrozenClock) -> None:
    from core.followers.models import OaBindingCode, OaLink
    from core.topics.models import TopicSubscription

    survivor = await make_citizen("wechat")
    absorbed = await make_citizen("alipay")
    a, s = str(absorbed.id), str(survivor.id)
    now = clock.now()
    for citizen, topic in ((s, "gaokao"), (a, "gaokao"), (a, "food_safety")):
        await TopicSubscription.create(citizen_id=citizen, topic_key=topic, created_at=now)
    await OaLink.create(app_id="wxoa", open_id="oa-1", citizen_id=a, via="code", linked_at=now)
    await OaBindingCode.create(citizen_id=a, code_index="h" * 64, expires_at=now, created_at=now)

    async with in_transaction():
        await join_citizens(a, s, now)

    follows = await TopicSubscription.filter(citizen_id=s).values_list("topic_key", flat=True)
    assert sorted(follows) == ["food_safety", "gaokao"]
    assert await TopicSubscription.filter(citizen_id=a).count() == 0
    assert (await OaLink.get(open_id="oa-1")).citizen_id == survivor.id
    assert await OaBindingCode.filter(citizen_id=a).count() == 0
