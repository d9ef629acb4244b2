"""Two-factor staff sign-in: TOTP (RFC 6238 over RFC 4226), SHA-1, 6 digits, 30 s steps.

With ``STAFF_TOTP=required`` every staff login also carries ``otp``, the code an
authenticator app shows for the member's secret. The secret is 20 random bytes, stored
encrypted like personal data (``staff_member.otp_secret`` is the cipher's context, so the
token cannot be moved to another column) and shown once, as an ``otpauth://`` URI, by
``citysvc staff add`` and ``citysvc staff reset-otp``.

A code is accepted for the current step and one step either side (clock drift), and each
step at most once: the accepted step is written with a compare-and-set
(``otp_last_step < step``), so a code seen over a shoulder or replayed from a log is refused
even by another worker at the same instant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

from tortoise.expressions import Q

from core.errors import InvalidOtp, OtpRequired
from core.pii import PiiCipher
from core.staff.models import StaffMember

SECRET_CONTEXT = "staff_member.otp_secret"
ISSUER = "citysvc"
DIGITS = 6
PERIOD = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh secret, base32 without padding (as authenticator apps take it)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def code_at(secret: str, step: int) -> str:
    """The RFC 4226 HOTP value of ``step`` (RFC 6238: step = Unix time // 30)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def step_of(at: datetime) -> int:
    return int(at.timestamp()) // PERIOD


def enrolment_uri(username: str, secret: str) -> str:
    """``otpauth://totp/citysvc:USERNAME?secret=...``: what an authenticator app scans."""
    label = quote(f"{ISSUER}:{username}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        }
    )
    return f"otpauth://totp/{label}?{query}"


async def enrol(member: StaffMember, cipher: PiiCipher) -> str:
    """Give ``member`` a new secret (any earlier one stops working); the enrolment URI."""
    secret = new_secret()
    await StaffMember.filter(id=member.id).update(
        otp_secret_enc=cipher.encrypt(secret, context=SECRET_CONTEXT), otp_last_step=None
    )
    return enrolment_uri(member.username, secret)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


async def check(member: StaffMember, code: object, cipher: PiiCipher, now: datetime) -> None:
    """Accept ``code`` for ``member`` once; ``OtpRequired`` or ``InvalidOtp`` otherwise."""
    if member.otp_secret_enc is None:
        # not enrolled yet: an administrator runs `citysvc staff reset-otp USERNAME`
        raise OtpRequired(details={"enrolled": False})
    if code is None or code == "":
        raise OtpRequired(details={"enrolled": True})
    if not (isinstance(code, str) and len(code) == DIGITS and code.isascii() and code.isdigit()):
        raise InvalidOtp()
    secret = cipher.decrypt(member.otp_secret_enc, context=SECRET_CONTEXT)
    step = _matching_step(secret, code, now)
    if step is None:
        raise InvalidOtp()
    fresh = Q(otp_last_step__isnull=True) | Q(otp_last_step__lt=step)
    if not await StaffMember.filter(fresh, id=member.id).update(otp_last_step=step):
        raise InvalidOtp(details={"reused": True})  # the next step's code will do
