"""Implementations of ``core.ports.SharedState``: Redis, and one process's memory."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from integrations.errors import Retryable

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_HIT = """
local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
return {n, redis.call('pttl', KEYS[1])}
"""


_FIRST_SWEEP = 10_000  # keys held before the first sweep of expired ones


class MemoryState:
    """State for a single process (no REDIS_URL). ``now`` is injectable for tests."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._data: dict[str, tuple[str, float | None]] = {}
        self._sweep_at = _FIRST_SWEEP

    def _store(self, key: str, value: str, expires: float | None) -> None:
        """Write, and drop expired keys once the map has doubled since the last sweep: a key
        nobody reads again (a citizen's rate-limit window) would otherwise stay forever."""
        self._data[key] = (value, expires)
        if len(self._data) >= self._sweep_at:
            now = self._now()
            for stale in [k for k, (_, e) in self._data.items() if e is not None and e <= now]:
                del self._data[stale]
            self._sweep_at = max(_FIRST_SWEEP, 2 * len(self._data))

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._now():
            del self._data[key]
            return None
        return value

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._store(key, value, None if ttl is None else self._now() + ttl)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def hit(self, key: str, window: float) -> tuple[int, float]:
        current = self._live(key)
        if current is None:
            self._store(key, "1", self._now() + window)
            return 1, window
        expires = self._data[key][1] or self._now()
        count = int(current) + 1
        self._data[key] = (str(count), expires)
        return count, max(expires - self._now(), 0.0)

    async def acquire(self, key: str, ttl: float) -> str | None:
        if self._live(key) is not None:
            return None
        token = secrets.token_hex(8)
        await self.set(key, token, ttl)
        return token

    async def release(self, key: str, token: str) -> None:
        if self._live(key) == token:
            del self._data[key]

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


class RedisState:
    """State shared by every process and machine through one Redis."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._release = self._redis.register_script(_RELEASE)
        self._hit = self._redis.register_script(_HIT)

    @property
    def client(self) -> aioredis.Redis:
        return self._redis

    async def get(self, key: str) -> str | None:
        try:
            value = cast(str | None, await self._redis.get(key))
        except RedisError as exc:
            raise Retryable("redis unavailable", platform="redis") from exc
        return value

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        try:
            await self._redis.set(key, value, px=None if ttl is None else int(ttl * 1000))
        except RedisError as exc:
            raise Retryable("redis unavailable", platform="redis") from exc

    async def delete(self, key: str) -> None:
        try:
            await self._redis.delete(key)
        except RedisError as exc:
            raise Retryable("redis unavailable", platform="redis") from exc

    async def hit(self, key: str, window: float) -> tuple[int, float]:
        try:
            count, pttl = await self._hit(keys=[key], args=[int(window * 1000)])
        except RedisError as exc:
            raise Retryable("redis unavailable", platform="redis") from exc
        return int(count), max(int(pttl), 0) / 1000

    async def acquire(self, key: str, ttl: float) -> str | None:
        token = secrets.token_hex(8)
        try:
            ok = await self._redis.set(key, token, nx=True, px=int(ttl * 1000))
        except RedisError as exc:
            raise Retryable("redis unavailable", platform="redis") from exc
        return token if ok else None

    async def release(self, key: str, token: str) -> None:
        try:
            await self._release(keys=[key], args=[token])
        except RedisError as exc:
            raise Retryable("redis unavailable", platform="redis") from exc

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()


def shared_state(redis_url: str | None) -> MemoryState | RedisState:
    """Redis when a URL is configured, else this process's memory."""
    return RedisState(redis_url) if redis_url else MemoryState()
