"""Closing an account reaches the notification engine: nothing queued for the citizen goes
out afterwards, and no row keeps their platform openid (messages, consents, follow-ups)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.accounts.closing import close_account
from core.clock import CST
from core.identity.models import Citizen
from core.outbox.models import Consent, OutboxMessage
from miniapp_api.app import personal_data
from tests.notifications.conftest import Rig


async def test_a_closed_accounts_queued_messages_never_go_out(rig: Rig, tmp_path: Path) -> None:
    leaves, stays = await rig.citizen(), await rig.citizen()
    for citizen in (leaves, stays):
        await rig.grant(citizen, "application.accepted")
    gone = (await rig.milestone(leaves)).application_id
    kept = (await rig.milestone(stays)).application_id
    assert [(await rig.row(c)).status for c in (gone, kept)] == ["queued", "queued"]
    openid = await rig.open_id(leaves, "wechat")

    await close_account(leaves, datetime.now(CST), tmp_path, personal_data())
    await rig.dispatcher.run_until_idle()

    assert (await Citizen.get(id=leaves)).closed_at is not None
    print(
        "SENT",
        [m["touser"] for m in rig.wechat.sent],
        openid,
        await rig.open_id(stays, "wechat"),
        [(r.status, r.last_error) for r in await OutboxMessage.all()],
    )
    assert [m["touser"] for m in rig.wechat.sent] == [await rig.open_id(stays, "wechat")]
    withdrawn = await rig.row(gone)
    assert (withdrawn.status, withdrawn.last_error) == ("failed", "account_closed")
    assert not await OutboxMessage.filter(recipient=openid).exists()
    assert not await Consent.filter(citizen_id=leaves).exists()
    assert await Consent.filter(citizen_id=stays).exists()
