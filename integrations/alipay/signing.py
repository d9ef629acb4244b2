"""Alipay's RSA2 signatures (SHA256withRSA, PKCS#1 v1.5) with ``cryptography``.

python-alipay-sdk builds the parameters (``build_body``) but signs and verifies with
pycryptodomex, about 2.7 times slower to sign and 20 times slower to verify on the same
keys (``bench/alipay_sign.py``). This module signs and verifies the same bytes with OpenSSL
through ``cryptography``, keys parsed once per app, and uses none of the SDK's private methods.

The signed query is byte-identical to the SDK's ``sign_data`` (``tests/integrations/alipay/
test_signing.py`` proves it): nested dicts dumped as compact JSON, items sorted, joined raw as
``k=v&...`` and signed; then every value (and the base64 ``sign``) ``quote_plus``-ed.
An answer is verified over the raw text of its ``<method>_response`` node, never re-serialised.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import quote_plus

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


class SignatureMismatch(ValueError):
    """The answer's signature does not verify, or its node cannot be found."""


class Rsa2Signer:
    """One app's private key and Alipay's public key, parsed once; thread-safe (OpenSSL)."""

    def __init__(self, app_private_key_pem: str, alipay_public_key_pem: str) -> None:
        private = serialization.load_pem_private_key(app_private_key_pem.encode(), password=None)
        public = serialization.load_pem_public_key(alipay_public_key_pem.encode())
        if not isinstance(private, rsa.RSAPrivateKey) or not isinstance(public, rsa.RSAPublicKey):
            raise ValueError("Alipay RSA2 needs RSA keys")
        self._private = private
        self._public = public

    def sign(self, content: str) -> str:
        """Base64 SHA256withRSA signature of ``content`` (UTF-8), one line."""
        signature = self._private.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def verify(self, content: str, sign: str) -> None:
        """Raise ``SignatureMismatch`` unless ``sign`` is Alipay's signature of ``content``."""
        try:
            signature = base64.b64decode(sign, validate=True)
            self._public.verify(signature, content.encode(), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error) as exc:
            raise SignatureMismatch("signature does not verify") from exc

    def signed_query(self, body: dict[str, Any]) -> str:
        """The form body of a gateway call: ``body`` (from the SDK's ``build_body``) signed."""
        items = sorted(
            (key, json.dumps(value, separators=(",", ":")) if isinstance(value, dict) else value)
            for key, value in body.items()
        )
        sign = self.sign("&".join(f"{key}={value}" for key, value in items))
        items.append(("sign", sign))
        return "&".join(f"{key}={quote_plus(str(value))}" for key, value in items)

    def verified_node(self, raw: str, node_name: str, sign: str) -> dict[str, Any]:
        """The ``node_name`` object of the answer ``raw``, once ``sign`` verifies over its text."""
        text = node_text(raw, node_name)
        self.verify(text, sign)
        node = json.loads(text)
        if not isinstance(node, dict):
            raise SignatureMismatch(f"{node_name} is not an object")
        return node


def node_text(raw: str, node_name: str) -> str:
    """The exact characters of the value of the first ``"node_name":`` key in ``raw``.

    The JSON decoder finds its end, so braces inside string values cannot cut it short.
    """
    key = f'"{node_name}"'
    at = raw.find(key)
    while at != -1:
        colon = _skip(raw, at + len(key))
        if colon < len(raw) and raw[colon] == ":":
            start = _skip(raw, colon + 1)
            try:
                _, end = _DECODER.raw_decode(raw, start)
            except ValueError as exc:
                raise SignatureMismatch(f"{node_name} is not JSON") from exc
            return raw[start:end]
        at = raw.find(key, at + 1)
    raise SignatureMismatch(f"answer has no {node_name}")


def _skip(raw: str, at: int) -> int:
    while at < len(raw) and raw[at] in _WHITESPACE:
        at += 1
    return at
