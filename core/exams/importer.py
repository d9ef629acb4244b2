"""Loading an exam authority's result file (CSV) ahead of its release time."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from tortoise.transactions import in_transaction

from core.clock import CST
from core.errors import DomainError, InvalidInput
from core.exams.models import Exam, ExamResult
from core.identity.idnumber import normalize_id_number
from core.identity.names import normalize_name
from core.masking import mask_name
from core.pii import PiiCipher

REQUIRED = ("candidate_number", "id_number", "name", "total")
EXAM_TOPICS = ("zhongkao", "gaokao", "vocational_exam")
_SCORE = re.compile(r"^\d{1,4}(\.\d{1,2})?$")
_CANDIDATE = re.compile(r"^[0-9A-Za-z-]{4,32}$")
_EXAM_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$")


@dataclass
class ExamImport:
    imported: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


def parse_release(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            "--release-at must be an ISO time, e.g. 2026-06-25T12:00+08:00",
            code="invalid_release_at",
        ) from exc
    return at if at.tzinfo else at.replace(tzinfo=CST)  # naive times are China time


def topic_of(exam_key: str, topic: str | None = None) -> str:
    """The exam's topic: ``topic`` when given, else the exam topic its key names
    (gaokao-2026, 2026gaokao -> gaokao). InvalidInput ``invalid_exam`` otherwise."""
    if not _EXAM_KEY.match(exam_key):
        raise InvalidInput("The exam key is 2-64 letters, digits, '-' or '_'.", code="invalid_exam")
    named = [t for t in EXAM_TOPICS if t in exam_key.lower()]
    if topic is None and len(named) == 1:
        return named[0]
    if topic in EXAM_TOPICS:
        return topic
    raise InvalidInput(
        f"Say which exam topic this is with --topic ({', '.join(EXAM_TOPICS)})"
        + ("." if topic is None else f": not '{topic}'."),
        code="invalid_exam",
    )


def decode_results(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else GB18030, which
    exam authorities' spreadsheets often export (GBK is a subset of it)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _row(
    raw: dict[str, str], subjects: list[str], today: date, cipher: PiiCipher
) -> dict[str, object]:
    candidate = (raw.get("candidate_number") or "").strip()
    if not _CANDIDATE.match(candidate):
        raise InvalidInput("candidate_number: 4-32 letters or digits")
    id_number = normalize_id_number(raw.get("id_number") or "", today)
    name = normalize_name(raw.get("name") or "")
    total = (raw.get("total") or "").strip()
    if not _SCORE.match(total):
        raise InvalidInput("total: a score such as 612 or 612.5")
    scores = {s: (raw.get(s) or "").strip() for s in subjects}
    bad = [s for s, v in scores.items() if v and not _SCORE.match(v)]
    if bad:
        raise InvalidInput(f"{bad[0]}: a score such as 128 or 128.5")
    return {
        "candidate_number": candidate,
        "total": total,
        "subjects": scores,
        "id_number_index": cipher.blind_index(id_number, purpose="id_number"),
        "name_enc": cipher.encrypt(name, context="exam_result.name"),
        "name_masked": mask_name(name),
    }


def _reader(text: str) -> tuple[csv.DictReader[str], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if list(header[:4]) != list(REQUIRED):
        raise InvalidInput(
            "The header must start with candidate_number,id_number,name,total.",
            code="invalid_header",
        )
    reader.fieldnames = header
    return reader, header[4:]


async def import_results(
    exam_key: str,
    text: str,
    release_at: datetime,
    today: date,
    cipher: PiiCipher,
    topic: str | None = None,
) -> ExamImport:
    """Create or replace the exam's results; a bad row is reported and skipped."""
    topic = topic_of(exam_key, topic)
    reader, subjects = _reader(text)
    report, rows = ExamImport(), []
    seen: set[object] = set()
    for line, raw in enumerate(reader, start=2):
        try:
            row = _row(raw, subjects, today, cipher)
            if row["candidate_number"] in seen or row["id_number_index"] in seen:
                raise InvalidInput("appears twice in the file")
        except DomainError as exc:
            report.rejected += 1
            report.errors.append(f"line {line}: {exc.message}")
            continue
        seen.update((row["candidate_number"], row["id_number_index"]))
        rows.append(row)
    async with in_transaction():
        await Exam.update_or_create(
            key=exam_key, defaults={"topic": topic, "release_at": release_at}
        )
        await ExamResult.filter(exam_id=exam_key).delete()
        await ExamResult.bulk_create(
            [ExamResult(exam_id=exam_key, release_at=release_at, **r) for r in rows],
            batch_size=1000,
        )
    report.imported = len(rows)
    return report
