"""`citysvc kb import FILE` and `citysvc robots set DEPARTMENT [KEY]` / `citysvc robots list`.

The knowledge-base import needs only DATABASE_URL; robot keys are encrypted with PII_KEY
(and read with PII_OLD_KEYS), so setting one needs that too. A robot key is best given on
standard input (``citysvc robots set GA < key.txt``): a key on the command line ends up in
shell history and in the process list.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from pathlib import Path

from bot.wecom import RobotKeys
from citysvc.dbrun import with_database
from core.clock import SystemClock
from core.knowledge.importer import KbReport, import_kb
from core.pii import PiiCipher
from core.settings import database_url, environment


def _fail(command: str, message: str) -> int:
    print(f"citysvc {command}: {message}", file=sys.stderr)
    return 2


def _read(path: str) -> list[object] | str:
    """The file's array of rows, or the reason it cannot be used."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"{path}: no such file"
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: cannot read: {exc}"
    except json.JSONDecodeError as exc:
        return f"{path}: not valid JSON: {exc}"
    if not isinstance(data, list):
        return f"{path}: must hold a JSON array of entries"
    return data


def run_kb_import(path: str) -> int:
    """0 when every row landed, 1 when some were rejected, 2 when nothing could be read."""
    rows = _read(path)
    if isinstance(rows, str):
        return _fail("kb import", rows)
    now = SystemClock().now()
    report: KbReport = asyncio.run(  # database errors: `citysvc.cli.main`
        with_database(lambda: import_kb(rows, os.path.basename(path), now))
    )
    for error in report.errors:
        print(f"row {error.index}: {error.field}: {error.reason}", file=sys.stderr)
    for code in report.unknown_items:
        print(f"warning: item {code} is not in the catalogue (yet)", file=sys.stderr)
    print(report.summary())
    return 1 if report.rejected else 0


def _cipher() -> PiiCipher | str:
    key = environment().get("PII_KEY", "")
    if not key:
        return "PII_KEY is required: robot keys are stored encrypted with it"
    try:
        return PiiCipher.from_env(environment())
    except ValueError as exc:
        return f"PII_KEY: {exc}"


def _read_key(given: str | None) -> str:
    if given:
        return given.strip()
    if sys.stdin.isatty():
        return getpass.getpass("Robot key: ").strip()
    return sys.stdin.readline().strip()


def run_robots_set(department: str, key: str | None) -> int:
    cipher = _cipher()
    if isinstance(cipher, str):
        return _fail("robots set", cipher)
    secret = _read_key(key)
    if not secret or len(secret) > 200 or not secret.isprintable():
        return _fail("robots set", "the key must be the text after key= in the webhook URL")
    now = SystemClock().now()
    asyncio.run(with_database(lambda: RobotKeys(cipher).set(department, secret, now)))
    print(f"robot key stored for department {department} (encrypted)")
    return 0


def run_robots_list() -> int:
    cipher = _cipher()
    if isinstance(cipher, str):
        return _fail("robots list", cipher)
    departments = asyncio.run(with_database(RobotKeys(cipher).departments))
    for department in departments:
        print(department)
    if not departments:
        print(f"no robot keys in {database_url().split('://')[0]} database", file=sys.stderr)
    return 0
