"""The account use cases run on the identity tests' database and builders."""

from __future__ import annotations

from tests.core.identity.conftest import cipher, db

__all__ = ["cipher", "db"]
