"""The topics of docs/api.md ("Topics, campaigns and exam scores"), with their Chinese names.

The keys are fixed by the contract; each topic's notification event is ``topic.{key}``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    name: str

    @property
    def event(self) -> str:
        """The notification event of this topic (``topic.zhongkao``...)."""
        return f"topic.{self.key}"


TOPICS: tuple[Topic, ...] = (
    Topic("zhongkao", "中考成绩"),
    Topic("gaokao", "高考成绩"),
    Topic("vocational_exam", "职业资格考试"),
    Topic("highway_traffic", "高速路况"),
    Topic("bus_routes", "公交线路"),
    Topic("food_safety", "食品安全追溯"),
    Topic("labour_rights", "劳动权益"),
)
BY_KEY = {topic.key: topic for topic in TOPICS}

# What people type instead of the exact name (the bot reads free text).
_ALIASES = {
    "中考": "zhongkao",
    "高考": "gaokao",
    "职业资格": "vocational_exam",
    "职考": "vocational_exam",
    "路况": "highway_traffic",
    "高速": "highway_traffic",
    "公交": "bus_routes",
    "食品安全": "food_safety",
    "食安": "food_safety",
    "劳动": "labour_rights",
    "劳动权益保障": "labour_rights",
}


def find_topic(text: str) -> Topic | None:
    """The topic named by ``text``: a key, a Chinese name, or a common short form."""
    wanted = unicodedata.normalize("NFKC", text).strip().lower()
    if not wanted:
        return None
    if wanted in BY_KEY:
        return BY_KEY[wanted]
    for topic in TOPICS:
        if wanted == topic.name:
            return topic
    key = _ALIASES.get(wanted)
    if key is None:
        # "中考成绩查询", "订阅高速路况信息": the longest name or alias inside the text
        found = [(len(t.name), t.key) for t in TOPICS if t.name in wanted]
        found += [(len(alias), k) for alias, k in _ALIASES.items() if alias in wanted]
        key = max(found)[1] if found else None
    return BY_KEY.get(key) if key else None
