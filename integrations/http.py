"""The one aiohttp seam: session construction and translation of transport failures.

Every adapter sends through an ``aiohttp.ClientSession`` made here and wraps its calls in
``transport_errors``, so a timeout or a refused connection becomes ``Retryable`` in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import orjson

from integrations.errors import Retryable

DEFAULT_TIMEOUT = 5.0


def new_session(timeout: float = DEFAULT_TIMEOUT, limit: int = 100) -> aiohttp.ClientSession:
    """A pooled client session; the caller closes it (app/worker shutdown)."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout),
        connector=aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300),
        raise_for_status=False,
        json_serialize=_json,
    )


def _json(value: object) -> str:
    # request bodies: orjson is several times json.dumps and writes Chinese text as is
    return orjson.dumps(value).decode()


@contextmanager
def transport_errors(platform: str) -> Iterator[None]:
    """Turn aiohttp's and asyncio's transport failures into ``Retryable``."""
    try:
        yield
    except TimeoutError as exc:
        raise Retryable(f"{platform} did not answer in time", platform=platform) from exc
    except aiohttp.ContentTypeError as exc:
        raise Retryable(f"{platform} answered with an unexpected body", platform=platform) from exc
    except aiohttp.ClientError as exc:
        raise Retryable(
            f"{platform} is unreachable: {type(exc).__name__}", platform=platform
        ) from exc
