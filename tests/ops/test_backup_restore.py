"""The backup drill of docs/operations.md: dump, restore into a fresh database, verify."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api


def pg_tool(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else name


def citysvc(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **harness.env_for(database_url))
    return subprocess.run(
        [sys.executable, "-m", "citysvc", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_a_restored_dump_passes_audit_verify(
    pg_api: Api, wechat: WeChatSandbox, postgres_url: str, tmp_path: Path
) -> None:
    citizen, clerk, number = await b.new_case(pg_api, wechat)
    for action in ("accept", "start_review"):
        assert (await b.act(pg_api, clerk, number, action))[0] == 200
    source = pg_api.server.app.ctx.services.settings.database_url
    dump = tmp_path / "citysvc.dump"
    # the commands docs/operations.md gives: custom format, restored without owners
    subprocess.run([pg_tool("pg_dump"), "-Fc", "-f", str(dump), source], check=True)
    restored = await harness.fresh_postgres(postgres_url)
    subprocess.run([pg_tool("pg_restore"), "--no-owner", "-d", restored, str(dump)], check=True)
    result = citysvc(restored, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    status, case, _ = await pg_api.call("GET", f"/api/v1/applications/{number}", token=citizen)
    assert status == 200 and case["status"] == "under_review"
    # and the drill would notice a damaged copy: the restored trail is really checked
    subprocess.run(
        [pg_tool("psql"), restored, "-c", "UPDATE audit_entry SET note = 'changed'"],
        check=True,
        capture_output=True,
    )
    assert citysvc(restored, "audit", "verify").returncode == 1
