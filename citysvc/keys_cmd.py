"""`citysvc keys rotate`: re-encrypt every personal column under the current ``PII_KEY``.

Rotation, as an operator does it (see ``core.pii``):
1. move the current ``PII_KEY`` to the FRONT of ``PII_OLD_KEYS`` and set a new ``PII_KEY``;
   restart the servers (they read old tokens with the old keys, write new ones with the new);
2. run ``citysvc keys rotate``: every token not under the current key is re-encrypted;
3. once it reports ``failed 0``, the old data keys decrypt nothing any more.

The same command moves data between ciphers: set ``PII_CIPHER=sm4-gcm`` (or back to
``aes-256-gcm``), restart, run it; tokens of both ciphers stay readable meanwhile. Blind
indexes keep their key, which derives from the OLDEST key (the last entry of
``PII_OLD_KEYS``): removing that entry would change every index. Only their hash follows
``PII_CIPHER`` (HMAC-SM3 for SM4): the command then re-indexes ID numbers too (``reindex``).

The command walks each table in primary-key order, ``--batch-size`` rows per transaction, and
writes a value only if it still holds the token it read (a row changed meanwhile was written
under the current key anyway). Running it twice is harmless: the second run rotates nothing.
It needs only ``DATABASE_URL``, ``PII_KEY`` and ``PII_OLD_KEYS``.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from citysvc.dbrun import with_database
from core.cases.models import Application
from core.exams.models import ExamResult
from core.identity.models import (
    ID_NUMBER_CONTEXT,
    NAME_CONTEXT,
    PHONE_CONTEXT,
    VERIFICATION_ID_NUMBER_CONTEXT,
    VERIFICATION_NAME_CONTEXT,
    Citizen,
    Verification,
)
from core.pii import PiiCipher, PiiDecryptError
from core.settings import environment

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class EncryptedTable:
    """A model and its encrypted columns, each with the context it was encrypted under."""

    model: type[Model]
    columns: tuple[tuple[str, str], ...]


# Every encrypted column of every table. A new encrypted column must be listed here, or
# rotation would leave it readable only with a key the operator is about to retire.
ENCRYPTED: tuple[EncryptedTable, ...] = (
    EncryptedTable(
        Citizen,
        (
            ("name_enc", NAME_CONTEXT),
            ("id_number_enc", ID_NUMBER_CONTEXT),
            ("phone_enc", PHONE_CONTEXT),
        ),
    ),
    EncryptedTable(
        Verification,
        (
            ("name_enc", VERIFICATION_NAME_CONTEXT),
            ("id_number_enc", VERIFICATION_ID_NUMBER_CONTEXT),
        ),
    ),
    EncryptedTable(Application, (("delivery_address_enc", "application.address"),)),
)


@dataclass
class Counts:
    rotated: int = 0
    current: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.rotated += other.rotated
        self.current += other.current
        self.failed += other.failed
        self.failures += other.failures


async def reindex(cipher: PiiCipher, batch_size: int) -> int:
    """After ``PII_CIPHER`` changed, move each blind index of an ID number to the current
    algorithm (HMAC-SHA256 <-> HMAC-SM3): the citizen's, their verification attempts' and
    their exam results' (matched by the old index). Rows are found by the old index, so a
    second run changes nothing. Exam results of people with no verified account keep the
    old index: re-import an exam still to be released after a switch."""
    moved, last = 0, None
    while True:
        query = Citizen.filter(id_number_enc__isnull=False)
        if last is not None:
            query = query.filter(id__gt=last)
        rows = await query.order_by("id").limit(batch_size).values_list("id", "id_number_enc")
        if not rows:
            return moved
        async with in_transaction():
            for citizen_id, token in rows:
                moved += await _reindex_one(cipher, citizen_id, token)
        last = rows[-1][0]


async def _reindex_one(cipher: PiiCipher, citizen_id: Any, token: str) -> int:
    try:
        number = cipher.decrypt(token, context=ID_NUMBER_CONTEXT)
    except PiiDecryptError:
        return 0  # counted by the rotation already
    current = cipher.blind_index(number, purpose="id_number")
    legacy = cipher.legacy_index(number, purpose="id_number")
    moved = await Citizen.filter(id=citizen_id, id_number_index=legacy).update(
        id_number_index=current
    )
    await Verification.filter(id_number_index=legacy).update(id_number_index=current)
    await ExamResult.filter(id_number_index=legacy).update(id_number_index=current)
    return int(moved)


async def rotate_all(cipher: PiiCipher, batch_size: int = DEFAULT_BATCH_SIZE) -> Counts:
    """Rotate every table in ``ENCRYPTED``, printing one line per table; return the totals."""
    total = Counts()
    for table in ENCRYPTED:
        counts = await rotate_table(cipher, table, batch_size)
        name = table.model._meta.db_table
        print(
            f"{name}: rotated {counts.rotated}, already current {counts.current}, "
            f"failed {counts.failed}"
        )
        total.add(counts)
    print(f"blind indexes moved to the current algorithm: {await reindex(cipher, batch_size)}")
    return total


async def rotate_table(cipher: PiiCipher, table: EncryptedTable, batch_size: int) -> Counts:
    """Walk ``table`` in primary-key order, one transaction per batch."""
    pk = table.model._meta.pk_attr
    names = [column for column, _ in table.columns]
    not_null: list[dict[str, Any]] = [{f"{column}__isnull": False} for column in names]
    holding_any = Q(*(Q(**condition) for condition in not_null), join_type="OR")
    counts, last = Counts(), None
    while True:
        query = table.model.filter(holding_any)
        if last is not None:
            query = query.filter(**{f"{pk}__gt": last})
        rows = await query.order_by(pk).limit(batch_size).values_list(pk, *names)
        if not rows:
            return counts
        async with in_transaction():
            for row in rows:
                await _rotate_row(cipher, table, pk, row, counts)
        last = rows[-1][0]


async def _rotate_row(
    cipher: PiiCipher, table: EncryptedTable, pk: str, row: tuple[Any, ...], counts: Counts
) -> None:
    for (column, context), token in zip(table.columns, row[1:], strict=True):
        if not token:
            continue
        try:
            if not cipher.needs_rotation(token):
                counts.current += 1
                continue
            fresh = cipher.rotate(token, context=context)
        except PiiDecryptError as exc:
            counts.failed += 1
            # The key id and the row, never the token's content.
            counts.failures.append(f"{table.model._meta.db_table}.{column} {pk}={row[0]}: {exc}")
            continue
        # Compare-and-set: a value rewritten since we read it is already under the new key.
        await table.model.filter(**{pk: row[0], column: token}).update(**{column: fresh})
        counts.rotated += 1


def cipher_from_env() -> PiiCipher:
    return PiiCipher.from_env(environment())


def run_rotate(batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """The command: 0 when every value is under the current key, 1 when some failed."""
    try:
        cipher = cipher_from_env()
    except ValueError as exc:
        print(f"citysvc keys rotate: {exc}", file=sys.stderr)
        return 2
    total = asyncio.run(with_database(lambda: rotate_all(cipher, max(1, batch_size))))
    for line in total.failures[:20]:
        print(f"  cannot rotate {line}", file=sys.stderr)
    print(
        f"rotated {total.rotated}, already current {total.current}, failed {total.failed}"
        f" (current key {cipher.current_key_id})"
    )
    return 1 if total.failed else 0
