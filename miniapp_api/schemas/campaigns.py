"""Campaigns: the staff requests, previews, test sends and figures."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from miniapp_api.schemas.common import CITIZEN_ID, TIME, _example


class QuietHours(BaseModel):
    start: str = Field(examples=["21:00"])
    end: str = Field(examples=["08:00"])


class Audience(BaseModel):
    realname_only: bool = False
    towns: list[str] = Field(default_factory=list)


class CampaignRequest(BaseModel):
    model_config = _example(
        {
            "name": "2026年高考成绩发布",
            "topic": "gaokao",
            "title": "高考成绩已发布",
            "summary": "点击查询您的高考成绩",
            "page": "pages/exam/score?exam=gaokao-2026",
            "send_at": "2026-06-25T12:00:00+08:00",
            "quiet_hours": {"start": "21:00", "end": "08:00"},
            "rate_per_second": 100,
            "audience": {"realname_only": True, "towns": []},
        }
    )
    name: str
    topic: str
    title: str
    summary: str
    page: str
    send_at: str
    quiet_hours: QuietHours
    rate_per_second: int
    audience: Audience
    recurrence: str | None = Field(None, description="MM-DD: a yearly campaign")


class TestSend(BaseModel):
    model_config = _example({"staff": ["pub1"]})
    staff: list[str] = Field(description="usernames of staff linked to their own account")


class TestMessage(BaseModel):
    username: str
    citizen_id: str
    channel: str
    status: str


class TestSent(BaseModel):
    model_config = _example(
        {
            "messages": [
                {
                    "username": "pub1",
                    "citizen_id": CITIZEN_ID,
                    "channel": "wechat",
                    "status": "queued",
                }
            ]
        }
    )
    messages: list[TestMessage]


class Figures(BaseModel):
    targeted: int
    sent: int
    no_consent: int
    failed: int
    remaining: int


class Campaign(BaseModel):
    model_config = _example(
        {
            "id": 1,
            "name": "2026年高考成绩发布",
            "topic": "gaokao",
            "title": "高考成绩已发布",
            "summary": "点击查询您的高考成绩",
            "page": "pages/exam/score?exam=gaokao-2026",
            "send_at": "2026-06-25T12:00:00+08:00",
            "quiet_hours": {"start": "21:00", "end": "08:00"},
            "rate_per_second": 100,
            "audience": {"realname_only": True, "towns": []},
            "recurrence": None,
            "status": "draft",
            "author_id": 2,
            "approver_id": None,
            "started_at": None,
            "finished_at": None,
            "created_at": TIME,
            "warnings": [],
            "figures": {"targeted": 0, "sent": 0, "no_consent": 0, "failed": 0, "remaining": 0},
        }
    )
    id: int
    name: str
    topic: str
    title: str
    summary: str
    page: str
    send_at: str
    quiet_hours: QuietHours
    rate_per_second: int
    audience: dict[str, Any]
    recurrence: str | None
    status: Literal["draft", "scheduled", "running", "paused", "completed", "cancelled"]
    warnings: list[dict[str, Any]]
    figures: Figures | None = None


class CampaignPage(BaseModel):
    items: list[Campaign]
    total: int


class Preview(BaseModel):
    """Per platform the template id, page and data exactly as the platform receives them."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "wechat": {
                        "template_id": "wx-demo-topic",
                        "page": "pages/exam/score?exam=gaokao-2026",
                        "data": {"thing1": "高考成绩已发布"},
                    }
                }
            ]
        },
    )
