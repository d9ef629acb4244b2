"""The audit trail cannot be rewritten unseen (issue 13, 3).

Entries are keyed with a secret outside the database, so recomputing hashes with the
project's own function no longer verifies; an anchor written by `citysvc audit anchor`
catches a rewrite of every hash before it, and entries from before the keyed chain still
verify.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tortoise import connections

from core.cases.audit import LEGACY, entry_hash
from core.cases.models import Application, AuditEntry
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api
from tests.miniapp_api.test_staff_cases import audit_verify


def anchor(database_url: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=harness.SECRET_KEY)
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "audit", "anchor", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _rewrite(case_id: int, *, as_legacy: bool, note: str = "看起来一切正常") -> None:
    """What someone holding the database does: change entry 2's actor and note, then
    recompute every hash of the chain with the project's own (unkeyed) function."""
    entries = await AuditEntry.filter(application_id=case_id).order_by("seq")
    prev = "0" * 64
    for entry in entries:
        if entry.seq == 2:
            entry.actor, entry.note = "staff:nobody", note
        digest = entry_hash(
            prev,
            entry.application_id,
            entry.seq,
            entry.actor,
            entry.action,
            entry.from_status,
            entry.to_status,
            entry.note,
            entry.at,
        )
        alg = LEGACY if as_legacy else entry.alg
        await AuditEntry.filter(id=entry.id).update(
            actor=entry.actor, note=entry.note, prev_hash=prev, hash=digest, alg=alg
        )
        prev = digest


async def _approved_case(api: Api, wechat: WeChatSandbox) -> tuple[str, int]:
    _, clerk, number = await b.new_case(api, wechat)
    for action in ("accept", "start_review", "approve"):
        assert (await b.act(api, clerk, number, action))[0] == 200
    return number, (await Application.get(number=number)).id


async def test_recomputed_hashes_do_not_verify(
    api: Api, wechat: WeChatSandbox, database_url: str
) -> None:
    number, case_id = await _approved_case(api, wechat)
    await _rewrite(case_id, as_legacy=False)
    broken = await asyncio.to_thread(audit_verify, database_url)
    assert broken.returncode == 1
    assert f"case {number}, entry 1: content does not match its hash" in broken.stdout


async def test_an_anchor_catches_a_rewrite_of_every_hash(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    number, case_id = await _approved_case(api, wechat)
    written = await asyncio.to_thread(anchor, database_url, tmp_path / "a.json")
    assert written.returncode == 0 and "audit anchor of 1 chains" in written.stdout
    ok = await asyncio.to_thread(audit_verify, database_url, "--anchor", str(tmp_path / "a.json"))
    assert ok.returncode == 0 and "audit trail intact" in ok.stdout, ok.stdout + ok.stderr
    # every entry turned into an "old" unkeyed one and every hash recomputed
    await _rewrite(case_id, as_legacy=True)
    broken = await asyncio.to_thread(
        audit_verify, database_url, "--anchor", str(tmp_path / "a.json")
    )
    assert broken.returncode == 1
    assert f"case {number}, entry 1: an unkeyed entry written after the checkpoint" in (
        broken.stdout
    )
    # an anchor whose heads were edited to match is refused: its signature is keyed too
    data = json.loads((tmp_path / "a.json").read_text())
    data["heads"][0][2] = (await AuditEntry.get(application_id=case_id, seq=4)).hash
    (tmp_path / "b.json").write_text(json.dumps(data))
    forged = await asyncio.to_thread(
        audit_verify, database_url, "--anchor", str(tmp_path / "b.json")
    )
    assert forged.returncode == 1 and "signature does not verify" in forged.stdout


async def test_a_chain_removed_after_the_anchor_is_missing(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    number, case_id = await _approved_case(api, wechat)
    await asyncio.to_thread(anchor, database_url, tmp_path / "a.json")
    conn = connections.get("default")
    await conn.execute_query(f"DELETE FROM audit_entry WHERE application_id = {case_id}")
    await conn.execute_query(f"DELETE FROM application WHERE id = {case_id}")
    broken = await asyncio.to_thread(
        audit_verify, database_url, "--anchor", str(tmp_path / "a.json")
    )
    assert broken.returncode == 1 and "entry 4: missing: the checkpoint" in broken.stdout


async def test_entries_from_before_the_keyed_chain_still_verify(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    """A trail written by the previous release (plain SHA-256) keeps verifying and keyed
    entries continue it; once anchored, its rewrite is caught too."""
    _, clerk, number = await b.new_case(api, wechat)
    assert (await b.act(api, clerk, number, "accept"))[0] == 200
    case_id = (await Application.get(number=number)).id
    await _rewrite(case_id, as_legacy=True)  # as the previous release wrote it
    assert (await asyncio.to_thread(audit_verify, database_url)).returncode == 0
    for action in ("start_review", "approve"):  # the upgraded release appends keyed entries
        assert (await b.act(api, clerk, number, action))[0] == 200
    ok = await asyncio.to_thread(audit_verify, database_url)
    assert ok.returncode == 0 and "2 entries from before the keyed chain" in ok.stdout
    # a second case, entirely from the previous release
    other = await b.file_case(api, await b.citizen_token(api, wechat))
    assert (await b.act(api, clerk, other, "accept"))[0] == 200
    other_id = (await Application.get(number=other)).id
    await AuditEntry.filter(application_id=other_id).update(alg=LEGACY)
    await _rewrite(other_id, as_legacy=True, note="")
    assert (await asyncio.to_thread(audit_verify, database_url)).returncode == 0
    path = str(tmp_path / "a.json")
    await asyncio.to_thread(anchor, database_url, tmp_path / "a.json")
    assert (await asyncio.to_thread(audit_verify, database_url, "--anchor", path)).returncode == 0
    # the old chain rewritten whole, hashes recomputed: the checkpoint's head differs
    await _rewrite(other_id, as_legacy=True, note="改过了")
    broken = await asyncio.to_thread(audit_verify, database_url, "--anchor", path)
    assert f"case {other}, entry 2: differs from the checkpoint" in broken.stdout, broken.stdout
    # keyed entries turned unkeyed and the chain recomputed: caught with the anchor
    await _rewrite(other_id, as_legacy=True, note="")
    await _rewrite(case_id, as_legacy=True)
    broken = await asyncio.to_thread(audit_verify, database_url, "--anchor", path)
    assert broken.returncode == 1 and f"case {number}, entry " in broken.stdout


async def test_anchor_on_postgres(pg_api: Api, wechat: WeChatSandbox, tmp_path: Path) -> None:
    url = pg_api.server.app.ctx.services.settings.database_url
    number, case_id = await _approved_case(pg_api, wechat)
    written = await asyncio.to_thread(anchor, url, tmp_path / "a.json")
    assert written.returncode == 0, written.stderr
    path = str(tmp_path / "a.json")
    ok = await asyncio.to_thread(audit_verify, url, "--anchor", path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    await _rewrite(case_id, as_legacy=False)
    broken = await asyncio.to_thread(audit_verify, url, "--anchor", path)
    assert f"case {number}, entry 1: content does not match its hash" in broken.stdout
