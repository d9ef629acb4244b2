"""The access token, shared by every worker: cached in shared state, refreshed in one place.

Several workers refreshing on their own cause 40001 storms (the vendor's docs), so a refresh
takes a lock in shared state (Redis across processes) and everyone else waits for the token
it writes. An in-process memo keeps the hot path off Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from core.metrics import TOKEN_REFRESHES
from core.ports import SharedState
from integrations import keys
from integrations.errors import Retryable

log = logging.getLogger("citysvc.integrations.wechat.token")

Fetch = Callable[[], Awaitable[tuple[str, int]]]


class AccessTokenManager:
    """Hands out a token with more than ``margin`` seconds left, refreshing when needed.

    ``fetch`` returns ``(token, expires_in)`` (the client's ``stable_token``). ``now`` is the
    wall clock that expiry is measured on; waiting for another refresher uses the monotonic
    clock so a frozen test clock cannot make it spin forever.
    """

    def __init__(
        self,
        state: SharedState,
        fetch: Fetch,
        appid: str,
        now: Callable[[], float] = time.time,
        *,
        margin: float = 300.0,
        lock_ttl: float = 15.0,
        wait: float = 10.0,
        poll: float = 0.05,
    ) -> None:
        self._state = state
        self._fetch = fetch
        self._now = now
        self._key = keys.WECHAT_TOKEN + appid
        self._lock_key = keys.WECHAT_TOKEN_LOCK + appid
        self._margin = margin
        self._lock_ttl = lock_ttl  # longer than one fetch may take, so a holder keeps it
        self._wait = wait
        self._poll = poll
        self._memo: tuple[str, float] | None = None
        self._local = asyncio.Lock()  # one coroutine per process goes to shared state

    async def get(self) -> str:
        """A valid token: from the memo, else shared state, else one coordinated refresh."""
        token = self._fresh(self._memo)
        if token:
            return token
        async with self._local:
            token = self._fresh(self._memo) or await self._from_state()
            return token or await self._refresh()

    async def invalidate(self, bad_token: str) -> None:
        """Forget ``bad_token`` (the platform refused it), unless it was already replaced.

        Comparing first means fifty calls failing with the same token cause one refresh. A
        rare race can delete a just-written new token; that only costs one extra fetch, and
        stable_token answers it with the same token.
        """
        if self._memo and self._memo[0] == bad_token:
            self._memo = None
        cached = _parse(await self._state.get(self._key))
        if cached and cached[0] == bad_token:
            await self._state.delete(self._key)

    def _fresh(self, entry: tuple[str, float] | None) -> str | None:
        if entry and entry[1] - self._now() > self._margin:
            return entry[0]
        return None

    async def _from_state(self) -> str | None:
        entry = _parse(await self._state.get(self._key))
        token = self._fresh(entry)
        if token:
            self._memo = entry
        return token

    async def _refresh(self) -> str:
        """Refresh under the shared lock, or wait (bounded) for whoever holds it."""
        deadline = time.monotonic() + self._wait
        while True:
            lock = await self._state.acquire(self._lock_key, self._lock_ttl)
            if lock is not None:
                try:
                    # Double-check: the previous holder may have just written a token.
                    return await self._from_state() or await self._fetch_and_store()
                finally:
                    await self._state.release(self._lock_key, lock)
            if time.monotonic() >= deadline:
                raise Retryable("wechat access token refresh is taking too long", platform="wechat")
            await asyncio.sleep(self._poll)
            token = await self._from_state()
            if token:
                return token

    async def _fetch_and_store(self) -> str:
        token, expires_in = await self._fetch()
        TOKEN_REFRESHES.labels("wechat").inc()
        expires_at = self._now() + expires_in
        payload = json.dumps({"token": token, "expires_at": expires_at})
        await self._state.set(self._key, payload, ttl=max(expires_in, 1))
        self._memo = (token, expires_at)
        log.info("wechat access token refreshed; expires in %s s", expires_in)
        return token


def _parse(raw: str | None) -> tuple[str, float] | None:
    """The cached ``(token, expires_at)``; None when absent or unreadable."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return str(data["token"]), float(data["expires_at"])
    except (ValueError, KeyError, TypeError):
        return None
