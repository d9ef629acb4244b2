"""Per-platform send rates, shared by every worker through the shared state (Redis).

Each send counts one hit in the platform's one-second window; past the limit the sender
waits for the window to end. Campaign sends also count in a window of their own capped at
``campaign_share`` of the limit, so a campaign can never take the last part of a second's
budget: milestone messages always find room and never wait behind campaign traffic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from core.outbox.models import CAMPAIGN_LANE
from core.ports import SharedState
from integrations import keys

WINDOW = 1.0
MIN_WAIT = 0.002  # a window about to reset: wait a little rather than spin

Sleep = Callable[[float], Awaitable[None]]


class PlatformLimiter:
    """``per_second`` maps a channel to its limit; a channel not listed is not limited."""

    def __init__(
        self,
        state: SharedState,
        per_second: Mapping[str, int],
        *,
        campaign_share: float = 0.8,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._state = state
        self._limits = dict(per_second)
        self._share = campaign_share
        self._sleep = sleep
        self.waits = 0  # how often a sender had to wait (figures, tests)

    async def take(self, channel: str, lane: str) -> None:
        """Wait until one more send on ``channel`` fits in the current window."""
        limit = self._limits.get(channel)
        if not limit:
            return
        if lane == CAMPAIGN_LANE:
            await self._within(f"{keys.NOTIFY_RATE}{channel}:campaign", int(limit * self._share))
        await self._within(f"{keys.NOTIFY_RATE}{channel}", limit)

    async def _within(self, key: str, limit: int) -> None:
        while True:
            count, reset_in = await self._state.hit(key, WINDOW)
            if count <= max(limit, 1):
                return
            self.waits += 1
            await self._sleep(max(reset_in, MIN_WAIT))
