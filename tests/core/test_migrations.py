"""Later migrations carry existing data forward."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as run_migrations

from core.db import migrate, tortoise_config


async def test_0002_copies_each_exams_release_time_onto_its_results(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    try:
        await run_migrations(config=tortoise_config(url), target="citysvc.0001_initial")
    finally:
        await Tortoise.close_connections()
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.execute(
            "INSERT INTO exam (key, topic, release_at) "
            "VALUES ('gaokao-2026', 'gaokao', '2026-06-25 12:00:00+08:00')"
        )
        db.execute(
            "INSERT INTO exam_result (exam_id, candidate_number, id_number_index, name_enc, "
            "total, subjects) VALUES ('gaokao-2026', '1', 'i', 'v1.k.x', '600', '{}')"
        )
    await migrate(url)
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        row = db.execute("SELECT release_at, name_masked FROM exam_result").fetchone()
    assert row == ("2026-06-25 12:00:00+08:00", None)


async def test_accounts_are_found_by_citizen_through_an_index(tmp_path: Path) -> None:
    """Every message's channel choice and each campaign batch look accounts up by citizen:
    a scan of the whole table per batch made a million-citizen campaign twice as slow."""
    url = f"sqlite://{tmp_path / 'plan.sqlite3'}"
    await migrate(url)
    with sqlite3.connect(tmp_path / "plan.sqlite3") as db:
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT open_id FROM platform_account WHERE citizen_id IN (?, ?)",
            ["a", "b"],
        ).fetchall()
    assert "USING INDEX" in str(plan), plan


async def test_the_inbox_reads_a_citizens_messages_through_an_index(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'inbox.sqlite3'}"
    await migrate(url)
    with sqlite3.connect(tmp_path / "inbox.sqlite3") as db:
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM notify_outbox WHERE citizen_id = ? "
            "ORDER BY id DESC LIMIT 20",
            ["a"],
        ).fetchall()
    assert "USING INDEX" in str(plan) and "TEMP B-TREE" not in str(plan), plan
