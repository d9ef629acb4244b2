"""Binding a phone number from the WeChat phone-number button (``getuserphonenumber``)."""

from __future__ import annotations

import re
from typing import Protocol

from core.errors import InvalidInput, InvalidLoginCode
from core.identity.models import PHONE_CONTEXT, Citizen
from core.pii import PiiCipher

# WeChat answers mainland numbers bare and others with their country code ("+852...").
_PHONE = re.compile(r"\+?[0-9]{5,20}")


class PhoneNumberSource(Protocol):
    """Turns a phone-button code into the number the platform verified (WeChatClient does)."""

    async def get_phone_number(self, code: str) -> str: ...


async def bind_phone(
    source: PhoneNumberSource, cipher: PiiCipher, citizen: Citizen, code: str
) -> str:
    """Ask the platform for the number behind ``code`` and store it encrypted; return it."""
    try:
        number = re.sub(r"[\s-]", "", await source.get_phone_number(code))
    except InvalidLoginCode as exc:
        # A stale phone-button code is a bad value (422), not a dead session (401): the
        # mini-program must ask for the number again, not log the citizen out.
        raise InvalidInput(exc.message, code="invalid_phone_code") from exc
    if not _PHONE.fullmatch(number):
        # Not the citizen's fault, and the value itself must not reach the error details.
        raise InvalidInput("未能获取有效的手机号码，请重试。", code="invalid_phone")
    await Citizen.filter(id=citizen.id).update(
        phone_enc=cipher.encrypt(number, context=PHONE_CONTEXT)
    )
    return number
