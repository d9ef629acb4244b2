"""Creating staff accounts, linking them to their own citizen accounts, and checking their
passwords, with lock-out after failures."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.expressions import F

from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from core.identity.citizen_ids import parse_citizen_id
from core.identity.models import Citizen
from core.ports import Clock
from core.staff.models import ROLES, StaffMember

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_hasher = PasswordHasher()
# argon2 is deliberately slow CPU work: keep it off the event loop, two at a time at most
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


@cache
def _dummy_hash() -> str:
    return _hasher.hash("timing-equaliser-for-unknown-users")


T = TypeVar("T")


async def _run(fn: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, fn, *args)


def _check_new(username: str, password: str, role: str, department: str | None) -> None:
    if not _USERNAME.match(username):
        raise InvalidInput(
            "Username: 3-64 lower-case letters, digits, '.', '_' or '-'.", code="invalid_username"
        )
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    if role in ("clerk", "supervisor") and not department:
        raise InvalidInput("Clerks and supervisors need --department.", code="department_required")
    if len(password) < 10:
        raise InvalidInput("The password must have at least 10 characters.", code="weak_password")


async def add_staff(
    username: str,
    password: str,
    role: str,
    department: str | None,
    citizen_id: str | None = None,
) -> StaffMember:
    """Create an account, linked to the member's own citizen account when ``citizen_id`` is
    given; Conflict when the username is taken, see ``link_citizen`` for the citizen."""
    _check_new(username, password, role, department)
    if await StaffMember.exists(username=username):
        raise Conflict(f"Staff member {username} already exists.", code="username_taken")
    citizen = await _open_citizen(citizen_id) if citizen_id is not None else None
    password_hash = await _run(_hasher.hash, password)
    return await StaffMember.create(
        username=username,
        password_hash=password_hash,
        role=role,
        department_code=department,
        citizen_id=citizen,
    )


async def link_citizen(username: str, citizen_id: str) -> StaffMember:
    """Link a staff member to their own citizen account (where campaign test messages go).

    NotFound ``staff_not_found`` for an unknown username, InvalidInput
    ``invalid_citizen_id`` for a malformed id, NotFound ``citizen_not_found`` for an id of
    no open citizen account."""
    member = await StaffMember.get_or_none(username=username)
    if member is None:
        raise NotFound(f"There is no staff member {username}.", code="staff_not_found")
    member.citizen_id = await _open_citizen(citizen_id)
    await StaffMember.filter(id=member.id).update(citizen_id=member.citizen_id)
    return member


async def _open_citizen(citizen_id: str) -> uuid.UUID:
    parsed = uuid.UUID(parse_citizen_id(citizen_id, "citizen_id"))
    if not await Citizen.exists(id=parsed, closed_at=None):
        raise NotFound(f"There is no open citizen account {parsed}.", code="citizen_not_found")
    return parsed


async def authenticate(username: str, password: str, clock: Clock) -> StaffMember:
    """The staff member, or NotAuthenticated; five failures lock the account for 15 minutes."""
    member = await StaffMember.get_or_none(username=username, active=True)
    if member is None:
        await _run(_verify_unknown, password)  # same cost as a real check: no user probing
        raise NotAuthenticated("Wrong username or password.", code="invalid_credentials")
    now = clock.now()
    if member.locked_until is not None:
        if member.locked_until > now:
            raise NotAuthenticated(
                "Too many failed attempts; the account is locked for a while.",
                code="account_locked",
            )
        # the lock has run out: the count starts afresh (only if no one relocked meanwhile)
        await StaffMember.filter(id=member.id, locked_until__lte=now).update(
            failed_logins=0, locked_until=None
        )
    if not await _run(_verify, member.password_hash, password):
        await _record_failure(member, now)
        raise NotAuthenticated("Wrong username or password.", code="invalid_credentials")
    if member.failed_logins:
        await StaffMember.filter(id=member.id).update(failed_logins=0, locked_until=None)
    return member


def _verify_unknown(password: str) -> bool:
    return _verify(_dummy_hash(), password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


async def _record_failure(member: StaffMember, now: datetime) -> None:
    """Count in the database (``failed_logins + 1`` in one UPDATE), then read the count:
    concurrent failures each add one, so the fifth of any burst locks the account. A read
    in Python and a write back lost all but one of them."""
    await StaffMember.filter(id=member.id).update(failed_logins=F("failed_logins") + 1)
    counted = await StaffMember.get_or_none(id=member.id).only("id", "failed_logins")
    if counted is not None and counted.failed_logins >= MAX_FAILURES:
        await StaffMember.filter(id=member.id).update(locked_until=now + LOCK_FOR)


async def _member(member_id: int) -> StaffMember:
    member = await StaffMember.get_or_none(id=member_id)
    if member is None:
        raise NotFound(f"There is no staff member {member_id}.", code="staff_not_found")
    return member


async def assign(member_id: int, role: str, department: str | None) -> StaffMember:
    """Give an account another role or department (the rules of ``add_staff``)."""
    member = await _member(member_id)
    _check_new(member.username, "x" * 10, role, department)
    department = department if role in ("clerk", "supervisor") else None
    await StaffMember.filter(id=member_id).update(role=role, department_code=department)
    return await _member(member_id)


async def set_locked(member_id: int, locked: bool) -> StaffMember:
    """Lock an account (it cannot sign in; the caller ends its sessions) or unlock it, which
    also clears the failed sign-ins and any automatic lock-out."""
    await _member(member_id)  # 404 for an unknown id
    if locked:
        await StaffMember.filter(id=member_id).update(active=False)
    else:
        await StaffMember.filter(id=member_id).update(
            active=True, failed_logins=0, locked_until=None
        )
    return await _member(member_id)
