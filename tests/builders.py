"""Plain builder functions (in the manner of GOV.UK Notify's tests/app/db.py)."""

from __future__ import annotations

from typing import Any

from core.catalogue.importer import import_items
from core.identity.models import Citizen
from core.pii import PiiCipher
from core.staff.service import add_staff
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness
from tests.harness import Api

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ADDRESS = {
    "name": "张三",
    "phone": "13812345678",
    "province": "江苏省",
    "city": "扬州市",
    "district": "江都区",
    "detail": "仙女镇龙川路88号3幢201室",
}
PASSWORD = "correct horse battery"


def item_row(
    code: str = "320112-000-XK-00001",
    *,
    department: str = "GA",
    promised: int = 5,
    legal: int = 20,
    delivery: tuple[str, ...] = ("ems", "pickup"),
    materials: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"测试事项{code[-3:]}",
        "department": department,
        "department_name": f"部门{department}",
        "kind": "行政许可",
        "audience": "personal",
        "conditions": "年满十八周岁",
        "process": ["申请", "受理", "审查", "决定"],
        "materials": materials
        if materials is not None
        else [
            {"name": "申请表", "required": True},
            {"name": "居民身份证", "required": True, "license_type": "id_card"},
        ],
        "legal_days": legal,
        "promised_days": promised,
        "fee": None,
        "no_visit": True,
        "delivery": list(delivery),
        "keywords": ["测试"],
    }


async def add_item(**kw: Any) -> dict[str, Any]:
    row = item_row(**kw)
    report = await import_items([row])
    assert report.rejected == 0, report.errors
    return row


def cipher() -> PiiCipher:
    return PiiCipher.from_env_value(harness.PII_KEY)


async def citizen_token(api: Api, wechat: WeChatSandbox, openid: str | None = None) -> str:
    code = wechat.issue_code(harness.WECHAT_APPID, openid=openid)
    status, body, _ = await api.call("POST", "/api/v1/auth/wechat", json={"code": code})
    assert status == 200, body
    return str(body["token"])


async def verify_directly(
    citizen_id: str, name: str = "张三", id_number: str = "11010519491231002X"
) -> None:
    """Mark a citizen real-name verified as the realname flow would, without the face step."""
    c = cipher()
    await Citizen.filter(id=citizen_id).update(
        realname_verified=True,
        name_enc=c.encrypt(name, context="citizen.name"),
        id_number_enc=c.encrypt(id_number, context="citizen.id_number"),
        id_number_index=c.blind_index(id_number, purpose="id_number"),
    )


async def me(api: Api, token: str) -> dict[str, Any]:
    status, body, _ = await api.call("GET", "/api/v1/me", token=token)
    assert status == 200
    return dict(body)


async def upload(api: Api, token: str, content: bytes = PDF) -> str:
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", content, filename="x.pdf", content_type="application/octet-stream")
    status, body, _ = await api.call("POST", "/api/v1/uploads", token=token, data=form)
    assert status == 201, body
    return str(body["file_id"])


async def staff_token(
    api: Api, username: str, role: str = "clerk", department: str | None = "GA"
) -> str:
    await add_staff(username, PASSWORD, role, department)
    return await staff_login(api, username)


async def staff_login(api: Api, username: str) -> str:
    status, body, _ = await api.call(
        "POST", "/api/v1/staff/login", json={"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return str(body["token"])


async def file_case(
    api: Api, token: str, code: str = "320112-000-XK-00001", method: str = "ems"
) -> str:
    file_id = await upload(api, token)
    body = {
        "item_code": code,
        "form": {"reason": "测试"},
        "materials": [
            {"name": "申请表", "file_id": file_id},
            {"name": "居民身份证", "file_id": file_id},
        ],
        "delivery": {"method": method, "address": ADDRESS},
    }
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    assert status == 201, answer
    return str(answer["number"])


async def new_case(api: Api, wechat: WeChatSandbox, **item: Any) -> tuple[str, str, str]:
    """An item, a citizen who filed a case of it, and clerk1 of its department: the
    citizen's token, the clerk's token and the case number."""
    await add_item(**item)
    citizen = await citizen_token(api, wechat)
    clerk = await staff_token(api, "clerk1")
    return citizen, clerk, await file_case(api, citizen)


async def act(api: Api, token: str, number: str, action: str, **extra: Any) -> tuple[int, Any]:
    status, body, _ = await api.call(
        "POST",
        f"/api/v1/staff/applications/{number}/actions",
        token=token,
        json={"action": action, **extra},
    )
    return status, body
