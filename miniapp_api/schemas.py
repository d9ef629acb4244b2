"""Typed request and answer models of the API, with examples: what the OpenAPI document shows.

Each handler names its models with ``miniapp_api.docs.documented``; the document is built from
them and checked against real answers by ``tests/miniapp_api/test_openapi.py`` (every route
documented, the document valid, every answer of a walked journey valid against its schema).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TIME = "2026-11-26T10:00:00+08:00"
NUMBER = "20261126-000001-2"
CITIZEN_ID = "9d444226-bb20-4281-82ed-7a4baf62a006"
FILE_ID = "48d85c02e0ff9172937928963cd2ac93"


def _example(value: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


# --- requests -------------------------------------------------------------------------------


class WeChatLogin(BaseModel):
    model_config = _example({"code": "081Kq4Ga1M2wRA0Vfq0Ga1tq7Y4Kq4Gt"})
    code: str = Field(description="the code from wx.login", max_length=512)


class AlipayLogin(BaseModel):
    model_config = _example({"auth_code": "4b203fe6c11548bcabd8da5bb087a83b"})
    auth_code: str = Field(description="the code from my.getAuthCode", max_length=512)


class StaffLogin(BaseModel):
    model_config = _example({"username": "clerk1", "password": "correct horse battery"})
    username: str
    password: str
    otp: str | None = Field(None, description="6 digits, when STAFF_TOTP=required")


class RealnameStart(BaseModel):
    model_config = _example({"name": "张三", "id_number": "11010519491231002X"})
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)


class RealnameConfirm(BaseModel):
    model_config = _example({"verification_id": "60b539e8-c36e-49e7-89f2-0d45401da20d"})
    verification_id: str


class PhoneCode(BaseModel):
    model_config = _example({"code": "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345"})
    code: str = Field(description="the code of the getPhoneNumber button")


class Town(BaseModel):
    model_config = _example({"town": "仙女镇"})
    town: str | None


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
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


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
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialRef] = Field(default_factory=list)
    delivery: Delivery
    on_behalf_of: str | None = Field(None, description="an agent filing for this citizen id")


class Supplement(BaseModel):
    model_config = _example(
        {"materials": [{"name": "户口簿", "file_id": FILE_ID}], "note": "已补充户口簿首页"}
    )
    materials: list[MaterialRef]
    note: str = ""


class ConsentTap(BaseModel):
    model_config = _example(
        {"platform": "wechat", "accepted": ["wx-demo-case-progress"], "rejected": []}
    )
    platform: Literal["wechat", "alipay"]
    accepted: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)


class AgentGrant(BaseModel):
    model_config = _example({"agent_id": CITIZEN_ID, "item_code": "320112-000-XK-00001"})
    agent_id: str
    item_code: str


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
    ]
    note: str = ""
    days: int | None = Field(None, description="working days, for extend")


class ShipmentRequest(BaseModel):
    model_config = _example({"tracking_number": "1234567890123"})
    tracking_number: str


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


class UploadForm(BaseModel):
    file: bytes = Field(description="JPEG, PNG or PDF (judged by content), at most 10 MB")


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
    comment: str = Field("", max_length=500)
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
    content: str = Field(min_length=1, max_length=2000)
    item_code: str | None = Field(None, description="required for a correction")
    application_number: str | None = Field(None, description="one of your own cases")


class RectificationAction(BaseModel):
    model_config = _example({"action": "call_back", "note": "已电话回访申请人，说明办理时限"})
    action: Literal["call_back", "rectify", "appeal", "uphold", "void"]
    note: str = Field("", max_length=500)


class FeedbackReply(BaseModel):
    model_config = _example({"reply": "感谢您的指正，办事指南已更正为一楼3号窗口。"})
    reply: str = Field(min_length=1, max_length=2000)


# --- answers --------------------------------------------------------------------------------


class CitizenRef(BaseModel):
    id: str
    realname_verified: bool


class LoginAnswer(BaseModel):
    model_config = _example(
        {
            "token": "dc987d65….citizen.1796263200.QRtUXnco…",
            "citizen": {"id": CITIZEN_ID, "realname_verified": False},
        }
    )
    token: str
    citizen: CitizenRef


class StaffToken(BaseModel):
    model_config = _example({"token": "…staff…", "role": "clerk", "department": "GA"})
    token: str
    role: str
    department: str | None


class Me(BaseModel):
    model_config = _example(
        {
            "id": CITIZEN_ID,
            "realname_verified": True,
            "name_masked": "张*",
            "id_number_masked": "1101**********002X",
            "phone_masked": "138****5678",
            "platforms": ["wechat"],
        }
    )
    id: str
    realname_verified: bool
    name_masked: str | None
    id_number_masked: str | None
    phone_masked: str | None
    platforms: list[Literal["wechat", "alipay"]]


class Verification(BaseModel):
    id: str
    provider: str = Field(description="wechat_face, alipay_certify or sandbox")
    verify_id: str | None = Field(None, description="WeChat face verification")
    certify_id: str | None = Field(None, description="Alipay certify")
    certify_url: str | None = Field(None, description="Alipay certify")


class VerificationStarted(BaseModel):
    model_config = _example(
        {
            "verification": {
                "id": "60b539e8-c36e-49e7-89f2-0d45401da20d",
                "provider": "wechat_face",
                "verify_id": "F6m5bfNnNO5rZcdZ-ct5nZ0Jm_aFZEdf-x2tWfraLnA",
            }
        }
    )
    verification: Verification


class BindingCode(BaseModel):
    model_config = _example({"code": "483920", "expires_at": TIME, "expires_in": 600})
    code: str
    expires_at: str
    expires_in: int


class Department(BaseModel):
    code: str
    name: str


class ItemSummary(BaseModel):
    model_config = _example(
        {
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
    )
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
            "code": "320112-000-XK-00001",
            "name": "居民身份证换领",
            "department": {"code": "GA", "name": "公安局"},
            "kind": "行政许可",
            "audience": "personal",
            "conditions": "年满十八周岁",
            "materials": [
                {"name": "申请表", "required": True, "license_type": None},
                {"name": "居民身份证", "required": True, "license_type": "id_card"},
            ],
            "process": ["申请", "受理", "审查", "决定"],
            "legal_days": 20,
            "promised_days": 5,
            "fee": None,
            "no_visit": True,
            "delivery": ["ems", "pickup"],
            "keywords": ["身份证"],
            "version": 1,
        }
    )
    conditions: str
    materials: list[Material]
    process: list[str]
    keywords: list[str]


class ItemPage(BaseModel):
    items: list[ItemSummary]
    total: int


class Uploaded(BaseModel):
    model_config = _example({"file_id": FILE_ID})
    file_id: str


class Template(BaseModel):
    model_config = _example(
        {
            "event": "application.accepted",
            "template_id": "wx-demo-case-progress",
            "long_term": False,
            "platform": "wechat",
        }
    )
    event: str
    template_id: str
    long_term: bool
    platform: Literal["wechat", "alipay"]


class ConsentCount(BaseModel):
    template_id: str
    events: list[str]
    long_term_template: bool
    long_term: bool
    credits: int
    reserved: int
    rejections: int


class Consents(BaseModel):
    model_config = _example(
        {
            "platform": "wechat",
            "consents": [
                {
                    "template_id": "wx-demo-case-progress",
                    "events": ["application.accepted", "application.submitted"],
                    "long_term_template": False,
                    "long_term": False,
                    "credits": 1,
                    "reserved": 0,
                    "rejections": 0,
                }
            ],
        }
    )
    platform: str
    consents: list[ConsentCount]


class Filed(BaseModel):
    model_config = _example({"number": NUMBER, "status": "submitted"})
    number: str
    status: str


class CaseSummary(BaseModel):
    model_config = _example(
        {
            "number": NUMBER,
            "item_code": "320112-000-XK-00001",
            "status": "accepted",
            "due_date": "2026-12-03",
            "created_at": TIME,
        }
    )
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
            "number": NUMBER,
            "item_code": "320112-000-XK-00001",
            "status": "accepted",
            "due_date": "2026-12-03",
            "created_at": TIME,
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


class Message(BaseModel):
    model_config = _example(
        {
            "event": "application.accepted",
            "title": "居民身份证换领：申请已受理",
            "at": TIME,
            "channel": "wechat",
            "status": "sent",
            "application_number": NUMBER,
        }
    )
    event: str
    title: str
    at: str
    channel: str
    status: Literal["queued", "sending", "sent", "failed", "no_consent", "no_channel"]
    application_number: str | None


class MessagePage(BaseModel):
    items: list[Message]
    total: int


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


class Authorisation(BaseModel):
    model_config = _example(
        {
            "id": 1,
            "citizen_id": CITIZEN_ID,
            "agent_id": "0c3f6d7e-8a4b-4c2d-9e1f-2a3b4c5d6e7f",
            "item_code": "320112-000-XK-00001",
            "created_at": TIME,
        }
    )
    id: int
    citizen_id: str
    agent_id: str
    item_code: str
    created_at: str


class Authorisations(BaseModel):
    given: list[Authorisation]
    held: list[Authorisation]


class TownAnswer(BaseModel):
    model_config = _example({"town": "仙女镇"})
    town: str | None


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


class ExportedIdentity(Me):
    model_config = _example(
        {
            "id": CITIZEN_ID,
            "realname_verified": True,
            "name_masked": "张*",
            "id_number_masked": "1101**********002X",
            "phone_masked": "138****5678",
            "platforms": ["wechat"],
            "created_at": "2026-11-01T09:12:00+08:00",
            "town": "仙女镇",
        }
    )
    created_at: str | None
    town: str | None


class ExportedMaterial(BaseModel):
    name: str | None


class ExportedCase(BaseModel):
    number: str
    item_code: str
    status: str
    created_at: str | None
    due_date: str | None
    agent_filed: bool
    materials: list[ExportedMaterial]
    delivery: CaseDelivery
    timeline: list[Step]


class ExportedUpload(BaseModel):
    file_id: str
    content_type: str
    size: int
    at: str | None


class ExportedAuthorisation(BaseModel):
    role: Literal["given", "held"]
    item_code: str
    created_at: str | None
    revoked_at: str | None


class ExportedTopic(BaseModel):
    topic: str
    since: str | None


class ExportedLink(BaseModel):
    via: str
    linked_at: str | None


class ExportedQuestion(BaseModel):
    question: str = Field(description="stored redacted")
    status: str
    at: str | None


class ExportedOfficialAccount(BaseModel):
    links: list[ExportedLink]
    questions: list[ExportedQuestion]


class ExportedMessage(BaseModel):
    event: str
    channel: str
    status: str
    queued_at: str | None
    sent_at: str | None
    application_number: str | None


class ExportedConsent(BaseModel):
    platform: str
    template_id: str
    long_term: bool
    credits: int
    accepts: int
    rejections: int
    updated_at: str | None


class PersonalDataExport(BaseModel):
    """Everything held about the citizen (docs/privacy.md); a feature that adds personal
    data adds its own key, named in ``sections``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "exported_at": TIME,
                    "sections": [
                        "identity",
                        "applications",
                        "uploads",
                        "agent_authorizations",
                        "topics",
                        "official_account",
                        "messages",
                        "consents",
                    ],
                    "identity": {
                        "id": CITIZEN_ID,
                        "realname_verified": True,
                        "name_masked": "张*",
                        "id_number_masked": "1101**********002X",
                        "phone_masked": "138****5678",
                        "platforms": ["wechat"],
                        "created_at": "2026-11-01T09:12:00+08:00",
                        "town": "仙女镇",
                    },
                    "applications": [
                        {
                            "number": NUMBER,
                            "item_code": "320112-000-XK-00001",
                            "status": "accepted",
                            "created_at": TIME,
                            "due_date": "2026-12-03",
                            "agent_filed": False,
                            "materials": [{"name": "申请表"}],
                            "delivery": {"method": "pickup", "address": None},
                            "timeline": [
                                {"status": "submitted", "at": TIME, "note": "申请已提交，等待受理"}
                            ],
                        }
                    ],
                    "uploads": [
                        {
                            "file_id": FILE_ID,
                            "content_type": "image/jpeg",
                            "size": 182044,
                            "at": TIME,
                        }
                    ],
                    "agent_authorizations": [],
                    "topics": [{"topic": "gaokao", "since": TIME}],
                    "official_account": {"links": [], "questions": []},
                    "messages": [
                        {
                            "event": "application.accepted",
                            "channel": "wechat",
                            "status": "sent",
                            "queued_at": TIME,
                            "sent_at": TIME,
                            "application_number": NUMBER,
                        }
                    ],
                    "consents": [
                        {
                            "platform": "wechat",
                            "template_id": "wx-demo-case-progress",
                            "long_term": False,
                            "credits": 0,
                            "accepts": 1,
                            "rejections": 0,
                            "updated_at": TIME,
                        }
                    ],
                }
            ]
        },
    )
    exported_at: str
    sections: list[str]
    identity: ExportedIdentity
    applications: list[ExportedCase]
    uploads: list[ExportedUpload]
    agent_authorizations: list[ExportedAuthorisation]
    topics: list[ExportedTopic]
    official_account: ExportedOfficialAccount
    messages: list[ExportedMessage]
    consents: list[ExportedConsent]


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


