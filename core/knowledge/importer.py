"""Importing the knowledge base: validate each row, then store a new version when it changed.

File: a JSON array of ``{"key", "question", "similar": [...], "keywords": [...], "answer",
"items": [catalogue item codes]}``. A bad row is reported with its index and reason and
left out; the others form the new version. Importing the same content again creates no
version. Item codes the catalogue does not (yet) hold are kept and reported as warnings:
the knowledge base and the catalogue may be loaded in either order.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.catalogue.models import ServiceItem
from core.knowledge.models import KbEntry, KbVersion

KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
MAX_QUESTION = 200
MAX_LIST = 30
# WeChat text replies hold 2,048 bytes; leave room for the linked items' names
MAX_ANSWER_BYTES = 1600


@dataclass(frozen=True)
class RowError:
    index: int
    field: str
    reason: str


@dataclass
class KbReport:
    version: int = 0
    created: bool = False
    entries: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_items: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.index for e in self.errors})

    def summary(self) -> str:
        state = "created" if self.created else "unchanged"
        return (
            f"kb version {self.version} {state}: entries {self.entries}, rejected {self.rejected}"
        )


def _text(row: dict[str, Any], name: str, limit: int) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: required text")
    if len(value) > limit:
        raise ValueError(f"{name}: longer than {limit} characters")
    return value.strip()


def _texts(row: dict[str, Any], name: str, limit: int = MAX_QUESTION) -> list[str]:
    value = row.get(name, [])
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise ValueError(f"{name}: must be a list of at most {MAX_LIST} texts")
    if not all(isinstance(v, str) and v.strip() and len(v) <= limit for v in value):
        raise ValueError(f"{name}: every entry must be non-empty text of at most {limit}")
    return [v.strip() for v in value]


def clean_row(row: object) -> dict[str, Any]:
    """The row as stored, or ValueError("field: reason")."""
    if not isinstance(row, dict):
        raise ValueError("row: must be an object")
    key = row.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError("key: 1-64 of a-z 0-9 _ . - starting with a letter or digit")
    answer = _text(row, "answer", MAX_ANSWER_BYTES)
    if len(answer.encode("utf-8")) > MAX_ANSWER_BYTES:
        raise ValueError(f"answer: longer than {MAX_ANSWER_BYTES} bytes of UTF-8")
    return {
        "key": key,
        "question": _text(row, "question", MAX_QUESTION),
        "similar": _texts(row, "similar"),
        "keywords": _texts(row, "keywords", 30),
        "answer": answer,
        "item_codes": _texts(row, "items", 64),
    }


def _validate(rows: list[object], report: KbReport) -> list[dict[str, Any]]:
    good: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        try:
            clean = clean_row(row)
            if clean["key"] in seen:
                raise ValueError("key: appears twice in the file")
        except ValueError as exc:
            name, _, reason = str(exc).partition(": ")
            report.errors.append(RowError(index, name, reason))
            continue
        seen.add(clean["key"])
        good.append(clean)
    return good


async def current_version() -> int:
    """The version answering questions now (0 before the first import)."""
    latest = await KbVersion.all().order_by("-version").first()
    return latest.version if latest is not None else 0


async def import_kb(rows: list[object], source: str, now: datetime) -> KbReport:
    """Validate ``rows`` and store them as a new version unless nothing changed."""
    report = KbReport()
    good = _validate(rows, report)
    digest = hashlib.sha256(
        json.dumps(good, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    codes = sorted({code for row in good for code in row["item_codes"]})
    known = set(await ServiceItem.filter(code__in=codes).values_list("code", flat=True))
    report.unknown_items = [code for code in codes if code not in known]
    report.entries = len(good)
    async with in_transaction():
        latest = await KbVersion.all().order_by("-version").first()
        # nothing new, or nothing usable: the answering version stays as it is
        if not good or (latest is not None and latest.content_hash == digest):
            report.version = latest.version if latest is not None else 0
            return report
        report.version = (latest.version if latest else 0) + 1
        await KbVersion.create(
            version=report.version,
            source=source[-200:],
            content_hash=digest,
            entry_count=len(good),
            created_at=now,
        )
        await KbEntry.bulk_create([KbEntry(kb_version=report.version, **row) for row in good])
    report.created = True
    return report
