"""Cases: filing, supplements, uploads, the detail as citizens and staff see it, shipments and
staff actions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from core.cases.notes import MAX_NOTE
from miniapp_api.schemas.common import CITIZEN_ID, FILE_ID, NUMBER, TIME, Text, _example


class Address(BaseModel):
    model_config = _example(
        {
            "name": "张三",
            "phone": "13812345678",
            "province": "江苏省",
            "city": "扬州市",
            "district": "江都区",
            "detail": "仙女镇龙川路88号3幢201室",
        }
    )
    name: Text = Field(max_length=200)
    phone: Text = Field(max_length=200)
    province: Text = Field(max_length=200)
    city: Text = Field(max_length=200)
    district: Text = Field(max_length=200)
    detail: Text = Field(max_length=200)


class Delivery(BaseModel):
    method: Literal["ems", "pickup"]
    address: Address | None = Field(None, description="required for ems")


class MaterialRef(BaseModel):
    name: str = Field(description="a material name of the item")
    file_id: str = Field(description="from POST /api/v1/uploads")


class ApplicationRequest(BaseModel):
    model_config = _example(
        {
            "item_code": "320112-000-XK-00001",
            "form": {"reason": "换领"},
            "materials": [{"name": "申请表", "file_id": FILE_ID}],
            "delivery": {"method": "pickup"},
        }
    )
    item_code: str
    delivery: Delivery
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialRef] = Field(default_factory=list)
    on_behalf_of: str | None = Field(None, description="an agent filing for this citizen id")


class Supplement(BaseModel):
    model_config = _example(
        {"materials": [{"name": "户口簿", "file_id": FILE_ID}], "note": "已补充户口簿首页"}
    )
    materials: list[MaterialRef] = Field(
        default_factory=list, description="at least one; 50 on a case at most"
    )
    note: str | None = Field(None, max_length=MAX_NOTE)


class StaffAction(BaseModel):
    model_config = _example({"action": "request_supplement", "note": "请补充户口簿首页"})
    action: Literal[
        "accept",
        "refuse",
        "request_supplement",
        "start_review",
        "approve",
        "deny",
        "suspend",
        "resume",
        "extend",
        "hand_over",
        "revoke_instant",
    ]
    note: str | None = Field(None, max_length=MAX_NOTE, description="required to refuse or deny")
    days: int | None = Field(None, description="working days, for extend")


class ShipmentRequest(BaseModel):
    model_config = _example({"tracking_number": "1234567890123"})
    tracking_number: Text = Field(max_length=64)


class UploadForm(BaseModel):
    file: bytes = Field(description="JPEG, PNG or PDF (judged by content), at most 10 MB")


class Uploaded(BaseModel):
    model_config = _example({"file_id": FILE_ID})
    file_id: str


class Filed(BaseModel):
    model_config = _example({"number": NUMBER, "status": "submitted"})
    number: str
    status: str


CASE_SUMMARY_EXAMPLE = {
    "number": NUMBER,
    "item_code": "320112-000-XK-00001",
    "status": "accepted",
    "due_date": "2026-12-03",
    "created_at": TIME,
}


class CaseSummary(BaseModel):
    model_config = _example(CASE_SUMMARY_EXAMPLE)
    number: str
    item_code: str
    status: str
    due_date: str | None
    created_at: str


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int


class Step(BaseModel):
    status: str
    at: str
    note: str


class ParcelEvent(BaseModel):
    at: str
    status: str
    description: str


class Shipment(BaseModel):
    tracking_number: str
    events: list[ParcelEvent]


class CaseDelivery(BaseModel):
    method: Literal["ems", "pickup"]
    address: Address | None


class CaseDetail(BaseModel):
    model_config = _example(
        {
            "number": NUMBER,
            "item_code": "320112-000-XK-00001",
            "status": "accepted",
            "due_date": "2026-12-03",
            "due_provisional": False,
            "created_at": TIME,
            "timeline": [
                {"status": "submitted", "at": TIME, "note": "申请已提交，等待受理"},
                {"status": "accepted", "at": TIME, "note": "申请已受理"},
            ],
            "shipment": None,
            "delivery": {"method": "pickup", "address": None},
            "materials": [{"name": "申请表"}, {"name": "居民身份证"}],
        }
    )
    number: str
    item_code: str
    status: str
    due_date: str | None
    due_provisional: bool
    created_at: str
    timeline: list[Step]
    shipment: Shipment | None
    delivery: CaseDelivery
    materials: list[dict[str, Any]]


class Applicant(BaseModel):
    realname_verified: bool
    name_masked: str | None
    id_number_masked: str | None


class CaseMessage(BaseModel):
    event: str
    channel: str
    status: str
    attempts: int
    error: str | None


class AuditStep(BaseModel):
    seq: int
    actor: str
    action: str
    from_: str | None = Field(alias="from")
    to: str
    note: str
    at: str


class StaffCase(CaseSummary):
    model_config = _example(
        {
            **CASE_SUMMARY_EXAMPLE,
            "due_provisional": False,
            "department": "GA",
            "accepted_on": "2026-11-26",
            "applicant": {
                "realname_verified": True,
                "name_masked": "张*",
                "id_number_masked": "1101**********002X",
            },
            "agent_filed": False,
            "form": {"reason": "换领"},
            "materials": [{"name": "申请表", "file_id": FILE_ID}],
            "delivery": {"method": "pickup", "address": None},
            "timeline": [{"status": "submitted", "at": TIME, "note": "申请已提交，等待受理"}],
            "audit": [
                {
                    "seq": 1,
                    "actor": "citizen:" + CITIZEN_ID,
                    "action": "submit",
                    "from": None,
                    "to": "submitted",
                    "note": "",
                    "at": TIME,
                }
            ],
            "shipment": None,
            "messages": [
                {
                    "event": "application.submitted",
                    "channel": "wechat",
                    "status": "sent",
                    "attempts": 1,
                    "error": None,
                }
            ],
        }
    )
    due_provisional: bool
    department: str
    accepted_on: str | None
    applicant: Applicant
    agent_filed: bool
    form: dict[str, Any]
    materials: list[dict[str, Any]]
    delivery: CaseDelivery
    timeline: list[Step]
    audit: list[AuditStep]
    shipment: Shipment | None
    messages: list[CaseMessage]
