"""Citizens as the API sees them: find-or-create on login, and the /me view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.db import fetch
from core.identity.models import Citizen, PlatformAccount
from core.ports import PlatformIdentity


@dataclass(frozen=True)
class LoginCitizen:
    id: str
    realname_verified: bool


_BY_ACCOUNT = """
SELECT c.id, c.realname_verified, a.id AS account_id, a.union_id
FROM platform_account a JOIN citizen c ON c.id = a.citizen_id
WHERE a.platform = ? AND a.app_id = ? AND a.open_id = ?
"""


async def citizen_for_login(identity: PlatformIdentity, app_id: str, now: datetime) -> LoginCitizen:
    """The citizen owning this platform account, created on first login.

    Two first logins racing for one open_id both end with the same citizen: the loser of
    the unique (platform, app_id, open_id) constraint reads the winner's row.
    """
    found = await _known(identity, app_id, now)
    if found is not None:
        return found
    try:
        async with in_transaction():
            citizen = await Citizen.create()
            await PlatformAccount.create(
                citizen=citizen,
                platform=identity.platform,
                app_id=app_id,
                open_id=identity.open_id,
                union_id=identity.union_id,
            )
        return LoginCitizen(str(citizen.id), False)
    except IntegrityError:
        found = await _known(identity, app_id, now)
        if found is None:
            raise
        return found


async def _known(identity: PlatformIdentity, app_id: str, now: datetime) -> LoginCitizen | None:
    """Every login passes here: one indexed read, one small write (no ORM model building)."""
    rows = await fetch(_BY_ACCOUNT, [identity.platform, app_id, identity.open_id])
    if not rows:
        return None
    row = rows[0]
    union_id = identity.union_id or row["union_id"]
    await PlatformAccount.filter(id=row["account_id"]).update(union_id=union_id, last_login_at=now)
    return LoginCitizen(str(row["id"]), bool(row["realname_verified"]))


async def platforms_of(citizen_id: str) -> list[str]:
    rows = await PlatformAccount.filter(citizen_id=citizen_id).values_list("platform", flat=True)
    return sorted({str(p) for p in rows})
