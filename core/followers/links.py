"""Official Account users as citizens: one-time binding codes and the links they create.

A citizen asks the mini-program for a 6-digit code (valid 10 minutes, one live code per
citizen) and sends ``绑定 123456`` to the Official Account; the sender's openid is then
linked to that citizen. Only a keyed HMAC of each code is stored. A link to a closed
citizen counts as no link.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import Unavailable
from core.followers.models import BINDING_CODE_PURPOSE, OaBindingCode, OaFollowUp, OaLink
from core.identity.models import Citizen, PlatformAccount
from core.knowledge.models import HandoffTicket
from core.pii import PiiCipher

CODE_LIFETIME = timedelta(minutes=10)
CODE_DIGITS = 6
_ATTEMPTS = 8  # a collision with a live code is about one in 10^6 / live codes


async def issue_code(cipher: PiiCipher, citizen_id: str, now: datetime) -> tuple[str, datetime]:
    """A new code for the citizen (their earlier code stops working) and its expiry."""
    expires = now + CODE_LIFETIME
    # The unique index must free up: drop this citizen's earlier codes and every dead one.
    await OaBindingCode.filter(citizen_id=citizen_id).delete()
    await OaBindingCode.filter(expires_at__lte=now).delete()
    for _ in range(_ATTEMPTS):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        index = cipher.blind_index(code, purpose=BINDING_CODE_PURPOSE)
        try:
            await OaBindingCode.create(
                code_index=index, citizen_id=citizen_id, created_at=now, expires_at=expires
            )
        except IntegrityError:
            continue
        return code, expires
    raise Unavailable("No binding code is free right now; try again.", code="binding_busy")


async def redeem_code(cipher: PiiCipher, code: str, now: datetime) -> str | None:
    """The citizen a live code belongs to, spending it; None for a wrong, used or old code."""
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    index = cipher.blind_index(code, purpose=BINDING_CODE_PURPOSE)
    async with in_transaction():
        # one UPDATE decides: two users racing with the same code cannot both win it
        spent = await OaBindingCode.filter(
            code_index=index, used_at=None, expires_at__gt=now
        ).update(used_at=now)
        if not spent:
            return None
        row = await OaBindingCode.get(code_index=index)
    return str(row.citizen_id)


async def link(
    app_id: str,
    open_id: str,
    citizen_id: str,
    via: str,
    now: datetime,
    union_id: str | None = None,
) -> None:
    """Link (or re-link) the Official Account user to the citizen."""
    changes: dict[str, Any] = {
        "citizen_id": citizen_id,
        "via": via,
        "linked_at": now,
        "union_id": union_id,
    }
    updated = await OaLink.filter(app_id=app_id, open_id=open_id).update(**changes)
    if updated:
        return
    try:
        await OaLink.create(app_id=app_id, open_id=open_id, **changes)
    except IntegrityError:  # a concurrent first message created it: update that row
        await OaLink.filter(app_id=app_id, open_id=open_id).update(**changes)


async def linked_citizen(app_id: str, open_id: str) -> str | None:
    """The live citizen the Official Account user is linked to, if any."""
    row = await OaLink.get_or_none(app_id=app_id, open_id=open_id)
    if row is None:
        return None
    alive = await Citizen.exists(id=row.citizen_id, closed_at=None)
    return str(row.citizen_id) if alive else None


async def citizen_by_union_id(union_id: str) -> str | None:
    """The live citizen whose WeChat mini-program account carries ``union_id``."""
    account = (
        await PlatformAccount.filter(union_id=union_id, platform="wechat")
        .order_by("-last_login_at")
        .first()
    )
    if account is None:
        return None
    citizen_id = str(account.citizen_id)  # type: ignore[attr-defined]
    return citizen_id if await Citizen.exists(id=citizen_id, closed_at=None) else None


async def forget(citizen_id: str, _now: datetime) -> None:
    """Account closure: the bot's follow-up answers to the citizen's followers, their
    hand-off questions, the links themselves and any pending binding code."""
    open_ids = await OaLink.filter(citizen_id=citizen_id).values_list("open_id", flat=True)
    if open_ids:
        await OaFollowUp.filter(open_id__in=list(open_ids)).delete()
    await HandoffTicket.filter(citizen_id=citizen_id).delete()
    await OaLink.filter(citizen_id=citizen_id).delete()
    await OaBindingCode.filter(citizen_id=citizen_id).delete()
