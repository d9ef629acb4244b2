"""What the browser tests share: Debian's chromium (never a downloaded browser), the flags it
runs with headless, and the demo stack they drive (in this process, on free ports)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from citysvc.demo import DemoStack, demo_stack

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed")


@asynccontextmanager
async def running_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DemoStack]:
    """The demo stack on a database of its own in ``tmp_path``, without Redis."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'demo.sqlite3'}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    async with demo_stack(
        "127.0.0.1", 0, ports=(0, 0, 0, 0), secrets_file=tmp_path / "keys.json", quiet=True
    ) as stack:
        yield stack
