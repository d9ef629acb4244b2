"""Staff: login, warnings, the access log."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from miniapp_api.schemas.common import NUMBER, TIME, Text, _example


class StaffLogin(BaseModel):
    model_config = _example({"username": "clerk1", "password": "correct horse battery"})
    username: Text = Field(max_length=64)
    password: Text = Field(max_length=256)
    otp: str | None = Field(None, description="6 digits, when STAFF_TOTP=required")


class StaffToken(BaseModel):
    model_config = _example({"token": "…staff…", "role": "clerk", "department": "GA"})
    token: str
    role: str
    department: str | None


class Warning(BaseModel):
    model_config = _example(
        {
            "id": 3,
            "kind": "near_deadline",
            "level": "warning",
            "colour": "yellow",
            "audience": "department",
            "department": "GA",
            "number": NUMBER,
            "message": "办件仅剩 1 个工作日到期",
            "created_at": TIME,
        }
    )
    id: int
    kind: str
    level: str
    colour: str
    audience: str
    department: str
    number: str | None
    message: str
    created_at: str


class WarningPage(BaseModel):
    items: list[Warning]
    total: int


class AccessLogLine(BaseModel):
    model_config = _example(
        {
            "id": 41,
            "at": TIME,
            "event": "case_viewed",
            "staff_id": 2,
            "username": "clerk1",
            "address": "10.8.1.23",
            "subject": NUMBER,
            "detail": "",
        }
    )
    id: int
    at: str
    event: Literal["login", "login_failed", "locked_out", "case_viewed", "material_downloaded"]
    staff_id: int | None
    username: str
    address: str | None
    subject: str | None = Field(description="a case number or a file id")
    detail: str


class AccessLogPage(BaseModel):
    items: list[AccessLogLine]
    total: int
