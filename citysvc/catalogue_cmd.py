"""`citysvc catalogue import FILE`: load or update the service catalogue from a JSON file."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TextIO

from core.catalogue.importer import ImportReport, Progress, import_items
from core.db import close_db, init_db
from core.settings import database_url

BAR_THRESHOLD = 200  # rows; smaller files finish before a bar would mean anything
BAR_WIDTH = 30


def read_rows(path: str, command: str = "catalogue import") -> list[object] | None:
    """The file's array of rows, or None after saying on stderr why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        print(f"citysvc {command}: {path}: no such file", file=sys.stderr)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        print(f"citysvc {command}: {path}: cannot read: {exc}", file=sys.stderr)
        return None
    except json.JSONDecodeError as exc:
        print(f"citysvc {command}: {path}: not valid JSON: {exc}", file=sys.stderr)
        return None
    if not isinstance(data, list):
        print(f"citysvc {command}: {path}: must hold a JSON array of rows", file=sys.stderr)
        return None
    return data


def progress_printer(stream: TextIO) -> Progress:
    """A bar redrawn every 1% on a terminal; a plain line every 10% in a log."""
    tty = stream.isatty()
    step = 1 if tty else 10
    last = [0]

    def show(done: int, total: int) -> None:
        percent = done * 100 // total
        if percent // step == last[0] // step and done != total:
            return
        last[0] = percent
        if tty:
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            end = "\n" if done == total else ""
            stream.write(f"\r[{bar}] {percent:3d}% {done}/{total}{end}")
        else:
            stream.write(f"imported {done}/{total} rows ({percent}%)\n")
        stream.flush()

    return show


async def _import(database_url: str, rows: list[object]) -> ImportReport:
    await init_db(database_url)
    try:
        progress = progress_printer(sys.stderr) if len(rows) > BAR_THRESHOLD else None
        return await import_items(rows, progress)
    finally:
        await close_db()


def run_import(path: str) -> int:
    """Import ``path``; 0 when every row landed, 1 when some were rejected, 2 on a bad file."""
    rows = read_rows(path)
    if rows is None:
        return 2
    # like `migrate`, this needs only the database: no secrets or platform settings
    url = database_url()
    report = asyncio.run(_import(url, rows))  # database errors: `citysvc.cli.main`
    for error in report.errors:
        print(f"row {error.row}: {error.field}: {error.reason}", file=sys.stderr)
    print(report.summary())
    return 1 if report.rejected else 0
