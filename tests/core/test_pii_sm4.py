"""SM4-GCM and HMAC-SM3 in the PII cipher (PII_CIPHER=sm4-gcm)."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag

from core.pii import SM4GCM, PiiCipher, PiiDecryptError

KEY = base64.b64encode(b"k" * 32).decode()


def test_sm4_gcm_matches_the_rfc_8998_test_vector() -> None:
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    sealed = SM4GCM(key).encrypt(nonce, plain, aad)
    assert sealed.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"
    )
    assert SM4GCM(key).decrypt(nonce, sealed, aad) == plain
    with pytest.raises(InvalidTag):
        SM4GCM(key).decrypt(nonce, sealed, aad + b"x")


def test_sm4_tokens_name_their_cipher_and_both_kinds_stay_readable() -> None:
    sm4 = PiiCipher.from_env_value(KEY, algorithm="sm4-gcm")
    aes = PiiCipher.from_env_value(KEY)
    token = sm4.encrypt("11010519491231002X", context="citizen.id_number")
    assert sm4.key_id_of(token).startswith("s") and sm4.key_id_of(token) != aes.current_key_id
    # one keyring reads both: switching PII_CIPHER needs no downtime
    assert aes.decrypt(token, context="citizen.id_number") == "11010519491231002X"
    old = aes.encrypt("张三", context="citizen.name")
    assert sm4.decrypt(old, context="citizen.name") == "张三"
    assert sm4.needs_rotation(old) and not sm4.needs_rotation(token)
    assert sm4.key_id_of(sm4.rotate(old, context="citizen.name")) == sm4.current_key_id
    with pytest.raises(PiiDecryptError):
        sm4.decrypt(token, context="citizen.name")  # bound to its column


def test_blind_indexes_are_hmac_sm3_under_sm4_and_lookups_see_both() -> None:
    sm4 = PiiCipher.from_env_value(KEY, algorithm="sm4-gcm")
    aes = PiiCipher.from_env_value(KEY)
    value = "11010519491231002X"
    sm3_index = sm4.blind_index(value, purpose="id_number")
    sha_index = aes.blind_index(value, purpose="id_number")
    assert len(sm3_index) == len(sha_index) == 64 and sm3_index != sha_index
    assert sm4.blind_indexes(value, purpose="id_number") == [sm3_index, sha_index]
    assert aes.blind_indexes(value, purpose="id_number") == [sha_index, sm3_index]
    assert sm4.blind_index(value, purpose="phone") != sm3_index  # per purpose, as before


def test_an_unknown_cipher_is_refused() -> None:
    with pytest.raises(ValueError, match="PII_CIPHER"):
        PiiCipher.from_env_value(KEY, algorithm="des")
