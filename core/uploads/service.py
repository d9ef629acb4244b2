"""Accepting material files: type judged by content, size capped, stored outside the database.

Bounds (issue 13): one citizen uploads at most ``DAILY_BYTES`` in 24 hours (the route also
limits uploads a minute); a file no case lists is removed by the worker ``ORPHAN_AFTER`` (a
day) after its upload, and a case no longer accepts it from then on, so the removal never
races a filing (the worker waits ``GRACE`` longer). A case lists at most ``MAX_MATERIALS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from tortoise.functions import Sum

from core.errors import InvalidInput, NotFound, TooLarge, UnsupportedType, UploadQuotaExceeded
from core.uploads.models import Upload

log = logging.getLogger("citysvc.uploads")

MAX_BYTES = 10 * 1024 * 1024
DAILY_BYTES = 200 * 1024 * 1024  # per citizen per 24 hours: twenty files of the largest size
ORPHAN_AFTER = timedelta(days=1)
GRACE = timedelta(hours=1)
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniff(content: bytes) -> str | None:
    """The content type by magic bytes (never by file name), or None."""
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            return content_type
    return None


FILE_ID = re.compile(r"^[0-9a-f]{32}$")


def is_file_id(text: object) -> bool:
    """Whether ``text`` can be a file id at all (32 lower-case hex characters): anything else
    is refused before it reaches a query (a longer id overflows the column)."""
    return isinstance(text, str) and FILE_ID.match(text) is not None


def path_of(root: Path, file_id: str) -> Path:
    return root / file_id[:2] / file_id


async def save_upload(
    root: Path, owner_id: str, content: bytes, now: datetime, *, daily_bytes: int = DAILY_BYTES
) -> Upload:
    """Validate and store one file for ``owner_id``; 422 ``upload_quota_exceeded`` past
    ``daily_bytes`` uploaded in the last 24 hours."""
    if not content:
        raise InvalidInput("The file is empty.", code="empty_file")
    if len(content) > MAX_BYTES:
        raise TooLarge("Files may be at most 10 MB.", details={"max_bytes": MAX_BYTES})
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedType("Only JPEG, PNG and PDF files are accepted.")
    if await _bytes_since(owner_id, now - timedelta(days=1)) + len(content) > daily_bytes:
        raise UploadQuotaExceeded(details={"max_bytes_a_day": daily_bytes})
    file_id = secrets.token_hex(16)
    await asyncio.to_thread(_write, path_of(root, file_id), content)
    return await Upload.create(
        id=file_id,
        owner_id=owner_id,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=now,
    )


async def _bytes_since(owner_id: str, since: datetime) -> int:
    totals = (
        await Upload.filter(owner_id=owner_id, created_at__gt=since)
        .annotate(total=Sum("size"))
        .values("total")
    )
    return int(totals[0]["total"] or 0) if totals else 0


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    tmp.replace(path)  # readers never see half a file


async def owned_upload(file_id: str, owner_id: str) -> Upload:
    """The upload if ``owner_id`` owns it; NotFound otherwise (never reveal others' files)."""
    upload = None
    if is_file_id(file_id):
        upload = await Upload.get_or_none(id=file_id, owner_id=owner_id)
    if upload is None:
        raise NotFound("No such file.", code="file_not_found", details={"file_id": file_id})
    return upload


async def read_upload(root: Path, upload: Upload) -> bytes:
    return await asyncio.to_thread(path_of(root, upload.id).read_bytes)


def still_attachable(upload: Upload, now: datetime) -> bool:
    """A file a case may list: one a case already lists, or one younger than a day."""
    return upload.attached_at is not None or upload.created_at > now - ORPHAN_AFTER


async def attach(file_ids: Iterable[str], now: datetime) -> None:
    """Mark files as listed by a case (in the transaction that lists them): kept for good."""
    ids = sorted(set(file_ids))
    if ids:
        await Upload.filter(id__in=ids, attached_at=None).update(attached_at=now)


async def remove_orphans(root: Path, now: datetime, batch: int = 500) -> int:
    """Remove files no case lists, uploaded more than a day (and ``GRACE``) before ``now``.

    Each row is deleted only while still unlisted (a conditional DELETE), and its bytes only
    after the row is gone: a file a case lists is never removed.
    """
    removed = 0
    cutoff = now - ORPHAN_AFTER - GRACE
    while True:
        ids = (
            await Upload.filter(attached_at=None, created_at__lt=cutoff)
            .limit(batch)
            .values_list("id", flat=True)
        )
        if not ids:
            break
        for file_id in ids:
            if await Upload.filter(id=file_id, attached_at=None).delete():
                await asyncio.to_thread(path_of(root, str(file_id)).unlink, missing_ok=True)
                removed += 1
        if len(ids) < batch:
            break
    if removed:
        log.info("uploads: %d files no case lists removed", removed)
    return removed
