"""Binding a phone number from a phone-button code."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput, InvalidLoginCode
from core.identity.models import Citizen
from core.identity.phone import bind_phone
from core.pii import PiiCipher
from tests.core.identity.conftest import make_citizen


class FakeSource:
    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer

    async def get_phone_number(self, code: str) -> str:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def test_bound_encrypted(db: str, cipher: PiiCipher) -> None:
    citizen = await make_citizen()
    assert await bind_phone(FakeSource("138 1234 5678"), cipher, citizen, "c") == "13812345678"
    stored = (await Citizen.get(id=citizen.id)).phone_enc or ""
    assert "13812345678" not in stored
    assert cipher.decrypt(stored, context="citizen.phone") == "13812345678"


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (InvalidLoginCode(), "invalid_phone_code"),
        ("not a number", "invalid_phone"),
    ],
)
async def test_refused(db: str, cipher: PiiCipher, answer: str | Exception, code: str) -> None:
    citizen = await make_citizen()
    with pytest.raises(InvalidInput) as refused:
        await bind_phone(FakeSource(answer), cipher, citizen, "c")
    assert refused.value.code == code
    assert (await Citizen.get(id=citizen.id)).phone_enc is None
