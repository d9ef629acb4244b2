"""The audit chain's keys: a secret outside the database, so a database alone cannot forge.

``AUDIT_KEY`` (at least 32 characters) when set, else derived from ``SECRET_KEY``; each
purpose gets its own key by HKDF-SHA256: ``chain`` keys every entry's HMAC, ``anchor`` signs
the checkpoints ``citysvc audit anchor`` writes. Set ``AUDIT_KEY`` before rotating
``SECRET_KEY``: entries keyed from the old secret would otherwise no longer verify.

Processes that write entries (the API, the worker) call ``configure`` at start;
``current`` raises until they have, so no entry is ever written unkeyed by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.errors import SettingsError


@dataclass(frozen=True)
class AuditKeys:
    chain: bytes
    anchor: bytes


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def audit_keys(secret_key: str | None, audit_key: str | None) -> AuditKeys:
    """The keys from ``AUDIT_KEY``, else from ``SECRET_KEY``; SettingsError without either."""
    if audit_key:
        material, source = audit_key.encode(), b"audit-key"
    elif secret_key:
        material, source = secret_key.encode(), b"secret-key"
    else:
        raise SettingsError(["AUDIT_KEY or SECRET_KEY is required to key the audit trail"])
    return AuditKeys(
        chain=_derive(material, b"citysvc audit chain/" + source),
        anchor=_derive(material, b"citysvc audit anchor/" + source),
    )


def keys_from_env(env: Mapping[str, str]) -> AuditKeys:
    return audit_keys(env.get("SECRET_KEY"), env.get("AUDIT_KEY"))


_configured: AuditKeys | None = None


def configure(keys: AuditKeys) -> None:
    global _configured
    _configured = keys


def current() -> AuditKeys:
    if _configured is None:
        raise RuntimeError("the audit keys are not configured (audit_keys.configure at start)")
    return _configured
