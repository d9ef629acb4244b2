"""One poller per worker process fans the public board's new entries out to its streams.

Entries are database rows (``case_finish``), so every worker of every machine sees every
entry: each worker's hub asks for rows after the last it saw every ``poll`` seconds, one
indexed query, and only while at least one stream is open. Streams do not poll: they wait
on the hub's event, which is replaced by a fresh one each time new entries arrive, and
read them from the hub's window of recent entries. A thousand open streams therefore cost
one query per poll and one wake-up each per entry, not a thousand queries.

A stream resuming from an id older than the window (``Last-Event-ID`` after a long break)
reads its backlog from the database once, then joins the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from core.feedback.board import entries_after, last_id

log = logging.getLogger("citysvc.board")

WINDOW = 1000  # recent entries each hub keeps for its streams
Entry = dict[str, Any]


class BoardHub:
    def __init__(
        self,
        poll: float = 0.25,
        fetch: Callable[[int], Awaitable[list[Entry]]] = entries_after,
        newest: Callable[[], Awaitable[int]] = last_id,
    ) -> None:
        self.poll = poll
        self._fetch, self._newest = fetch, newest
        self._window: deque[Entry] = deque(maxlen=WINDOW)
        self._floor = 0  # the window holds every entry with an id above this
        self._latest = 0  # the newest id seen
        self._fresh = False  # _latest is current (False after an idle spell)
        self._event = asyncio.Event()
        self.listeners = 0
        self.closed = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Wake every stream so it ends, and stop polling."""
        self.closed = True
        self._event.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def cursor(self) -> int:
        """The newest entry id now: a new stream sends only what comes after it."""
        if self._fresh and self.listeners:
            return self._latest
        return await self._newest()

    async def _run(self) -> None:
        while not self.closed:
            try:
                await self.check()
            except Exception:  # the database may be briefly away: try again next round
                log.warning("board poll failed", exc_info=True)
            await asyncio.sleep(self.poll)

    async def check(self) -> int:
        """One poll: take in new entries and wake the streams; how many came."""
        if not self.listeners:
            self._fresh = False
            return 0
        woke = False
        if not self._fresh:  # back from idle: start from the newest, streams catch up alone
            self._latest = self._floor = await self._newest()
            self._window.clear()
            self._fresh = woke = True  # streams waiting since before must look again
        rows = await self._fetch(self._latest)
        if not rows:
            if woke:
                self._wake()
            return 0
        if len(rows) + len(self._window) > WINDOW:
            dropped = len(rows) + len(self._window) - WINDOW
            kept = list(self._window)[dropped:] if dropped < len(self._window) else []
            self._floor = int((kept[0] if kept else rows[0])["id"]) - 1
        self._window.extend(rows)
        self._latest = int(rows[-1]["id"])
        self._wake()
        return len(rows)

    def _wake(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def after(self, since: int, timeout: float) -> list[Entry]:
        """Entries after ``since``, waiting up to ``timeout`` seconds for some to come."""
        found = await self._since(since)
        if found or self.closed:
            return found
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return []
        return await self._since(since)

    async def _since(self, since: int) -> list[Entry]:
        if not self._fresh or since < self._floor:
            backlog = await self._fetch(since)  # older than the window: from the database
            if not self._fresh:
                return backlog
            return [e for e in backlog if int(e["id"]) <= self._latest]
        if since >= self._latest:
            return []
        return [e for e in self._window if int(e["id"]) > since]
