"""The service catalogue: departments, items, their history."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from miniapp_api.schemas.common import TIME, _example


class Department(BaseModel):
    code: str
    name: str


ITEM_SUMMARY_EXAMPLE = {
    "code": "320112-000-XK-00001",
    "name": "居民身份证换领",
    "department": {"code": "GA", "name": "公安局"},
    "kind": "行政许可",
    "audience": "personal",
    "legal_days": 20,
    "promised_days": 5,
    "fee": None,
    "no_visit": True,
    "delivery": ["ems", "pickup"],
    "version": 1,
}


class ItemSummary(BaseModel):
    model_config = _example(ITEM_SUMMARY_EXAMPLE)
    code: str
    name: str
    department: Department
    kind: str
    audience: Literal["personal", "legal_person"]
    legal_days: int
    promised_days: int
    fee: str | None
    no_visit: bool
    delivery: list[Literal["ems", "pickup"]]
    version: int


class Material(BaseModel):
    name: str
    required: bool
    license_type: str | None


class Item(ItemSummary):
    model_config = _example(
        {
            **ITEM_SUMMARY_EXAMPLE,
            "conditions": "年满十八周岁",
            "materials": [
                {"name": "申请表", "required": True, "license_type": None},
                {"name": "居民身份证", "required": True, "license_type": "id_card"},
            ],
            "process": ["申请", "受理", "审查", "决定"],
            "keywords": ["身份证"],
        }
    )
    conditions: str
    materials: list[Material]
    process: list[str]
    keywords: list[str]


class ItemPage(BaseModel):
    items: list[ItemSummary]
    total: int


class HistoryCorrection(BaseModel):
    id: int
    content: str
    filed_at: str
    status: Literal["open", "replied"]
    reply: str | None


class ItemHistory(BaseModel):
    model_config = _example(
        {
            "version": 2,
            "name": "居民身份证换领",
            "created_at": TIME,
            "corrections": [
                {
                    "id": 12,
                    "content": "办事指南写的受理地点是二楼，实际在一楼3号窗口。",
                    "filed_at": "2026-11-20T09:30:00+08:00",
                    "status": "replied",
                    "reply": "感谢您的指正，办事指南已更正为一楼3号窗口。",
                }
            ],
        }
    )
    version: int
    name: str
    created_at: str
    corrections: list[HistoryCorrection]
