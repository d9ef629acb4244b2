"""`citysvc exams import EXAM FILE --release-at ISO_TIME [--topic TOPIC]`: prints `imported N,
rejected N`. The file is UTF-8 or GB18030 (GBK) text."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from citysvc.dbrun import with_database
from core.clock import SystemClock
from core.errors import DomainError
from core.exams.importer import ExamImport, decode_results, import_results, parse_release
from core.pii import PiiCipher
from core.settings import environment


def run_import(exam: str, path: str, release_at: str, topic: str | None = None) -> int:
    key = environment().get("PII_KEY")
    if not key:
        print(
            "citysvc exams import: PII_KEY is required (ID numbers are indexed with it)",
            file=sys.stderr,
        )
        return 2
    try:
        text = decode_results(Path(path).read_bytes())
        cipher = PiiCipher.from_env(environment())
        when = parse_release(release_at)
        today = SystemClock().now().date()

        async def work() -> ExamImport:
            return await import_results(exam, text, when, today, cipher, topic)

        report = asyncio.run(with_database(work))
    except (OSError, UnicodeDecodeError, ValueError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        print(f"citysvc exams import: {message}", file=sys.stderr)
        return 2
    for error in report.errors:
        print(error, file=sys.stderr)
    print(f"imported {report.imported}, rejected {report.rejected}")
    return 0 if not report.rejected else 1
