"""Reading query strings and posted forms on console pages (no JSON bodies here)."""

from __future__ import annotations

from datetime import date

from sanic import Request

from core.paging import Page, read_page


def arg(request: Request, name: str, max_length: int = 64) -> str:
    """A query parameter as trimmed text ('' when absent), cut to ``max_length``."""
    value = request.args.get(name) or ""
    return value.strip()[:max_length]


def day(request: Request, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter; None when absent or not a date."""
    try:
        return date.fromisoformat(arg(request, name, 10)) if arg(request, name) else None
    except ValueError:
        return None


def page_of(request: Request) -> Page:
    return read_page(request.args.get)


def pager(paging: Page, total: int) -> dict[str, int]:
    """What a listing's pager shows: this page's number and how many pages there are."""
    return {"page_number": paging.number, "pages": max(1, -(-total // paging.size))}


def field(request: Request, name: str, max_length: int = 1000) -> str:
    """A posted form field as text ('' when absent); longer input is cut for the domain to
    judge (a note of more than 1000 characters is still refused there)."""
    form = request.form
    value = form.get(name) if form else None
    return value[: max_length + 1] if isinstance(value, str) else ""


def whole(request: Request, name: str) -> int | None:
    raw = field(request, name, 6).strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None
