"""Real-name verification: start an attempt, confirm it with the provider, join citizens.

Flow (docs/api.md, real-name verification):
1. ``start``: the name and ID number are validated (GB 11643, ``today`` from the injected
   clock), the provider is chosen by the platform of the caller's session (``wechat`` ->
   WeChat face verification for the citizen's WeChat openid, ``alipay`` -> Alipay certify),
   the attempt is opened at the provider and recorded as a ``Verification`` whose name and
   number are ciphertext. A platform without a real provider answers 503: the sandbox
   provider is never a fallback (see ``integrations.identity.sandbox``).
2. ``confirm``: the provider is asked, server to server, whether the attempt passed; nothing
   the mini-program says is trusted. An attempt is confirmed at most once (409 after that);
   another citizen's attempt does not exist for the caller (404).
3. On a pass the citizen becomes verified, unless another citizen already holds this ID
   number: then the two are joined (``core.accounts.joining``) and the holder survives.

Rate limits are applied by the API (``REALNAME_PER_CITIZEN``, ``REALNAME_PER_IP``) before
``start`` so that rejected input counts too: the limits exist to stop enumeration.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.accounts.joining import join_citizens
from core.errors import Conflict, IdentityMismatch, InvalidInput, NotFound, Unavailable
from core.identity.idnumber import normalize_id_number
from core.identity.models import (
    ID_NUMBER_CONTEXT,
    ID_NUMBER_PURPOSE,
    NAME_CONTEXT,
    VERIFICATION_ID_NUMBER_CONTEXT,
    VERIFICATION_NAME_CONTEXT,
    Citizen,
    PlatformAccount,
    Verification,
)
from core.identity.names import normalize_name
from core.pii import PiiCipher
from core.ports import Clock, IdentityClaim, IdentityVerifier, VerificationTicket

log = logging.getLogger("citysvc.identity")

# WeChat's verify_id lives an hour; half of that is ample for one face check and keeps the
# claimed identity (ciphertext) around no longer than needed.
ATTEMPT_LIFETIME = timedelta(minutes=30)

PENDING, PASSED, FAILED, EXPIRED = "pending", "passed", "failed", "expired"


class RealnameService:
    """Starts and confirms verifications. ``verifiers`` maps a session platform to its provider."""

    def __init__(
        self, clock: Clock, cipher: PiiCipher, verifiers: Mapping[str, IdentityVerifier]
    ) -> None:
        self._clock = clock
        self._cipher = cipher
        self._by_platform = dict(verifiers)
        self._by_provider = {v.provider: v for v in verifiers.values()}

    async def start(
        self, citizen: Citizen, platform: str | None, name: str, id_number: str
    ) -> tuple[Verification, VerificationTicket]:
        """Validate, open the attempt at the provider and record it (ciphertext only)."""
        now = self._clock.now()
        claim_name = normalize_name(name)
        claim_number = normalize_id_number(id_number, now.date())
        if citizen.realname_verified:
            raise Conflict("您已完成实名认证。", code="already_verified")
        verifier = self._verifier_for(platform)
        open_id = await _open_id(str(citizen.id), platform)
        claim = IdentityClaim(_order_no(), claim_name, claim_number, open_id)
        await erase_expired(now)
        ticket = await verifier.start(claim)
        row = await Verification.create(
            citizen_id=citizen.id,
            provider=verifier.provider,
            order_no=claim.order_no,
            provider_ref=ticket.ref,
            open_id=open_id,
            name_enc=self._cipher.encrypt(claim_name, context=VERIFICATION_NAME_CONTEXT),
            id_number_enc=self._cipher.encrypt(
                claim_number, context=VERIFICATION_ID_NUMBER_CONTEXT
            ),
            id_number_index=self._cipher.blind_index(claim_number, purpose=ID_NUMBER_PURPOSE),
            created_at=now,
            expires_at=now + ATTEMPT_LIFETIME,
        )
        log.info(
            "verification %s started for citizen %s via %s", row.id, citizen.id, verifier.provider
        )
        return row, ticket

    async def confirm(self, citizen_id: str, verification_id: str) -> str:
        """Ask the provider; on a pass verify (or join) and return the surviving citizen's id."""
        row = await _own_verification(citizen_id, verification_id)
        now = self._clock.now()
        if row.status != PENDING:
            raise _used()
        if row.expires_at <= now:
            await _finish(row.id, EXPIRED, now)
            raise Conflict("认证已过期，请重新发起实名认证。", code="verification_expired")
        verifier = self._by_provider.get(row.provider)
        if verifier is None:
            raise _unavailable()
        claim = self._claim(row)
        if not await verifier.passed(claim, row.provider_ref or ""):
            if not await _finish(row.id, FAILED, now):
                raise _used()
            log.info("verification %s failed", row.id)
            raise InvalidInput(
                "人脸核验未通过，请确认是本人操作后重新认证。", code="verification_failed"
            )
        return await self._apply(row, claim, now)

    def _verifier_for(self, platform: str | None) -> IdentityVerifier:
        verifier = self._by_platform.get(platform or "")
        if verifier is None:
            raise _unavailable()
        return verifier

    def _claim(self, row: Verification) -> IdentityClaim:
        name = self._cipher.decrypt(row.name_enc or "", context=VERIFICATION_NAME_CONTEXT)
        number = self._cipher.decrypt(
            row.id_number_enc or "", context=VERIFICATION_ID_NUMBER_CONTEXT
        )
        return IdentityClaim(row.order_no, name, number, row.open_id)

    async def _apply(self, row: Verification, claim: IdentityClaim, now: datetime) -> str:
        try:
            try:
                async with in_transaction():
                    return await self._apply_once(row, claim, now)
            except IntegrityError:
                # Another citizen's first verification of this number took the unique index
                # between our read and our write; a second pass sees that citizen and joins.
                async with in_transaction():
                    return await self._apply_once(row, claim, now)
        except IdentityMismatch:
            # rolled back, so the attempt is still pending: spend it, nothing else changes
            await _finish(row.id, FAILED, now)
            log.info("verification %s refused: the number's holder has another name", row.id)
            raise

    async def _apply_once(self, row: Verification, claim: IdentityClaim, now: datetime) -> str:
        if not await _finish(row.id, PASSED, now):
            raise _used()
        index = row.id_number_index
        # both index algorithms while PII_CIPHER is being switched (core/pii.py)
        indexes = self._cipher.blind_indexes(claim.id_number, purpose=ID_NUMBER_PURPOSE)
        citizen = await Citizen.get(id=row.citizen_id)
        if citizen.realname_verified and citizen.id_number_index not in indexes:
            # Two pending attempts for different numbers: the first one to pass is the person.
            raise Conflict("您已使用其他证件完成实名认证。", code="already_verified")
        holder = await Citizen.filter(id_number_index__in=indexes, closed_at=None).first()
        if holder is not None and holder.id != citizen.id:
            # the same number under another name is someone else, not the same person on
            # another platform: joining would hand them the holder's cases
            held = self._cipher.decrypt(holder.name_enc or "", context=NAME_CONTEXT)
            if held != claim.name:  # both stored as normalize_name left them
                raise IdentityMismatch()
            await join_citizens(str(citizen.id), str(holder.id), now)
            log.info("verification %s joined citizen %s into %s", row.id, citizen.id, holder.id)
            return str(holder.id)
        await Citizen.filter(id=citizen.id).update(
            realname_verified=True,
            name_enc=self._cipher.encrypt(claim.name, context=NAME_CONTEXT),
            id_number_enc=self._cipher.encrypt(claim.id_number, context=ID_NUMBER_CONTEXT),
            id_number_index=index,
        )
        log.info("verification %s passed: citizen %s verified", row.id, citizen.id)
        return str(citizen.id)


