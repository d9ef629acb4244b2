"""`citysvc feedback export`: the day's poor ratings and complaints as CSV for the province."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from core.feedback.export import neutralise
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


def export(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "feedback", "export", *args],
        env=dict(os.environ, DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cells_that_look_like_formulas_are_neutralised() -> None:
    for risky in ("=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(risky) == "'" + risky
    for safe in ("办得好", "1+1", "", None, 42):
        assert neutralise(safe) == ("" if safe is None else str(safe))


async def test_nightly_export_of_poor_ratings_and_complaints(
    api: Api, wechat: WeChatSandbox, database_url: str, tmp_path: Path
) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    await api.call(
        "POST",
        f"/api/v1/applications/{number}/rating",
        token=citizen,
        json={"level": 1, "comment": '=HYPERLINK("http://evil","点我")'},
    )
    for kind, content in (("complaint", "@SUM(1,2) 窗口太慢"), ("suggestion", "=建议")):
        status, _, _ = await api.call(
            "POST", "/api/v1/feedback", token=citizen, json={"kind": kind, "content": content}
        )
        assert status == 201
    out = tmp_path / "feedback-2026-11-26.csv"
    done = await asyncio.to_thread(export, database_url, "--date", "2026-11-26", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "exported 2 rows" in done.stdout
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["类型", "编号", "时间"]
    rating, complaint = rows[1:]
    assert (rating[0], rating[3], rating[6]) == ("差评", number, "1 非常不满意")
    assert rating[7] == '\'=HYPERLINK("http://evil","点我")'
    assert rating[8] == "open"  # the rectification's status
    assert (complaint[0], complaint[7]) == ("投诉", "'@SUM(1,2) 窗口太慢")
    me = await b.me(api, citizen)
    assert me["id"] not in data.decode("utf-8-sig")  # no personal data

    empty = tmp_path / "empty.csv"
    done = await asyncio.to_thread(
        export, database_url, "--date", "2026-11-25", "--out", str(empty)
    )
    assert done.returncode == 0 and "exported 0 rows" in done.stdout
    bad = await asyncio.to_thread(export, database_url, "--date", "yesterday", "--out", str(empty))
    assert bad.returncode == 2
