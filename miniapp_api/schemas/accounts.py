"""The citizen's account: logins, profile, real name, phone, town, consents, agents, inbox,
the data export."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from core.campaigns.towns import MAX_LENGTH as TOWN_MAX
from miniapp_api.schemas.cases import CaseDelivery, Step
from miniapp_api.schemas.common import CITIZEN_ID, FILE_ID, NUMBER, TIME, Text, _example


class WeChatLogin(BaseModel):
    model_config = _example({"code": "081Kq4Ga1M2wRA0Vfq0Ga1tq7Y4Kq4Gt"})
    code: Text = Field(description="the code from wx.login", max_length=512)


class AlipayLogin(BaseModel):
    model_config = _example({"auth_code": "4b203fe6c11548bcabd8da5bb087a83b"})
    auth_code: Text = Field(description="the code from my.getAuthCode", max_length=512)


class RealnameStart(BaseModel):
    model_config = _example({"name": "张三", "id_number": "11010519491231002X"})
    name: Text = Field(max_length=64)
    id_number: Text = Field(max_length=32)


class RealnameConfirm(BaseModel):
    model_config = _example({"verification_id": "60b539e8-c36e-49e7-89f2-0d45401da20d"})
    verification_id: Text = Field(max_length=64)


class PhoneCode(BaseModel):
    model_config = _example({"code": "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345"})
    code: Text = Field(description="the code of the getPhoneNumber button", max_length=512)


class Town(BaseModel):
    model_config = _example({"town": "仙女镇"})
    town: Text = Field(max_length=TOWN_MAX, description="one of the district's towns")


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


ME_EXAMPLE: JsonDict = {
    "id": CITIZEN_ID,
    "realname_verified": True,
    "name_masked": "张*",
    "id_number_masked": "1101**********002X",
    "phone_masked": "138****5678",
    "platforms": ["wechat"],
}
EXPORTED_IDENTITY_EXAMPLE: JsonDict = {
    **ME_EXAMPLE,
    "created_at": "2026-11-01T09:12:00+08:00",
    "town": "仙女镇",
}


class Me(BaseModel):
    model_config = _example(ME_EXAMPLE)
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


class ExportedIdentity(Me):
    model_config = _example(EXPORTED_IDENTITY_EXAMPLE)
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
                    "identity": EXPORTED_IDENTITY_EXAMPLE,
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
