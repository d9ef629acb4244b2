"""`citysvc worker`: runs the background jobs (dispatch, sweeps, polling) until signalled."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.db import close_db, init_db
from core.settings import Settings
from integrations.wiring import Platforms, open_platforms

log = logging.getLogger("citysvc.worker")

Job = Callable[[Platforms], Awaitable[None]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: float
    run: Job


def jobs() -> list[PeriodicJob]:
    """The jobs this release runs; each feature adds its own here."""
    return []


async def _loop(job: PeriodicJob, platforms: Platforms, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job.run(platforms)
        except Exception:  # one failed round must not end the worker; the next round retries
            log.exception("job %s failed", job.name)
        try:
            await asyncio.wait_for(stop.wait(), timeout=job.every)
        except TimeoutError:
            continue


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run every job until SIGTERM/SIGINT (or ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await init_db(settings.database_url)
    platforms = open_platforms(settings)
    try:
        tasks = [asyncio.create_task(_loop(job, platforms, stop)) for job in jobs()]
        log.info("worker started with %d jobs", len(tasks))
        await stop.wait()
        await asyncio.gather(*tasks)
    finally:
        await platforms.close()
        await close_db()
    return 0
