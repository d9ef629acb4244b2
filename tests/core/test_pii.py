"""AES-GCM tokens, key rotation and blind indexes."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest

from core.pii import PiiCipher, PiiDecryptError

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))
KEY_C = bytes(range(64, 96))
ID_NUMBER = "11010519491231002X"


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def _id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher.from_env_value(_b64(KEY_A))


def test_round_trip_and_token_shape(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER, context="citizen.id_number")
    version, key_id, payload = token.split(".")
    assert (version, key_id) == ("v1", _id(KEY_A))
    assert ID_NUMBER not in token and "=" not in payload
    assert cipher.decrypt(token, context="citizen.id_number") == ID_NUMBER
    assert cipher.key_id_of(token) == _id(KEY_A)


def test_same_value_encrypts_differently(cipher: PiiCipher) -> None:
    first = cipher.encrypt("张三", context="citizen.name")
    assert first != cipher.encrypt("张三", context="citizen.name")
    assert cipher.decrypt(first, context="citizen.name") == "张三"


def test_associated_data_mismatch_fails(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER, context="citizen.id_number")
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(token, context="citizen.phone")


def _flip_payload_char(token: str) -> str:
    head, payload = token.rsplit(".", 1)
    # Flip a character in the middle: the last one may carry only padding bits.
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    return f"{head}.{payload[:middle]}{swapped}{payload[middle + 1 :]}"


@pytest.mark.parametrize(
    "mangle",
    [
        _flip_payload_char,
        lambda t: t[: len(t) - 4],  # truncated
        lambda t: "v2" + t[2:],  # unknown version
        lambda t: t.replace(".", "!", 1),  # not a token
        lambda t: t.rsplit(".", 1)[0] + ".AAAA",  # too short
        lambda t: t.rsplit(".", 1)[0] + ".%%%%",  # not base64
        lambda t: "",
    ],
)
def test_tampering_fails(cipher: PiiCipher, mangle: Callable[[str], str]) -> None:
    token = cipher.encrypt(ID_NUMBER, context="c")
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(mangle(token), context="c")


def test_unknown_key_id_fails(cipher: PiiCipher) -> None:
    other = PiiCipher.from_env_value(_b64(KEY_B))
    token = other.encrypt(ID_NUMBER, context="c")
    with pytest.raises(PiiDecryptError, match="unknown PII key id"):
        cipher.decrypt(token, context="c")


def test_rotation_keeps_values_readable_and_changes_key_id() -> None:
    before = PiiCipher.from_env_value(_b64(KEY_A))
    old_token = before.encrypt(ID_NUMBER, context="c")
    # Rotation: the old PII_KEY moves to the front of PII_OLD_KEYS.
    after = PiiCipher.from_env_value(_b64(KEY_B), old_keys=_b64(KEY_A))
    assert after.decrypt(old_token, context="c") == ID_NUMBER
    assert after.needs_rotation(old_token)
    new_token = after.rotate(old_token, context="c")
    assert after.key_id_of(new_token) == _id(KEY_B) != after.key_id_of(old_token)
    assert not after.needs_rotation(new_token)
    assert after.rotate(new_token, context="c") == new_token
    assert after.decrypt(new_token, context="c") == ID_NUMBER


def test_blind_index_stable_across_rotations_and_differs_by_purpose() -> None:
    first = PiiCipher.from_env_value(_b64(KEY_A))
    second = PiiCipher.from_env_value(_b64(KEY_B), old_keys=_b64(KEY_A))
    third = PiiCipher.from_env_value(_b64(KEY_C), old_keys=f"{_b64(KEY_B)}, {_b64(KEY_A)},")
    indexes = {c.blind_index(ID_NUMBER, purpose="id_number") for c in (first, second, third)}
    assert len(indexes) == 1
    index = indexes.pop()
    assert len(index) == 64 and int(index, 16) >= 0
    assert first.blind_index(ID_NUMBER, purpose="phone") != index
    assert first.blind_index("11010519491231002x", purpose="id_number") != index


def test_blind_index_depends_on_the_oldest_key() -> None:
    a = PiiCipher.from_env_value(_b64(KEY_A))
    b = PiiCipher.from_env_value(_b64(KEY_B))
    assert a.blind_index("x", purpose="p") != b.blind_index("x", purpose="p")


def test_constructor_with_explicit_keyring() -> None:
    cipher = PiiCipher({"k1": KEY_A, "k2": KEY_B}, "k2", index_key=KEY_C)
    token = cipher.encrypt("13812345678", context="citizen.phone")
    assert token.startswith("v1.k2.")
    assert cipher.decrypt(token, context="citizen.phone") == "13812345678"


@pytest.mark.parametrize(
    ("pii_key", "old_keys", "message"),
    [
        (base64.b64encode(b"short").decode(), None, "PII_KEY must be base64 of exactly 32"),
        ("not base64!!", None, "PII_KEY is not valid base64"),
        (_b64(KEY_A), "@@@", "PII_OLD_KEYS entry 1 is not valid base64"),
        (_b64(KEY_A), base64.b64encode(bytes(16)).decode(), "PII_OLD_KEYS entry 1 must be"),
    ],
)
def test_from_env_value_rejects_bad_keys(pii_key: str, old_keys: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        PiiCipher.from_env_value(pii_key, old_keys)
    assert _b64(KEY_A) not in str(caught.value)  # secrets never end up in error text


def test_urlsafe_base64_key_is_accepted() -> None:
    key = bytes([0xFB, 0xFF] * 16)  # encodes with '+' and '/' in the standard alphabet
    urlsafe = base64.urlsafe_b64encode(key).decode()
    assert PiiCipher.from_env_value(urlsafe).current_key_id == _id(key)


def test_constructor_rejects_inconsistent_keyring() -> None:
    with pytest.raises(ValueError):
        PiiCipher({"k1": KEY_A}, "k2", index_key=KEY_C)
    with pytest.raises(ValueError):
        PiiCipher({"k.1": KEY_A}, "k.1", index_key=KEY_C)
    with pytest.raises(ValueError):
        PiiCipher({"k1": b"short"}, "k1", index_key=KEY_C)
