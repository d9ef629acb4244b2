"""Citizens as the API sees them: find-or-create on login, and the /me view."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.identity.models import Citizen, PlatformAccount
from core.ports import PlatformIdentity


@dataclass(frozen=True)
class CitizenView:
    id: str
    realname_verified: bool
    platforms: list[str]


async def citizen_for_login(identity: PlatformIdentity, app_id: str) -> Citizen:
    """The citizen owning this platform account, created on first login.

    Two first logins racing for one open_id both end with the same citizen: the loser of
    the unique (platform, app_id, open_id) constraint reads the winner's row.
    """
    account = await _account(identity, app_id)
    if account is not None:
        return await _touch(account, identity)
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
        return citizen
    except IntegrityError:
        account = await _account(identity, app_id)
        if account is None:
            raise
        return await account.citizen


async def _account(identity: PlatformIdentity, app_id: str) -> PlatformAccount | None:
    return await PlatformAccount.get_or_none(
        platform=identity.platform, app_id=app_id, open_id=identity.open_id
    )


async def _touch(account: PlatformAccount, identity: PlatformIdentity) -> Citizen:
    if identity.union_id and account.union_id != identity.union_id:
        account.union_id = identity.union_id
    await account.save(update_fields=["union_id", "last_login_at"])
    return await account.citizen


async def platforms_of(citizen_id: str) -> list[str]:
    rows = await PlatformAccount.filter(citizen_id=citizen_id).values_list("platform", flat=True)
    return sorted({str(p) for p in rows})
