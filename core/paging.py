"""One paging style for every list: ``?page=`` from 1, ``?per_page=`` 20 by default, 100 at most.

A paged answer is ``{"items": [...], "total": N}``; a page past the end is empty, not an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.errors import InvalidInput

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000

M = TypeVar("M", bound=Model)
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def cut(self, rows: Sequence[T]) -> list[T]:
        """This page of rows already in memory."""
        return list(rows[self.offset : self.offset + self.size])


FIRST = Page()


def _whole(get: Callable[[str], str | None], name: str, default: int, highest: int) -> int:
    raw = get(name) or str(default)
    # length first: int() of thousands of digits raises instead of answering 422
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= highest):
        raise InvalidInput(
            f"'{name}' must be a whole number from 1 to {highest}.", details={"field": name}
        )
    return int(raw)


def read_page(get: Callable[[str], str | None]) -> Page:
    """``page`` (from 1) and ``per_page`` (default 20, at most 100) read through ``get`` (a
    query string's first value by name): the API's lists and the console's pages alike."""
    return Page(
        _whole(get, "page", 1, MAX_PAGE), _whole(get, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    )


async def fetch_page(query: QuerySet[M], page: Page, *order: str) -> tuple[list[M], int]:
    """One page of ``query`` in ``order`` and how many rows the query holds in all."""
    total = await query.count()
    rows = await query.order_by(*order).offset(page.offset).limit(page.size)
    return list(rows), total


def paged(items: list[Any], total: int) -> dict[str, Any]:
    return {"items": items, "total": total}
