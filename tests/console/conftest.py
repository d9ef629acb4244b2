"""The staff console in a real browser: Debian's chromium driven by Playwright (never a
downloaded browser), against the demo stack (API with the console, sandboxes, worker jobs,
demo staff) started in this process on free ports. Screenshots go to ``artefacts/console/``
(gitignored): look at them.

``console`` yields a ``Console``: ``await console.sign_in("clerk-321012-ga-hz")`` opens a
fresh browser context signed in as that demo account (password ``DEMO_PASSWORD``) and
returns its page; ``await console.shot(page, "name")`` saves a screenshot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from citysvc.demo import DemoStack, demo_stack
from citysvc.demo_data import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "console"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed")


@dataclass
class Console:
    stack: DemoStack
    browser: Any
    contexts: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.stack.api + "/console/"

    async def new_page(self, viewport: dict[str, int] = VIEWPORT) -> Any:
        context = await self.browser.new_context(viewport=viewport, locale="zh-CN")
        self.contexts.append(context)
        return await context.new_page()

    async def sign_in(self, username: str, viewport: dict[str, int] = VIEWPORT) -> Any:
        """A new browser context signed in through the form as ``username``."""
        from playwright.async_api import expect

        page = await self.new_page(viewport)
        await page.goto(self.stack.api + "/console/login")
        await page.get_by_label("用户名").fill(username)
        await page.get_by_label("密码").fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("button", name="退出")).to_be_visible()
        return page

    async def shot(self, page: Any, name: str) -> None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTEFACTS / f"{name}.png", full_page=True)


@pytest.fixture
async def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DemoStack]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'console.sqlite3'}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    async with demo_stack(
        "127.0.0.1", 0, ports=(0, 0, 0, 0), secrets_file=tmp_path / "keys.json", quiet=True
    ) as running:
        yield running


@pytest.fixture
async def console(stack: DemoStack) -> AsyncIterator[Console]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        # launch() gives chromium a fresh temporary profile of its own (the user data dir);
        # each signed-in role gets its own context, so its own cookie jar
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        running = Console(stack, browser)
        try:
            yield running
        finally:
            for context in running.contexts:
                await context.close()
            await browser.close()
