"""A stand-in identity provider for tests and demos: it passes whom it is told to pass.

It is never chosen on its own: ``integrations.wiring.Platforms.verifiers`` only returns the
real WeChat and Alipay adapters, and a platform without one answers 503. Falling back to this
fake would let anyone claim any ID number and, through account joining, take over the
account of whoever holds it; so it must be passed in explicitly (``create_app(verifiers=)``).

Attempts live in the shared state (Redis when configured), so a demo served by several
workers, or a helper process, can complete them: ``complete(ref, passed)`` plays the part of
the citizen finishing the face check. ``auto_pass=True`` passes every attempt at once.
"""

from __future__ import annotations

import secrets

from core.ports import IdentityClaim, SharedState, VerificationTicket
from integrations.keys import IDENTITY_SANDBOX

PROVIDER = "sandbox"
KEY = IDENTITY_SANDBOX
LIFETIME = 3600.0
_PENDING, _PASSED, _FAILED = "pending", "passed", "failed"


class SandboxIdentityVerifier:
    """The fake provider; ``opens`` is ``{"sandbox_id": ref}``."""

    provider = PROVIDER

    def __init__(self, state: SharedState, *, auto_pass: bool = False) -> None:
        self._state = state
        self._auto_pass = auto_pass

    async def start(self, claim: IdentityClaim) -> VerificationTicket:
        ref = "sbx_" + secrets.token_urlsafe(18)
        await self._state.set(KEY + ref, _PASSED if self._auto_pass else _PENDING, LIFETIME)
        return VerificationTicket(ref=ref, opens={"sandbox_id": ref})

    async def passed(self, claim: IdentityClaim, ref: str) -> bool:
        return await self._state.get(KEY + ref) == _PASSED

    async def complete(self, ref: str, passed: bool) -> None:
        """The citizen finished the (pretend) face check, matching or not."""
        if await self._state.get(KEY + ref) is None:
            raise KeyError(f"no sandbox verification {ref}")
        await self._state.set(KEY + ref, _PASSED if passed else _FAILED, LIFETIME)
