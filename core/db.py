"""Tortoise configuration, init and close: the one way every entry point opens the database."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url

from core.errors import SettingsError
from core.settings import DATABASE_SCHEMES, DATABASE_URL_RULE, DEFAULT_DATABASE_URL

APP = "citysvc"
MODEL_MODULES = [
    "core.identity.models",
    "core.auth.models",
    "core.catalogue.models",
    "core.staff.models",
    "core.uploads.models",
    "core.cases.models",
    "core.shipping.models",
    "core.alerts.models",
    "core.topics.models",
    "core.knowledge.models",
    "core.followers.models",
    "core.exams.models",
    "core.outbox.models",
    "core.campaigns.models",
    "core.heartbeat.models",
    "core.feedback.models",
    "core.bundles.models",
    "core.policies.models",
    "core.totals.models",
]


def _with_sqlite_defaults(database_url: str) -> str:
    """WAL with synchronous=NORMAL: a commit no longer waits for fsync (each one did, and
    every login and clerk action paid ~3 ms for it). A crashed process loses nothing; a
    power cut may lose the last commits but never corrupts the file. PostgreSQL is the
    production database; an operator can still ask for ?synchronous=FULL."""
    if urlsplit(database_url).scheme != "sqlite" or "synchronous=" in database_url:
        return database_url
    return database_url + ("&" if "?" in database_url else "?") + "synchronous=NORMAL"


class _NoResetConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled PostgreSQL connection released without asyncpg's reset query.

    On release asyncpg sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``:
    one more round trip for each query Tortoise runs (a tenth of a status read's time). None
    of that session state is ever left behind here: no session advisory lock (only
    ``pg_advisory_xact_lock``, gone at commit), no cursor outside a transaction, no LISTEN,
    no SET. An open transaction is still rolled back on release, as before.
    """

    def get_reset_query(self) -> str:
        return ""


# PostgreSQL connections a process keeps at most (Tortoise's default is 5). The worker runs
# milestone claims, campaign claims, the result recorder and the campaign runner side by
# side: with five, a milestone claim waited for a free connection (its p50 fell from 72 to
# 23 ms during a campaign with more). ``?maxsize=N`` in DATABASE_URL overrides it.
POOL_MAXSIZE = 10


def _connection(database_url: str) -> str | dict[str, Any]:
    if urlsplit(database_url).scheme == "sqlite":
        return _with_sqlite_defaults(database_url)
    config: dict[str, Any] = expand_db_url(database_url)
    config["credentials"].setdefault("connection_class", _NoResetConnection)
    config["credentials"].setdefault("maxsize", POOL_MAXSIZE)
    return config


def tortoise_config(database_url: str = DEFAULT_DATABASE_URL) -> dict[str, Any]:
    """The Tortoise config for ``database_url`` (sqlite://PATH or postgres://...);
    SettingsError for any other kind of database (commands that skip ``Settings``)."""
    if urlsplit(database_url).scheme not in DATABASE_SCHEMES:
        raise SettingsError([DATABASE_URL_RULE])
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "core.migrations",
            }
        },
        "use_tz": True,
        "timezone": "Asia/Shanghai",
    }


# For the `tortoise` CLI (makemigrations): tortoise -c core.db.TORTOISE_ORM makemigrations
TORTOISE_ORM = tortoise_config()


def _sqlite_path(database_url: str) -> str | None:
    if urlsplit(database_url).scheme != "sqlite":
        return None
    return database_url[len("sqlite://") :].split("?", 1)[0]


def ensure_sqlite_dir(database_url: str) -> None:
    """SQLite will not create the file's folder; do it so a fresh clone just works."""
    path = _sqlite_path(database_url)
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


async def init_db(database_url: str) -> None:
    """Open the connections (schema is brought up to date by ``migrate``, not here)."""
    ensure_sqlite_dir(database_url)
    # Tortoise 1.x keeps its state in a context variable; request handlers run in other tasks
    # than the start-up listener, so this process-wide context is made the global fallback.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    _open_reader(database_url)


async def close_db() -> None:
    """Close the connections and release the global context so a later init_db works."""
    await Tortoise.close_connections()
    _close_reader()


async def migrate(database_url: str) -> None:
    """Apply every pending migration; a second run applies nothing."""
    from tortoise.migrations.api import migrate as run_migrations

    ensure_sqlite_dir(database_url)
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        # an open aiosqlite thread would keep the process alive after a failure
        await Tortoise.close_connections()


async def db_ready() -> bool:
    """True when the default connection answers a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver failure means "not ready"; readyz must not raise
        return False
    return True


@functools.lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """Turn ``?`` placeholders into PostgreSQL's ``$1, $2, ...``."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


async def fetch(sql: str | Mapping[str, str], params: list[Any]) -> list[dict[str, Any]]:
    """Rows of a raw read on a hot path (ORM model building costs ~5x the query itself).

    Write ``?`` placeholders; they are numbered for PostgreSQL. Values come back as the
    driver gives them: callers normalise dates, booleans and JSON with ``core.rows``.
    Where the dialects differ (a uuid column against text) pass {"sqlite": ..., "postgres": ...}.
    On SQLite the read runs inline on a read-only connection (see ``_open_reader``).
    """
    if _reader_path is not None:
        text = sql if isinstance(sql, str) else sql["sqlite"]
        return [dict(row) for row in _sqlite_reader(_reader_path).execute(text, params)]
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    text = sql if isinstance(sql, str) else sql[dialect]
    if dialect == "postgres":
        text = numbered(text)
    rows: list[dict[str, Any]] = await conn.execute_query_dict(text, params)
    return rows


async def fetch_tuples(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Like ``fetch``, rows as plain tuples in the selected order (no per-row mapping)."""
    if _reader_path is not None:
        cursor = _sqlite_reader(_reader_path).execute(sql, params)
        cursor.row_factory = None
        return cursor.fetchall()
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        sql = numbered(sql)
    _, rows = await conn.execute_query(sql, params)
    return [tuple(row) for row in rows]


_reader_path: str | None = None  # the SQLite file in use, when the database is SQLite
_reader: sqlite3.Connection | None = None


def _open_reader(database_url: str) -> None:
    """Reads of ``fetch`` go to this SQLite file (opened on first use: it may not exist yet)."""
    global _reader_path
    _close_reader()
    path = _sqlite_path(database_url)
    _reader_path = path if path and path != ":memory:" else None


def _sqlite_reader(path: str) -> sqlite3.Connection:
    """A read-only connection used inline on the event loop, for indexed point reads only.

    An indexed SQLite read takes tens of microseconds in C; handing it to aiosqlite's
    thread costs several times that and serialises every read behind one connection (the
    status-query benchmark measured 8x fewer requests a second). WAL mode lets this reader
    run beside Tortoise's writer without locking. Writes never come here.
    """
    global _reader
    if _reader is None:
        _reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        _reader.row_factory = sqlite3.Row
        # pages read through a memory map: a B-tree step is a memory access, not a read()
        _reader.execute("PRAGMA mmap_size=268435456")
    return _reader


def _close_reader() -> None:
    global _reader, _reader_path
    if _reader is not None:
        _reader.close()
    _reader, _reader_path = None, None
