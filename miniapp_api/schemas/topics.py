"""Topics, their feeds (traffic, bus routes, food traceability) and exam scores."""

from __future__ import annotations

from pydantic import BaseModel

from miniapp_api.schemas.common import TIME, _example


class Topic(BaseModel):
    model_config = _example({"key": "gaokao", "name": "高考成绩", "subscribed": False})
    key: str
    name: str
    subscribed: bool


class FeedItem(BaseModel):
    model_config = _example(
        {
            "topic": "highway_traffic",
            "title": "京沪高速江都段施工",
            "summary": "南向车道封闭至18时",
            "at": TIME,
            "source": "交通运输局",
            "link": "",
        }
    )
    topic: str
    title: str
    summary: str
    at: str
    source: str
    link: str


class BusRoute(BaseModel):
    model_config = _example(
        {
            "number": "8",
            "name": "火车站—仙女镇",
            "first_bus": "06:00",
            "last_bus": "21:30",
            "stops": ["火车站", "龙川广场", "仙女镇"],
        }
    )
    number: str
    name: str
    first_bus: str
    last_bus: str
    stops: list[str]


class TraceRecord(BaseModel):
    model_config = _example(
        {
            "code": "6901234567892",
            "product": "鲜牛奶",
            "producer": "扬州乳业",
            "batch": "20261120",
            "inspected": True,
            "steps": ["生产", "检验", "配送"],
        }
    )
    code: str
    product: str
    producer: str
    batch: str
    inspected: bool
    steps: list[str]


class Score(BaseModel):
    model_config = _example(
        {
            "exam": "gaokao-2026",
            "candidate_number": "26321012345678",
            "name_masked": "张*",
            "total": "612.5",
            "subjects": {"语文": "121", "数学": "135"},
        }
    )
    exam: str
    candidate_number: str
    name_masked: str
    total: str
    subjects: dict[str, str]
