"""Closing an account: personal data erased, cases kept without it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.closing import close_account
from core.auth.models import Session
from core.cases.models import AgentAuthorization, Application
from core.clock import FrozenClock
from core.errors import NotAuthenticated
from core.followers.models import OaLink
from core.identity.models import Citizen, PlatformAccount, Verification
from core.pii import PiiCipher
from core.topics.models import TopicSubscription
from core.uploads.models import Upload
from core.uploads.service import path_of
from miniapp_api.app import personal_data
from tests.core.identity.conftest import make_case, make_citizen, make_upload


async def test_close_account(
    db: str, clock: FrozenClock, cipher: PiiCipher, tmp_path: Path
) -> None:
    now = clock.now()
    citizen = await make_citizen()
    cid = str(citizen.id)
    await Citizen.filter(id=cid).update(
        realname_verified=True,
        name_enc=cipher.encrypt("张三", context="citizen.name"),
        id_number_enc=cipher.encrypt("11010519491231002X", context="citizen.id_number"),
        id_number_index="i" * 64,
        phone_enc=cipher.encrypt("13812345678", context="citizen.phone"),
    )
    address = cipher.encrypt('{"detail": "幸福路1号"}', context="application.address")
    used, unused = await make_upload(cid), await make_upload(cid)
    for upload in (used, unused):
        path_of(tmp_path, upload.id).parent.mkdir(parents=True, exist_ok=True)
        path_of(tmp_path, upload.id).write_bytes(b"\x89PNG")
    open_case = await make_case(
        cid, now, address_enc=address, materials=[{"name": "身份证", "file_id": used.id}]
    )
    closed_case = await make_case(cid, now, status="delivered", address_enc=address)
    await Session.create(
        id="a" * 32,
        kind="citizen",
        subject_id=cid,
        platform="wechat",
        created_at=now,
        expires_at=now + timedelta(days=1),
    )
    await Verification.create(
        citizen_id=cid, provider="sandbox", order_no="rn2", created_at=now, expires_at=now
    )
    auth = await AgentAuthorization.create(
        citizen_id=cid, agent_id=cid, item_code="I", created_at=now
    )

    await TopicSubscription.create(citizen_id=cid, topic_key="gaokao", created_at=now)
    await OaLink.create(app_id="wxoa", open_id="oa-9", citizen_id=cid, via="code", linked_at=now)

    await close_account(cid, now, tmp_path, personal_data())

    assert await TopicSubscription.filter(citizen_id=cid).count() == 0
    assert await OaLink.filter(citizen_id=cid).count() == 0

    gone = await Citizen.get(id=cid)
    assert gone.closed_at == now and not gone.realname_verified
    assert (gone.name_enc, gone.id_number_enc, gone.id_number_index, gone.phone_enc) == (
        None,
        None,
        None,
        None,
    )
    assert await PlatformAccount.filter(citizen_id=cid).count() == 0
    assert (await Session.get(id="a" * 32)).revoked_at == now
    assert await Verification.filter(citizen_id=cid).count() == 0
    assert (await AgentAuthorization.get(id=auth.id)).revoked_at == now
    assert (await Application.get(id=open_case.id)).delivery_address_enc == address
    assert (await Application.get(id=closed_case.id)).delivery_address_enc is None
    assert await Upload.filter(id=used.id).exists()
    assert path_of(tmp_path, used.id).exists()
    assert not await Upload.filter(id=unused.id).exists()
    assert not path_of(tmp_path, unused.id).exists()

    with pytest.raises(NotAuthenticated):
        await close_account(cid, now, tmp_path, personal_data())
