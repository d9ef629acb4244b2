"""Accepting material files: type judged by content, size capped, stored outside the database."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from pathlib import Path

from core.errors import InvalidInput, NotFound, TooLarge, UnsupportedType
from core.uploads.models import Upload

MAX_BYTES = 10 * 1024 * 1024
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


async def save_upload(root: Path, owner_id: str, content: bytes) -> Upload:
    """Validate and store one file for ``owner_id``."""
    if not content:
        raise InvalidInput("The file is empty.", code="empty_file")
    if len(content) > MAX_BYTES:
        raise TooLarge("Files may be at most 10 MB.", details={"max_bytes": MAX_BYTES})
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedType("Only JPEG, PNG and PDF files are accepted.")
    file_id = secrets.token_hex(16)
    await asyncio.to_thread(_write, path_of(root, file_id), content)
    return await Upload.create(
        id=file_id,
        owner_id=owner_id,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


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
