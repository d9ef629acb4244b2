"""Ratings, feedback, rectifications, the public board and the service figures."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.cases.notes import MAX_NOTE
from core.feedback.ratings import MAX_COMMENT
from core.feedback.service import MAX_CONTENT, MAX_REPLY
from miniapp_api.schemas.common import NUMBER, TIME, Text, _example

# Any of the four, each scored 1-5: 办事效率, 指南准确, 办理便捷, 系统好用.
RatingDimensions = dict[
    Literal["efficiency", "guide_accuracy", "convenience", "usability"],
    Annotated[int, Field(ge=1, le=5)],
]


class RatingRequest(BaseModel):
    model_config = _example(
        {
            "level": 4,
            "comment": "窗口引导清楚，邮寄很快",
            "dimensions": {
                "efficiency": 5,
                "guide_accuracy": 4,
                "convenience": 4,
                "usability": 4,
            },
        }
    )
    level: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意; 1 and 2 are poor")
    comment: str | None = Field(None, max_length=MAX_COMMENT)
    dimensions: RatingDimensions | None = Field(
        None, description="any of efficiency, guide_accuracy, convenience, usability: 1-5"
    )


class FeedbackRequest(BaseModel):
    model_config = _example(
        {
            "kind": "correction",
            "content": "办事指南写的受理地点是二楼，实际在一楼3号窗口。",
            "item_code": "320112-000-XK-00001",
        }
    )
    kind: Literal["complaint", "suggestion", "correction"]
    content: Text = Field(max_length=MAX_CONTENT)
    item_code: str | None = Field(None, max_length=64, description="required for a correction")
    application_number: str | None = Field(None, max_length=64, description="one of your own cases")


class RectificationAction(BaseModel):
    model_config = _example({"action": "call_back", "note": "已电话回访申请人，说明办理时限"})
    action: Literal["call_back", "rectify", "appeal", "uphold", "void"]
    note: str | None = Field(None, max_length=MAX_NOTE)


class FeedbackReply(BaseModel):
    model_config = _example({"reply": "感谢您的指正，办事指南已更正为一楼3号窗口。"})
    reply: Text = Field(max_length=MAX_REPLY)


class RatingAnswer(BaseModel):
    model_config = _example(
        {
            "application_number": NUMBER,
            "level": 4,
            "level_text": "满意",
            "dimensions": {
                "efficiency": 5,
                "guide_accuracy": 4,
                "convenience": 4,
                "usability": 4,
            },
            "comment": "窗口引导清楚，邮寄很快",
            "default": False,
            "created_at": TIME,
        }
    )
    application_number: str
    level: int
    level_text: Literal["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    dimensions: RatingDimensions | None
    comment: str
    default: bool = Field(description="rated 5 by the system after RATING_DEFAULT_DAYS")
    created_at: str


class FeedbackFiled(BaseModel):
    model_config = _example(
        {"id": 12, "kind": "correction", "status": "open", "due_date": "2026-12-03"}
    )
    id: int
    kind: Literal["complaint", "suggestion", "correction"]
    status: Literal["open", "replied"]
    due_date: str


class FeedbackView(BaseModel):
    model_config = _example(
        {
            "id": 12,
            "kind": "correction",
            "content": "办事指南写的受理地点是二楼，实际在一楼3号窗口。",
            "item_code": "320112-000-XK-00001",
            "application_number": None,
            "status": "replied",
            "reply": "感谢您的指正，办事指南已更正为一楼3号窗口。",
            "replied_at": TIME,
            "due_date": "2026-12-03",
            "created_at": TIME,
        }
    )
    id: int
    kind: Literal["complaint", "suggestion", "correction"]
    content: str
    item_code: str | None
    application_number: str | None
    status: Literal["open", "replied"]
    reply: str | None
    replied_at: str | None
    due_date: str
    created_at: str


class FeedbackPage(BaseModel):
    items: list[FeedbackView]
    total: int


class StaffFeedback(FeedbackView):
    model_config = _example(
        {
            "id": 12,
            "kind": "complaint",
            "content": "窗口等候时间太长，希望增加取号提醒。",
            "item_code": "320112-000-XK-00001",
            "application_number": NUMBER,
            "status": "open",
            "reply": None,
            "replied_at": None,
            "due_date": "2026-12-03",
            "created_at": TIME,
            "department": "GA",
        }
    )
    department: str | None = Field(description="null: naming neither item nor case (admins)")


class StaffFeedbackPage(BaseModel):
    items: list[StaffFeedback]
    total: int


class RectificationStep(BaseModel):
    action: Literal["call_back", "rectify", "appeal", "uphold", "void"]
    note: str
    by: str = Field(description="staff:<username>")
    at: str


class Rectification(BaseModel):
    model_config = _example(
        {
            "id": 5,
            "application_number": NUMBER,
            "level": 2,
            "comment": "材料要求和指南不一致，跑了两趟",
            "status": "called_back",
            "due_date": "2026-12-03",
            "due_provisional": False,
            "history": [
                {
                    "action": "call_back",
                    "note": "已电话回访申请人，说明办理时限",
                    "by": "staff:clerk1",
                    "at": TIME,
                }
            ],
            "created_at": TIME,
        }
    )
    id: int
    application_number: str
    level: int
    comment: str
    status: Literal["open", "called_back", "rectified", "appealed", "voided"]
    due_date: str
    due_provisional: bool
    history: list[RectificationStep]
    created_at: str


class RectificationPage(BaseModel):
    items: list[Rectification]
    total: int


class BoardEntry(BaseModel):
    model_config = _example(
        {
            "id": 318,
            "at": TIME,
            "item_name": "居民身份证换领",
            "department_name": "公安局",
            "status": "result_mailed",
        }
    )
    id: int = Field(description="the SSE event id; ?since= and Last-Event-ID take it")
    at: str
    item_name: str
    department_name: str
    status: Literal["approved", "denied", "refused", "result_mailed", "delivered", "collected"]


class Complained(BaseModel):
    item_code: str
    count: int


class ServiceFigures(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "from": "2026-11-01",
                    "to": "2026-11-30",
                    "department": None,
                    "item": None,
                    "cases": 1280,
                    "finished": 1164,
                    "no_visit_rate": 0.82,
                    "on_time_rate": 0.99,
                    "avg_working_days": 3.4,
                    "satisfaction_rate": 0.97,
                    "poor_ratings": 6,
                    "realname_citizens": 5230,
                    "top_complained": [{"item_code": "320112-000-XK-00001", "count": 3}],
                }
            ]
        },
    )
    from_: str = Field(alias="from", description="China date, inclusive")
    to: str
    department: str | None
    item: str | None
    cases: int
    finished: int
    no_visit_rate: float | None = Field(description="0-1, null when nothing counts")
    on_time_rate: float | None
    avg_working_days: float | None
    satisfaction_rate: float | None
    poor_ratings: int
    realname_citizens: int
    top_complained: list[Complained]