# --- one-thing bundles (一件事) and benefits without applying (免申即享) -------------------

BUNDLE_NUMBER = "YJS20261126-000001-2"


class Bundle(BaseModel):
    model_config = _example(
        {
            "code": "birth",
            "name": "出生一件事",
            "items": ["320112-000-XK-00001", "320112-000-XK-00002"],
            "materials": [
                {"name": "出生医学证明", "required": True, "license_type": None},
                {"name": "居民户口簿", "required": True, "license_type": "household_register"},
            ],
        }
    )
    code: str
    name: str
    items: list[str] = Field(description="the item codes it joins")
    materials: list[Material] = Field(description="the items' materials merged by name")


class BundleRequest(BaseModel):
    model_config = _example(
        {
            "form": {"child_name": "王小明"},
            "materials": [{"name": "出生医学证明", "file_id": "5f1c0b7e9a2d4c6e8b0a1c3e5f7a9b1d"}],
            "delivery": {"method": "pickup"},
        }
    )
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialRef] = Field(default_factory=list)
    delivery: Delivery


class BundleCase(BaseModel):
    number: str
    item_code: str
    status: str


class BundleFiled(BaseModel):
    model_config = _example(
        {
            "bundle_number": BUNDLE_NUMBER,
            "applications": [
                {"number": NUMBER, "item_code": "320112-000-XK-00001", "status": "submitted"}
            ],
        }
    )
    bundle_number: str
    applications: list[BundleCase]


class BundleStep(Step):
    model_config = ConfigDict(extra="allow")
    number: str = Field(description="the case this step belongs to")
    item_code: str


class BundleDetail(BaseModel):
    model_config = _example(
        {
            "bundle_number": BUNDLE_NUMBER,
            "code": "birth",
            "name": "出生一件事",
            "completed": False,
            "applications": [
                {
                    "number": NUMBER,
                    "item_code": "320112-000-XK-00001",
                    "status": "submitted",
                    "due_date": None,
                    "created_at": TIME,
                }
            ],
            "timeline": [
                {
                    "status": "submitted",
                    "at": TIME,
                    "note": "申请已提交，等待受理",
                    "number": NUMBER,
                    "item_code": "320112-000-XK-00001",
                }
            ],
        }
    )
    bundle_number: str
    code: str
    name: str
    completed: bool
    applications: list[CaseSummary]
    timeline: list[BundleStep]


class EligiblePolicy(BaseModel):
    model_config = _example(
        {
            "code": "gaoling_jintie",
            "name": "高龄津贴",
            "item_code": "320112-000-GG-00009",
            "form": {"age_group": "80-89"},
        }
    )
    code: str
    name: str
    item_code: str
    form: dict[str, Any] = Field(description="what one tap files with the item")
