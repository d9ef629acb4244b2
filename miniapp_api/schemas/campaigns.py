"""Campaigns: the staff requests, previews, test sends and figures."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.campaigns.service import MAX_RATE, SUMMARY_MAX, TITLE_MAX
from core.campaigns.testers import MAX_TEST_RECIPIENTS
from miniapp_api.schemas.common import CITIZEN_ID, TIME, Text, _example


class QuietHours(BaseModel):
    start: str = Field(examples=["21:00"])
    end: str = Field(examples=["08:00"])


class Audience(BaseModel):
    realname_only: bool = False
    towns: list[str] = Field(default_factory=list)


CAMPAIGN_REQUEST_EXAMPLE = {
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


class CampaignRequest(BaseModel):
    model_config = _example(CAMPAIGN_REQUEST_EXAMPLE)
    name: Text = Field(max_length=100)
    topic: Text = Field(max_length=32)
    title: Text = Field(max_length=TITLE_MAX, description="sent fitted to the template's field")
    summary: Text = Field(max_length=SUMMARY_MAX, description="sent fitted to the template's field")
    page: str | None = Field(None, max_length=512, description="relative: no leading / or space")
    send_at: str = Field(description="ISO time; without an offset, China time")
    quiet_hours: QuietHours | None = Field(None, description="21:00 to 08:00 when absent")
    rate_per_second: int = Field(50, ge=1, le=MAX_RATE)
    audience: Audience | None = None
    recurrence: str | None = Field(
        None,
        pattern=r"^((0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$",
        description="MM-DD: a yearly campaign",
    )


class TestSend(BaseModel):
    model_config = _example({"staff": ["pub1"]})
    staff: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None,
        min_length=1,
        max_length=MAX_TEST_RECIPIENTS,
        description="usernames of staff linked to their own account",
    )
    citizen_ids: list[str] | None = Field(
        None,
        min_length=1,
        max_length=MAX_TEST_RECIPIENTS,
        description="instead of staff: staff members' own citizen accounts",
    )


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
            **CAMPAIGN_REQUEST_EXAMPLE,
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
