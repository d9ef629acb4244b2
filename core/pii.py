"""Encryption at rest and blind indexes for personal information (PIPL art. 28).

Tokens
    ``encrypt`` returns ``v1.<key_id>.<base64url(nonce + ciphertext)>`` (AES-256-GCM, random
    12-byte nonce, no base64 padding). The key id travels in the token, so values written
    under an older key stay readable after the current key changes. The caller's
    ``context`` (e.g. ``"citizen.id_number"``) is the GCM associated data: a token copied
    into another column, or another row type, fails to decrypt instead of silently
    yielding someone's data in the wrong place.

Blind indexes
    ``blind_index`` is an HMAC-SHA256 (hex, 64 characters) used for equality lookups and
    uniqueness without storing plaintext. Its key must never change when data keys rotate,
    otherwise every stored index would stop matching, so it comes from a separate index key,
    and a per-purpose HMAC key is derived from it with HKDF: the index of an ID number and of
    a phone number never coincide, even for the same digits. Callers normalise values first
    (``normalize_id_number``...): the index is over exact bytes.

Keys from the environment (``PiiCipher.from_env_value``)
    ``PII_KEY`` is base64 of exactly 32 bytes: the current data key. ``PII_OLD_KEYS`` is a
    comma-separated list of earlier keys, newest first, OLDEST LAST; they are only used to
    read (and rotate) old tokens. A key's id is the first 8 hex characters of its SHA-256.
    The index key is HKDF-SHA256(oldest key, info=b"citysvc blind index"), where the oldest
    key is the last entry of ``PII_OLD_KEYS``, or ``PII_KEY`` when there are no old keys.
    So: to rotate, move the old ``PII_KEY`` to the FRONT of ``PII_OLD_KEYS`` and set a new
    ``PII_KEY``; never drop the last entry of ``PII_OLD_KEYS`` while blind indexes built from
    it exist (dropping it changes every index and needs a full re-index).

国密 (GB/T 39786): ``PII_CIPHER=sm4-gcm``
    Every configured key then also writes SM4-GCM tokens: the SM4 key (16 bytes) is
    HKDF-SM3(key, info=b"citysvc sm4-gcm"), its id ``s`` + 7 hex characters of
    SHA-256(b"sm4" + key), so one ``PII_KEY`` has an AES id and an SM4 id and a token
    says which cipher wrote it. Both kinds stay readable whatever ``PII_CIPHER`` says:
    switching it and running ``citysvc keys rotate`` moves data from AES to SM4 (or back)
    while the service runs. Blind indexes are then HMAC-SM3 instead of HMAC-SHA256
    (same index key); ``blind_indexes`` gives both, current first, so lookups keep
    finding rows indexed before the switch until ``keys rotate`` has re-indexed them.
    The default stays AES-256-GCM with HMAC-SHA256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKEN_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
_TAG_BYTES = 16
_INDEX_INFO = b"citysvc blind index"
AES = "aes-256-gcm"
SM4 = "sm4-gcm"
ALGORITHMS = (AES, SM4)


class Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class SM4GCM:
    """SM4 in GCM mode (GB/T 32907, RFC 8998's SM4-GCM) with AESGCM's interface: the
    ciphertext is followed by its 16-byte tag; a wrong tag raises ``InvalidTag``."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 16:
            raise ValueError("an SM4 key is 16 bytes")
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated_data or b"")
        sealed = encryptor.update(data) + encryptor.finalize()
        return sealed + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        body, tag = data[:-_TAG_BYTES], data[-_TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(associated_data or b"")
        return decryptor.update(body) + decryptor.finalize()


def sm4_key_id_for(key: bytes) -> str:
    """The id under which a data key's SM4 form is named in tokens."""
    return "s" + hashlib.sha256(b"sm4" + key).hexdigest()[:7]


def _sm4_key(key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=16, salt=None, info=b"citysvc sm4-gcm").derive(key)


def _hmac_sm3(key: bytes, value: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(value)
    return mac.finalize().hex()


class PiiDecryptError(Exception):
    """A token cannot be decrypted: malformed, unknown key id, wrong context or tampered.

    The message never contains the token's plaintext.
    """


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def key_id_for(key: bytes) -> str:
    """The id under which a data key is named in tokens."""
    return hashlib.sha256(key).hexdigest()[:8]


def _decode_env_key(value: str, name: str) -> bytes:
    text = value.strip()
    try:
        # Accept the standard and the URL-safe alphabets: both are common in secret stores.
        key = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} is not valid base64 (expected base64 of 32 bytes)") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"{name} must be base64 of exactly {KEY_BYTES} bytes, got {len(key)}")
    return key


class PiiCipher:
    """Encrypts personal fields and computes their blind indexes (see module docstring)."""

    def __init__(
        self,
        keys: dict[str, bytes],
        current_key_id: str,
        index_key: bytes,
        *,
        sm4_keys: dict[str, bytes] | None = None,
        index_hash: str = "sha256",
    ) -> None:
        for key_id, key in keys.items():
            if not key_id or "." in key_id:
                raise ValueError(f"key id {key_id!r} must be non-empty and contain no '.'")
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id} must be {KEY_BYTES} bytes, got {len(key)}")
        self._aeads: dict[str, Aead] = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._aeads |= {key_id: SM4GCM(key) for key_id, key in (sm4_keys or {}).items()}
        if current_key_id not in self._aeads:
            raise ValueError(f"current key id {current_key_id!r} is not in the keyring")
        if len(index_key) < 16:
            raise ValueError("index_key must be at least 16 bytes")
        if index_hash not in ("sha256", "sm3"):
            raise ValueError("index_hash must be sha256 or sm3")
        self._current_key_id = current_key_id
        self._index_key = index_key
        self._index_hash = index_hash
        self._purpose_keys: dict[str, bytes] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PiiCipher:
        """From ``PII_KEY``, ``PII_OLD_KEYS`` and ``PII_CIPHER`` in ``env`` (the commands)."""
        algorithm = (env.get("PII_CIPHER") or AES).strip().lower()
        return cls.from_env_value(env.get("PII_KEY", ""), env.get("PII_OLD_KEYS"), algorithm)

    @classmethod
    def from_env_value(
        cls, pii_key_b64: str, old_keys: str | None = None, algorithm: str = AES
    ) -> PiiCipher:
        """Build the cipher from ``PII_KEY`` and ``PII_OLD_KEYS`` (newest first, oldest last),
        writing with ``algorithm`` (``PII_CIPHER``); tokens of either algorithm are read."""
        if algorithm not in ALGORITHMS:
            raise ValueError(f"PII_CIPHER must be one of {', '.join(ALGORITHMS)}")
        current = _decode_env_key(pii_key_b64, "PII_KEY")
        entries = [part for part in (old_keys or "").split(",") if part.strip()]
        olds = [
            _decode_env_key(part, f"PII_OLD_KEYS entry {n}") for n, part in enumerate(entries, 1)
        ]
        keys: dict[str, bytes] = {}
        for key in [current, *olds]:
            key_id = key_id_for(key)
            if key_id in keys and keys[key_id] != key:
                raise ValueError(f"two different PII keys share the id {key_id}; generate another")
            keys[key_id] = key
        oldest = olds[-1] if olds else current
        sm4_keys = {sm4_key_id_for(key): _sm4_key(key) for key in keys.values()}
        current_id = sm4_key_id_for(current) if algorithm == SM4 else key_id_for(current)
        return cls(
            keys,
            current_id,
            _hkdf(oldest, _INDEX_INFO),
            sm4_keys=sm4_keys,
            index_hash="sm3" if algorithm == SM4 else "sha256",
        )

    @property
    def current_key_id(self) -> str:
        return self._current_key_id

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt under the current key, binding the token to ``context``."""
        # A fresh random nonce per message: GCM's security collapses if one ever repeats.
        nonce = os.urandom(NONCE_BYTES)
        aead = self._aeads[self._current_key_id]
        sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return f"{TOKEN_VERSION}.{self._current_key_id}.{_b64url_encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        """Decrypt a token written under any key of the keyring; raise ``PiiDecryptError``."""
        key_id, payload = _split(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise PiiDecryptError(f"unknown PII key id {key_id!r}")
        try:
            raw = _b64url_decode(payload)
        except (binascii.Error, ValueError):
            raise PiiDecryptError("PII token payload is not base64url") from None
        if len(raw) < NONCE_BYTES + _TAG_BYTES:
            raise PiiDecryptError("PII token payload is too short")
        try:
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
            return plain.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise PiiDecryptError(
                "PII token failed authentication (tampered or wrong context)"
            ) from None

    def key_id_of(self, token: str) -> str:
        return _split(token)[0]

    def needs_rotation(self, token: str) -> bool:
        return self.key_id_of(token) != self._current_key_id

    def rotate(self, token: str, *, context: str) -> str:
        """Re-encrypt under the current key; a token already under it is returned unchanged."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def blind_index(self, value: str, *, purpose: str) -> str:
        """HMAC-SHA256 hex of ``value`` under a key specific to ``purpose`` (HMAC-SM3 with
        ``PII_CIPHER=sm4-gcm``)."""
        return self._index(value, purpose, self._index_hash)

    def blind_indexes(self, value: str, *, purpose: str) -> list[str]:
        """The current index and the other algorithm's, for lookups during a switch."""
        other = "sha256" if self._index_hash == "sm3" else "sm3"
        return [self.blind_index(value, purpose=purpose), self._index(value, purpose, other)]

    def legacy_index(self, value: str, *, purpose: str) -> str:
        """The index the other algorithm gives (what rows indexed before a switch hold)."""
        return self.blind_indexes(value, purpose=purpose)[1]

    def _index(self, value: str, purpose: str, algorithm: str) -> str:
        if not purpose:
            raise ValueError("blind_index needs a purpose, e.g. 'id_number'")
        key = self._purpose_keys.get(purpose)
        if key is None:
            key = _hkdf(self._index_key, _INDEX_INFO + b"/" + purpose.encode("utf-8"))
            self._purpose_keys[purpose] = key
        if algorithm == "sm3":
            return _hmac_sm3(key, value.encode("utf-8"))
        return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _split(token: str) -> tuple[str, str]:
    parts = token.split(".")
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise PiiDecryptError("not a PII token (expected v1.<key_id>.<payload>)")
    if parts[0] != TOKEN_VERSION:
        raise PiiDecryptError(f"unsupported PII token version {parts[0][:8]!r}")
    return parts[1], parts[2]
