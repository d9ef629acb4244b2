"""Every operation of the published OpenAPI document, fuzzed: no answer may be a 5xx.

schemathesis (its command line, in a subprocess) reads ``/docs/openapi.json`` from a real
server on SQLite and on PostgreSQL, with a fixed seed and a bounded number of examples per
operation, once with a verified citizen's token and once with an administrator's token. Its
only check is ``not_a_server_error``: malformed input must be refused with a 4xx, never
reach the database as something it refuses (NUL characters, year 1 dates, non-uuid ids).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from core.clock import FrozenClock
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders, harness
from tests.bot.follower import AES_KEY, OA_APPID, TOKEN
from tests.harness import Api

SEED = 13
EXAMPLES = int(os.environ.get("CITYSVC_FUZZ_EXAMPLES", "25"))
# Operations that end the caller's own session or account would leave the rest of the run
# knocking at a closed door (401s): they are fuzzed through their own tests instead.
ENDING = r"^/api/v1/(me|auth/logout)$"
# The board's event stream never ends by design: every fuzzed request would wait out the
# client's timeout. Its own tests (tests/feedback/test_board.py) cover it.
ENDLESS = r"^/api/v1/public/board/stream$"
STAFF = r"^/api/v1/staff/"


async def _schemathesis(api: Api, token: str, *filters: str, report: Path) -> tuple[int, str]:
    st = Path(sys.executable).parent / "st"
    proc = await asyncio.create_subprocess_exec(
        str(st),
        "run",
        f"{api.url}/docs/openapi.json",
        "--checks",
        "not_a_server_error",
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",  # hypothesis describes strategies with a cache that threads trip over
        "--no-shrink",
        "--request-timeout",
        "20",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        "-H",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        *filters,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(os.environ, NO_COLOR="1"),
        cwd=report.parent,  # its example database and cache stay out of the work tree
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")


async def _fuzz(api: Api, wechat: WeChatSandbox, tmp_path: Path) -> None:
    await builders.add_item()
    citizen = await builders.citizen_token(api, wechat)
    await builders.verify_directly((await builders.me(api, citizen))["id"])
    await builders.file_case(api, citizen)
    admin = await builders.staff_token(api, "fuzzadmin", role="admin", department=None)
    runs = [
        ("citizen", citizen, ("--exclude-path-regex", f"{STAFF}|{ENDING}|{ENDLESS}")),
        ("staff", admin, ("--include-path-regex", STAFF)),
    ]
    failures = []
    for name, token, filters in runs:
        code, out = await _schemathesis(api, token, *filters, report=tmp_path / f"{name}.xml")
        (tmp_path / f"{name}.txt").write_text(out)
        if code != 0:
            failures.append(f"--- {name} run (exit {code}) ---\n{out[-12000:]}")
    assert not failures, "\n".join(failures)


def _oa(platform_env: dict[str, str]) -> dict[str, str]:
    """Every platform configured, so that no operation answers 503 for being switched off."""
    return dict(
        platform_env, WECHAT_OA_APPID=OA_APPID, WECHAT_OA_TOKEN=TOKEN, WECHAT_OA_AES_KEY=AES_KEY
    )


async def test_no_5xx_on_sqlite(
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    wechat: WeChatSandbox,
    tmp_path: Path,
) -> None:
    settings = harness.settings_for(database_url, **_oa(platform_env))
    async with harness.running_api(settings, clock) as api:
        await _fuzz(api, wechat, tmp_path)


async def test_no_5xx_on_postgres(
    postgres_url: str,
    postgres_template: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    wechat: WeChatSandbox,
    tmp_path: Path,
) -> None:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    settings = harness.settings_for(url, **_oa(platform_env))
    async with harness.running_api(settings, clock) as api:
        await _fuzz(api, wechat, tmp_path)
