"""What every resource shares: example values, the error answer, health."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# A request's required line of text: trimmed, not blank (the length is each field's own).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

TIME = "2026-11-26T10:00:00+08:00"


NUMBER = "20261126-000001-2"


CITIZEN_ID = "9d444226-bb20-4281-82ed-7a4baf62a006"


FILE_ID = "48d85c02e0ff9172937928963cd2ac93"


def _example(value: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class Health(BaseModel):
    model_config = _example({"status": "ok"})
    status: str


class Ready(BaseModel):
    model_config = _example({"status": "ready", "checks": {"database": True}})
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]


class ErrorDetail(BaseModel):
    code: str
    message: str = Field(description="Simplified Chinese, English with Accept-Language: en")
    details: dict[str, Any]


class ErrorAnswer(BaseModel):
    model_config = _example(
        {
            "error": {
                "code": "invalid_transition",
                "message": "办件当前的状态不能进行这项操作，请刷新后查看最新状态。",
                "details": {"status": "accepted", "action": "withdraw"},
            }
        }
    )
    error: ErrorDetail
