"""`citysvc bundles import FILE` and `citysvc policies import FILE` (formats: docs/bundles.md)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from citysvc.catalogue_cmd import read_rows
from core.bundles.importer import import_bundles
from core.catalogue.importer import ImportReport
from core.db import close_db, init_db
from core.policies.importer import import_policies
from core.settings import database_url, district_towns

Importer = Callable[[Sequence[object]], Awaitable[ImportReport]]


async def _import(database_url: str, rows: list[object], importer: Importer) -> ImportReport:
    await init_db(database_url)
    try:
        return await importer(rows)
    finally:
        await close_db()


def _run(path: str, command: str, importer: Importer) -> int:
    """0 when every row landed, 1 when some were rejected, 2 on a bad file."""
    rows = read_rows(path, command)
    if rows is None:
        return 2
    url = database_url()
    report = asyncio.run(_import(url, rows, importer))
    for error in report.errors:
        print(f"row {error.row}: {error.field}: {error.reason}", file=sys.stderr)
    print(report.summary())
    return 1 if report.rejected else 0


def run_bundles_import(path: str) -> int:
    return _run(path, "bundles import", import_bundles)


def run_policies_import(path: str) -> int:
    towns = district_towns()
    return _run(path, "policies import", lambda rows: import_policies(rows, towns))
