"""Exam results: imported ahead of release, each citizen reads only their own, once released."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from core.clock import CST
from core.db import close_db, init_db
from core.exams.models import Exam, ExamResult
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api

MINE, OTHER = "11010519491231002X", "440524188001010014"
CSV = (
    "candidate_number,id_number,name,total,语文,数学\n"
    f"26321012001,{MINE},张三,612.5,121,138\n"
    f"26321012002,{OTHER},李四,587,110,129\n"
    "26321012003,110105194912310021,王五,500,100,100\n"  # bad check character
    f"26321012004,{MINE.lower()},张三,1,1,1\n"  # the same person twice
    "x,320102199001011234,赵六,abc,1,1\n"
)


def import_exam(database_url: str, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url, PII_KEY=harness.PII_KEY)
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "exams", "import", *args, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def load(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "gaokao.csv"
    path.write_text(CSV, encoding="utf-8")
    return await asyncio.to_thread(
        import_exam, database_url, path, "gaokao-2026", "--release-at", "2026-06-25T12:00"
    )


async def candidate(api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path) -> str:
    """The results imported, and the token of 张三, verified with the ID number in them."""
    await load(database_url, tmp_path)
    token = await b.citizen_token(api, wechat)
    await b.verify_directly((await b.me(api, token))["id"], name="张三", id_number=MINE)
    return token


async def test_import_reports_each_bad_row(database_url: str, tmp_path: Path) -> None:
    done = await load(database_url, tmp_path)
    assert done.returncode == 1
    assert done.stdout.strip() == "imported 2, rejected 3"
    assert [line.split(":")[0] for line in done.stderr.splitlines()] == [
        "line 4",
        "line 5",
        "line 6",
    ]
    assert MINE not in done.stderr


async def test_own_score_only_after_release(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    token = await candidate(api, wechat, database_url, tmp_path)
    api.clock.set(datetime(2026, 6, 25, 11, 59, tzinfo=CST))
    status, body, _ = await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token)
    assert (status, body["error"]["code"]) == (404, "score_not_found")
    api.clock.set(datetime(2026, 6, 25, 12, 0, tzinfo=CST))
    status, body, _ = await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token)
    assert status == 200, body
    assert body == {
        "exam": "gaokao-2026",
        "candidate_number": "26321012001",
        "name_masked": "张*",
        "total": "612.5",
        "subjects": {"语文": "121", "数学": "138"},
    }
    assert (await api.call("GET", "/api/v1/exams/zhongkao-2026/score", token=token))[0] == 404


async def test_reimport_with_a_later_release_hides_scores_again(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    """Each result row carries its exam's release time: a re-import moves them all."""
    token = await candidate(api, wechat, database_url, tmp_path)
    api.clock.set(datetime(2026, 6, 25, 13, 0, tzinfo=CST))
    assert (await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token))[0] == 200
    path = tmp_path / "gaokao.csv"
    await asyncio.to_thread(
        import_exam, database_url, path, "gaokao-2026", "--release-at", "2026-06-26T12:00"
    )
    status, body, _ = await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token)
    assert (status, body["error"]["code"]) == (404, "score_not_found")


async def test_results_imported_before_the_masked_name_column_still_answer(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    """Rows from before migration 0002 have no masked name: the query decrypts instead."""
    token = await candidate(api, wechat, database_url, tmp_path)
    await ExamResult.all().update(name_masked=None)
    api.clock.set(datetime(2026, 6, 25, 13, 0, tzinfo=CST))
    status, body, _ = await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token)
    assert (status, body["name_masked"]) == (200, "张*")


async def test_nobody_reads_anyone_elses(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    await load(database_url, tmp_path)
    api.clock.set(datetime(2026, 6, 26, 9, 0, tzinfo=CST))
    unverified = await b.citizen_token(api, wechat)
    status, body, _ = await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=unverified)
    assert (status, body["error"]["code"]) == (403, "realname_required")
    stranger = await b.citizen_token(api, wechat)
    await b.verify_directly(
        (await b.me(api, stranger))["id"], name="赵六", id_number="320102199001011234"
    )
    for query in ("", "?candidate_number=26321012001", f"?id_number={MINE}"):
        status, body, _ = await api.call(
            "GET", f"/api/v1/exams/gaokao-2026/score{query}", token=stranger
        )
        assert (status, body["error"]["code"]) == (404, "score_not_found")
    assert (await api.call("GET", "/api/v1/exams/gaokao-2026/score"))[0] == 401


async def test_score_queries_are_rate_limited(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    for _ in range(30):
        assert (await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token))[0] == 403
    status, body, resp = await api.call("GET", "/api/v1/exams/gaokao-2026/score", token=token)
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    assert "Retry-After" in resp.headers


async def test_the_topic_comes_from_the_key_or_topic_and_gbk_files_read(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(CSV.encode("gbk"))  # as a spreadsheet in a Chinese locale saves it
    release = ("--release-at", "2026-06-25T12:00")
    done = await asyncio.to_thread(import_exam, database_url, path, "2026GaoKao", *release)
    assert done.stdout.strip() == "imported 2, rejected 3", done.stderr
    done = await asyncio.to_thread(import_exam, database_url, path, "exam2026", *release)
    assert done.returncode == 2 and "--topic" in done.stderr
    args = ("exam2026", "--topic", "zhongkao", *release)
    done = await asyncio.to_thread(import_exam, database_url, path, *args)
    assert done.stdout.strip() == "imported 2, rejected 3", done.stderr
    await init_db(database_url)
    try:
        topics = dict(await Exam.all().values_list("key", "topic"))
    finally:
        await close_db()
    assert topics == {"2026GaoKao": "gaokao", "exam2026": "zhongkao"}
