"""A staff login from end to end: password (with lock-out), the second factor when
``STAFF_TOTP=required``, and a line in the access log for every outcome."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import NotAuthenticated
from core.pii import PiiCipher
from core.ports import Clock
from core.staff import access_log, totp
from core.staff.models import StaffMember
from core.staff.service import authenticate


@dataclass(frozen=True)
class Attempt:
    username: str
    password: str
    otp: object
    address: str | None


async def sign_in(
    attempt: Attempt, clock: Clock, cipher: PiiCipher, *, totp_required: bool
) -> StaffMember:
    """The member, or NotAuthenticated (``invalid_credentials``, ``account_locked``,
    ``otp_required``, ``invalid_otp``); each outcome is logged."""
    try:
        member = await authenticate(attempt.username, attempt.password, clock)
        if totp_required:
            await totp.check(member, attempt.otp, cipher, clock.now())
    except NotAuthenticated as exc:
        await _log_failure(attempt, exc, clock)
        raise
    await access_log.record(
        access_log.LOGIN,
        clock.now(),
        username=member.username,
        staff_id=member.id,
        address=attempt.address,
        detail="password+otp" if totp_required else "password",
    )
    return member


async def _log_failure(attempt: Attempt, exc: NotAuthenticated, clock: Clock) -> None:
    now = clock.now()
    member = await StaffMember.get_or_none(username=attempt.username)
    staff_id = member.id if member is not None else None
    locked = exc.code == "account_locked"
    await access_log.record(
        access_log.LOCKED_OUT if locked else access_log.LOGIN_FAILED,
        now,
        username=attempt.username,
        staff_id=staff_id,
        address=attempt.address,
        detail=exc.code,
    )
    if not locked and member is not None and member.locked_until and member.locked_until > now:
        # this failure was the one that locked the account
        await access_log.record(
            access_log.LOCKED_OUT,
            now,
            username=member.username,
            staff_id=member.id,
            address=attempt.address,
            detail="locked after repeated failures",
        )
