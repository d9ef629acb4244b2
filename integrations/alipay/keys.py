"""RSA-2048 key pairs in the PEM forms Alipay and the SDK use (for tests, demos and the sandbox)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class KeyPair:
    """A private key (PKCS#1 PEM, as Alipay's key tool writes it) and its public key (SPKI PEM)."""

    private_pem: str
    public_pem: str


def generate_keypair(bits: int = 2048) -> KeyPair:
    """Generate a fresh RSA key pair; about 0.1 s of CPU, so share one per test session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return KeyPair(private_pem=private_pem, public_pem=public_pem)
