"""An in-process topic feed with fixed demo data, for ``citysvc demo`` and the tests.

It keeps what a real feed would answer (times in China Standard Time, routes matched by
number, name or stop) and lets tests add items, so a test can say what the feed holds.
"""

from __future__ import annotations

from datetime import datetime

from core.clock import CST
from core.ports import BusRoute, FeedItem, TraceRecord

_AT = datetime(2026, 11, 26, 8, 0, tzinfo=CST)
_ITEMS = (
    FeedItem(
        "highway_traffic",
        "G2京沪高速江都段车流量大",
        "江都枢纽至宜陵段车多缓行，预计通行时间增加20分钟",
        _AT,
        "省高速公路路网中心",
    ),
    FeedItem(
        "highway_traffic",
        "S28启扬高速施工",
        "仙女镇出口匝道夜间施工，22:00至次日6:00封闭",
        _AT,
        "省高速公路路网中心",
    ),
    FeedItem(
        "food_safety",
        "某品牌速冻水饺召回",
        "批次20261101生产的速冻水饺菌落总数超标，请停止食用",
        _AT,
        "区市场监督管理局",
    ),
    FeedItem(
        "labour_rights",
        "欠薪线索反映渠道",
        "遭遇欠薪可拨打12333或到区劳动监察大队反映",
        _AT,
        "区人社局",
    ),
)
_ROUTES = (
    BusRoute("1", "1路 汽车站—龙川广场", "06:00", "21:30", ("汽车站", "人民医院", "龙川广场")),
    BusRoute("6", "6路 仙女镇—宜陵镇", "06:30", "19:00", ("仙女镇", "真武镇", "宜陵镇")),
    BusRoute("K3", "K3快线 江都—扬州东站", "06:10", "20:40", ("江都汽车站", "扬州东站")),
)
_TRACES = {
    "6901234567892": TraceRecord(
        "6901234567892",
        "速冻水饺（猪肉白菜）",
        "扬州某食品有限公司",
        "20261101",
        True,
        ("原料入库 2026-10-30", "生产 2026-11-01", "出厂检验合格 2026-11-02"),
    ),
}


class SandboxTopicFeeds:
    """``core.ports.TopicFeeds`` answered from memory."""

    def __init__(self) -> None:
        self.items: list[FeedItem] = list(_ITEMS)
        self.routes: list[BusRoute] = list(_ROUTES)
        self.traces: dict[str, TraceRecord] = dict(_TRACES)

    def add(self, item: FeedItem) -> None:
        """A new item (newest first in ``latest``)."""
        self.items.append(item)

    async def latest(self, topic: str, limit: int = 20) -> list[FeedItem]:
        found = [item for item in self.items if item.topic == topic]
        return sorted(found, key=lambda item: item.at, reverse=True)[:limit]

    async def bus_routes(self, query: str, limit: int = 20) -> list[BusRoute]:
        wanted = query.strip().upper()
        found = [
            route
            for route in self.routes
            if wanted == route.number.upper() or wanted in route.name or wanted in route.stops
        ]
        return found[:limit]

    async def trace(self, code: str) -> TraceRecord | None:
        return self.traces.get(code.strip())
