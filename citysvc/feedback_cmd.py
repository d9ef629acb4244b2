"""`citysvc feedback export [--date D] --out FILE`: poor ratings and complaints of one day.

The province's platform collects one CSV a day (UTF-8 with BOM, formula cells neutralised,
no personal data). ``--date`` defaults to yesterday in China Standard Time, so a nightly cron
job just runs ``citysvc feedback export --out /exports/feedback-$(date +%F).csv``.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, timedelta
from pathlib import Path

from citysvc.dbrun import with_database
from core.clock import SystemClock
from core.feedback.export import export_day


def run_export(day_text: str | None, out: str) -> int:
    try:
        day = (
            date.fromisoformat(day_text)
            if day_text
            else SystemClock().now().date() - timedelta(days=1)
        )
    except ValueError:
        print("citysvc feedback export: --date must be YYYY-MM-DD", file=sys.stderr)
        return 2
    target = Path(out)
    if not target.parent.is_dir():
        print(f"citysvc feedback export: no folder {target.parent}", file=sys.stderr)
        return 2
    count = asyncio.run(with_database(lambda: export_day(day, target)))
    print(f"exported {count} rows for {day} to {target}")
    return 0
