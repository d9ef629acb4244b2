"""The staff console in a real browser: Debian's chromium driven by Playwright (never a
downloaded browser), against the demo stack (API with the console, sandboxes, worker jobs,
demo staff) started in this process on free ports. Screenshots go to ``artefacts/console/``
(gitignored): look at them.

``console`` yields a ``Console``: ``await console.sign_in(ROLE_ACCOUNTS["clerk"])`` opens a
fresh browser context (its own cookie jar) signed in through the form as that demo account
(password ``DEMO_PASSWORD``) and returns its page; ``await console.shot(page, "name")``
saves a full-page screenshot. ``file_case`` files a case as a WeChat citizen through the
public API (consent taps included, so the pushes reach the WeChat sandbox).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from citysvc.demo import DemoStack
from citysvc.demo_data import DEMO_PASSWORD
from tests.browser import CHROMIUM, FLAGS, running_demo

ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "console"
VIEWPORT = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}

# a demo account of each role (citysvc/demo_data.py): ``console.sign_in(ROLE_ACCOUNTS["clerk"])``
ROLE_ACCOUNTS = {
    "clerk": "clerk-321012-ga-hz",
    "supervisor": "supervisor-321012-bdc",
    "publicity": "publicity1",
    "admin": "admin",
}


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

    async def small_shot(self, page: Any, name: str) -> None:
        """The page as it stands, 1280x800 drawn at three quarters: the README's pictures
        (copied by hand from ``artefacts/console/readme-*.png`` to ``docs/images/``)."""
        state = await page.context.storage_state()
        context = await self.browser.new_context(
            viewport=VIEWPORT, device_scale_factor=0.75, locale="zh-CN", storage_state=state
        )
        try:
            copy = await context.new_page()
            await copy.goto(page.url)
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            await copy.screenshot(path=ARTEFACTS / f"readme-{name}.png")
        finally:
            await context.close()


@pytest.fixture
async def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DemoStack]:
    async with running_demo(tmp_path, monkeypatch) as running:
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


# --- a citizen filing through the public API, as the mini-program would ----------------

ID_NUMBER = "11010519491231002X"  # typed into the form by the citizen: shown masked
CASE_ITEM = "321012-000-GG-00102"  # 居民身份证换领, department 321012-GA-HZ (ems or pickup)
# what the mini-program asks consent for: progress, result and delivery pushes
TEMPLATES = ["wx-demo-case-progress", "wx-demo-case-result", "wx-demo-delivery"]


def pdf(text: str = "ID card (scanned copy)") -> bytes:
    """A real one-page PDF that a PDF viewer opens (offsets in the xref table and all)."""
    stream = f"BT /F1 18 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


ADDRESS = {
    "name": "张三",
    "phone": "13812345678",
    "province": "江苏省",
    "city": "扬州市",
    "district": "江都区",
    "detail": "仙女镇龙川路88号3幢201室",
}


def png(width: int = 120, height: int = 90) -> bytes:
    """A real PNG (a blue and white photo-receipt stand-in) the browser can show."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\0"
        + b"".join(
            b"\x0b\x4f\x8a" if (x // 10 + y // 10) % 2 else b"\xff\xff\xff" for x in range(width)
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def tap(stack: DemoStack, openid: str, credits: int) -> dict[str, str]:
    """The citizen logs in and taps 允许 ``credits`` times on the subscription prompt (each
    tap reported as the mini-program does); the Authorization header of that login."""
    import aiohttp

    from citysvc.demo import DEMO_WECHAT_APPID

    api = stack.api + "/api/v1"
    async with aiohttp.ClientSession() as http:
        code = stack.wechat.issue_code(DEMO_WECHAT_APPID, openid=openid)
        async with http.post(f"{api}/auth/wechat", json={"code": code}) as resp:
            auth = {"Authorization": f"Bearer {(await resp.json())['token']}"}
        tapped = {"platform": "wechat", "accepted": TEMPLATES, "rejected": []}
        for _ in range(credits):
            for template in TEMPLATES:
                stack.wechat.grant_consent(openid, template)
            async with http.post(f"{api}/consents", json=tapped, headers=auth) as resp:
                assert resp.status == 200, await resp.text()
    return auth


async def file_case(
    stack: DemoStack,
    openid: str,
    *,
    item: str = CASE_ITEM,
    materials: tuple[str, ...] = ("原居民身份证", "符合标准的数码相片回执"),
    method: str = "ems",
    credits: int = 3,
    form: dict[str, object] | None = None,
    bundle: str | None = None,
) -> str:
    """A WeChat citizen ``openid`` logs in, subscribes (``credits`` taps) and files a case
    with a PDF and a photo; the case number."""
    import aiohttp

    api = stack.api + "/api/v1"
    async with aiohttp.ClientSession() as http:
        auth = await tap(stack, openid, credits)
        files = []
        for content in (pdf(), png()):
            upload = aiohttp.FormData()
            upload.add_field("file", content, filename="f", content_type="application/octet-stream")
            async with http.post(f"{api}/uploads", data=upload, headers=auth) as resp:
                assert resp.status == 201, await resp.text()
                files.append((await resp.json())["file_id"])
        body = {
            "item_code": item,
            "form": form
            or {"换领原因": "证件有效期满", "联系电话": "13812345678", "原证号码": ID_NUMBER},
            "materials": [
                {"name": name, "file_id": files[i % 2]} for i, name in enumerate(materials)
            ],
            "delivery": {"method": method, "address": ADDRESS},
        }
        if bundle is not None:  # a one-thing bundle: the number of its first case
            del body["item_code"]
            url = f"{api}/bundles/{bundle}/applications"
            async with http.post(url, json=body, headers=auth) as resp:
                answer = await resp.json()
                assert resp.status == 201, answer
                return str(answer["applications"][0]["number"])
        async with http.post(f"{api}/applications", json=body, headers=auth) as resp:
            answer = await resp.json()
            assert resp.status == 201, answer
            return str(answer["number"])


async def staff_login(http: Any, base: str, username: str) -> dict[str, str]:
    """A demo staff account's Authorization header for the staff API."""
    body = {"username": username, "password": DEMO_PASSWORD}
    async with http.post(f"{base}/api/v1/staff/login", json=body) as resp:
        assert resp.status == 200, await resp.text()
        return {"Authorization": f"Bearer {(await resp.json())['token']}"}
