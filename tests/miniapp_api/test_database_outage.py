"""A database that is restarting answers 503 with Retry-After, never 500.

`scripts/multihost.py` restarts PostgreSQL under load and showed requests answered 500 before;
here the handler is given the exceptions asyncpg raised there, chained as Tortoise chains them.
"""

from __future__ import annotations

import asyncpg
import orjson
import pytest

from miniapp_api import errors


def chained(outage: BaseException) -> Exception:
    try:
        try:
            raise outage
        except BaseException as exc:
            raise RuntimeError("query failed") from exc
    except RuntimeError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "outage",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
async def test_a_database_outage_is_503_to_retry(outage: BaseException) -> None:
    response = await errors.handle(_Fake(), chained(outage))  # type: ignore[arg-type]
    body = orjson.loads(response.body)
    assert (response.status, body["error"]["code"]) == (503, "database_unavailable")
    assert response.headers["Retry-After"] == "2"


async def test_other_unexpected_errors_stay_500() -> None:
    response = await errors.handle(_Fake(), chained(ValueError("a bug")))  # type: ignore[arg-type]
    assert response.status == 500


class _Fake:
    """What the handler reads of a request: for its log line."""

    method = "GET"
    path = "/api/v1/me"
    headers: dict[str, str] = {}