async def _own_verification(citizen_id: str, verification_id: str) -> Verification:
    """The caller's own attempt; anything else (malformed, unknown, another's) is 404."""
    try:
        key = uuid.UUID(verification_id)
    except ValueError:
        key = None
    row = None if key is None else await Verification.get_or_none(id=key, citizen_id=citizen_id)
    if row is None:
        raise NotFound(
            "没有找到这次实名认证。",
            code="verification_not_found",
            details={"verification_id": verification_id[:64]},
        )
    return row


async def _finish(verification_id: uuid.UUID, status: str, now: datetime) -> bool:
    """Move a pending attempt to ``status`` and erase its claim; False if it was not pending.

    The conditional update is what makes "confirmed at most once" hold under concurrency.
    """
    changed = await Verification.filter(id=verification_id, status=PENDING).update(
        status=status, finished_at=now, name_enc=None, id_number_enc=None
    )
    return changed == 1


async def erase_expired(now: datetime) -> int:
    """Expire every attempt past its lifetime and erase its claimed name and number."""
    return await Verification.filter(status=PENDING, expires_at__lte=now).update(
        status=EXPIRED, finished_at=now, name_enc=None, id_number_enc=None
    )


async def _open_id(citizen_id: str, platform: str | None) -> str | None:
    """The citizen's account on the session's platform (the most recently used one)."""
    account = (
        await PlatformAccount.filter(citizen_id=citizen_id, platform=platform or "")
        .order_by("-last_login_at")
        .first()
    )
    return account.open_id if account is not None else None


def _order_no() -> str:
    # 32 characters of [0-9a-z]: within WeChat's out_seq_no and Alipay's outer_order_no rules.
    return "rn" + secrets.token_hex(15)


def _used() -> Conflict:
    return Conflict("这次实名认证已经确认过，请勿重复提交。", code="verification_used")


def _unavailable() -> Unavailable:
    return Unavailable("当前平台暂不支持实名认证，请稍后再试。", code="realname_unavailable")
