"""The input boundary: text no database can store is refused before any handler runs.

PostgreSQL refuses NUL in text, neither database can store a lone UTF-16 surrogate, and no
field of ours means a control character: a request carrying one in its path, its query,
a form field or any string (key or value, at any depth) of a JSON body is a 400
``invalid_characters``, whatever the route. Tab, line feed and carriage return stay allowed
in bodies (notes have lines); in paths and queries nothing below a space is. So is a JSON
number beyond 64 bits, NaN or infinite (Python's reader takes them; no column stores them
and orjson cannot answer them): 400 ``invalid_number``.

The check is one regular expression over text that is mostly already decoded; a JSON body is
parsed once here and the parse is cached by Sanic for the handler. A body that is not JSON is
left to the handler, which answers 400 ``malformed_request`` as before.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import unquote

from sanic import Request

from core.errors import InvalidCharacters, InvalidNumber
from core.text import UNSTORABLE, UNSTORABLE_IN_URL
from miniapp_api.server import App

MAX_DEPTH = 32  # deeper JSON than any of our bodies is refused rather than walked


def _refuse(where: str) -> InvalidCharacters:
    return InvalidCharacters(details={"where": where})


def _storable_number(value: int | float) -> bool:
    if isinstance(value, float):  # NaN and Infinity: Python's JSON reader takes them
        return math.isfinite(value)
    return isinstance(value, bool) or -(2**63) <= value < 2**63  # no column holds more


def _check_json(value: Any, depth: int = 0) -> None:
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            raise _refuse("body")
    elif isinstance(value, int | float):
        if not _storable_number(value):
            raise InvalidNumber(details={"where": "body"})
    elif isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            raise _refuse("body")
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in pairs:
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)


def _url_text(text: str) -> str:
    return unquote(text, errors="surrogateescape") if "%" in text else text


def check_request(request: Request) -> None:
    """Raise ``InvalidCharacters`` for a request carrying text we cannot store."""
    if UNSTORABLE_IN_URL.search(_url_text(request.path)):
        raise _refuse("path")
    query = request.query_string
    if query and UNSTORABLE_IN_URL.search(_url_text(query.replace("+", " "))):
        raise _refuse("query")
    if not request.body:
        return
    content_type = request.content_type or ""
    if "json" in content_type or request.body[:1] in (b"{", b"["):
        try:
            body = request.json
        except Exception:  # not JSON: the handler answers 400 malformed_request
            return
        _check_json(body)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        for values in (request.form or {}).values():
            _check_json(values)


async def refuse_unstorable_text(request: Request) -> None:
    check_request(request)


def install(app: App) -> None:
    """Run the check before every other request middleware."""
    app.register_middleware(refuse_unstorable_text, "request", priority=100)
