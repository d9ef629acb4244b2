"""The topic feeds over HTTP: one JSON gateway in front of the providers' own systems.

The district's data-sharing platform (数据共享交换平台) republishes the highway, transit,
food-safety and labour-bureau feeds as JSON:

* ``GET {base}/feeds/{topic}?limit=N`` -> ``{"items": [{title, summary, at, source, link}]}``
* ``GET {base}/bus/routes?q=&limit=N`` -> ``{"routes": [{number, name, first_bus, last_bus,
  stops}]}``
* ``GET {base}/food-safety/trace/{code}`` -> the record, or 404 for an unknown code.

A 5xx answer or a transport failure is ``Retryable``; any other non-200 is ``Permanent``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from core.clock import CST
from core.ports import BusRoute, FeedItem, TraceRecord
from integrations.errors import Permanent, Retryable
from integrations.http import transport_errors

PLATFORM = "topic_feeds"


class HttpTopicFeeds:
    """``core.ports.TopicFeeds`` over the data-sharing platform's JSON gateway."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def latest(self, topic: str, limit: int = 20) -> list[FeedItem]:
        body = await self._get(f"/feeds/{quote(topic)}", {"limit": str(limit)})
        return [_feed_item(topic, raw) for raw in (body or {}).get("items", [])[:limit]]

    async def bus_routes(self, query: str, limit: int = 20) -> list[BusRoute]:
        body = await self._get("/bus/routes", {"q": query, "limit": str(limit)})
        return [_route(raw) for raw in (body or {}).get("routes", [])[:limit]]

    async def trace(self, code: str) -> TraceRecord | None:
        body = await self._get(f"/food-safety/trace/{quote(code)}", {})
        return None if body is None else _trace(body)

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        """The JSON body; None for a 404."""
        with transport_errors(PLATFORM):
            async with self._http.get(self._base + path, params=params) as resp:
                if resp.status == 404:
                    return None
                if resp.status >= 500:
                    raise Retryable(f"feed answered {resp.status}", platform=PLATFORM)
                if resp.status != 200:
                    raise Permanent(
                        f"feed refused {path}", platform=PLATFORM, platform_code=resp.status
                    )
                body = await resp.json(content_type=None)
        if not isinstance(body, dict):
            raise Permanent("feed answered something other than an object", platform=PLATFORM)
        return body


def _feed_item(topic: str, raw: dict[str, Any]) -> FeedItem:
    at = datetime.fromisoformat(str(raw["at"]))
    return FeedItem(
        topic=topic,
        title=str(raw["title"]),
        summary=str(raw.get("summary", "")),
        at=at if at.tzinfo else at.replace(tzinfo=CST),
        source=str(raw.get("source", "")),
        link=str(raw.get("link", "")),
    )


def _route(raw: dict[str, Any]) -> BusRoute:
    return BusRoute(
        number=str(raw["number"]),
        name=str(raw.get("name", "")),
        first_bus=str(raw.get("first_bus", "")),
        last_bus=str(raw.get("last_bus", "")),
        stops=tuple(str(s) for s in raw.get("stops", [])),
    )


def _trace(raw: dict[str, Any]) -> TraceRecord:
    return TraceRecord(
        code=str(raw["code"]),
        product=str(raw.get("product", "")),
        producer=str(raw.get("producer", "")),
        batch=str(raw.get("batch", "")),
        inspected=bool(raw.get("inspected", False)),
        steps=tuple(str(s) for s in raw.get("steps", [])),
    )
