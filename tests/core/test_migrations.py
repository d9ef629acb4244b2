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


async def test_0016_computes_the_figures_totals_of_the_rows_already_there(tmp_path: Path) -> None:
    """Cases, a finish, a rating and a complaint written before 0016 are counted by it, and
    each case learns its applicant's previous filing."""
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    try:
        await run_migrations(
            config=tortoise_config(url), target="citysvc.0013_bundles_rules_policies"
        )
    finally:
        await Tortoise.close_connections()
    case = (
        "INSERT INTO application (id, number, citizen_id, item_code, item_version_id, "
        "department_code, status, form, materials, delivery_method, promised_days, legal_days, "
        "paused_workdays, extended_days, due_date, due_provisional, version, created_at, "
        "updated_at) VALUES (?, ?, 'c1', 'ITEM', 1, 'GA', ?, '{}', '[]', 'ems', 5, 20, 0, 0, "
        "'2026-11-10', 0, 1, ?, ?)"
    )
    # the second is filed on 11-04 in China, still 11-03 in UTC: counted on the China date
    first, second = "2026-11-02 09:00:00+08:00", "2026-11-04 01:00:00+08:00"
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.execute(case, [1, "N1", "delivered", first, first])
        db.execute(case, [2, "N2", "under_review", second, second])
        db.execute(
            "INSERT INTO case_finish (application_id, status, item_code, item_name, "
            "department_code, department_name, finished_at, finished_on, working_days, "
            "filed_at, delivery_method, due_date) VALUES (1, 'approved', 'ITEM', 'x', 'GA', "
            "'x', '2026-11-09 15:00:00+08:00', '2026-11-09', 4, ?, 'ems', '2026-11-10')",
            [first],
        )
        db.execute(
            "INSERT INTO rating (application_id, department_code, item_code, level, comment, "
            "is_default, voided, created_at, filed_at) VALUES (1, 'GA', 'ITEM', 2, '', 0, 0, "
            "'2026-11-10 10:00:00+08:00', ?)",
            [first],
        )
        db.execute(
            "INSERT INTO feedback (citizen_id, kind, content, item_code, department_code, "
            "status, due_date, due_provisional, created_at) VALUES ('c1', 'complaint', 'x', "
            "'ITEM', 'GA', 'open', '2026-11-10', 0, '2026-11-03 08:00:00+08:00')"
        )
    await migrate(url)
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        rows = db.execute(
            "SELECT day, cases, finished, no_visit, on_time, due_finished, days_total, "
            "days_counted, rated, satisfied, poor, complaints FROM figure_day ORDER BY day"
        ).fetchall()
        priors = db.execute(
            "SELECT prior_at, prior_at_item FROM application ORDER BY id"
        ).fetchall()
    assert rows == [
        ("2026-11-02", 1, 1, 1, 1, 1, 4, 1, 1, 0, 1, 0),
        ("2026-11-03", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
        ("2026-11-04", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    assert priors == [(None, None), (first, first)]
