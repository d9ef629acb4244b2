"""The Alipay sandbox's demo endpoints (not Alipay's): what a person does in the Alipay app.

``POST /sandbox/auth-code`` ``{open_id?, appid?}`` -> ``{auth_code, open_id}`` (my.getAuthCode);
``POST /sandbox/consent`` ``{open_id, template_ids, long_term?}`` (my.requestSubscribeMessage);
``POST /sandbox/certify`` ``{certify_id, passed}`` (the face check in the Alipay app; the demo
passes it unless told); ``GET /sandbox/messages?open_id=`` (what the user's phone received).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from integrations.alipay.sandbox import AlipaySandbox

AUTH_CODE = "/sandbox/auth-code"
CONSENT = "/sandbox/consent"
CERTIFY = "/sandbox/certify"
MESSAGES = "/sandbox/messages"


def add_routes(app: web.Application, sandbox: AlipaySandbox) -> None:
    async def auth_code(request: web.Request) -> web.Response:
        body = await _body(request)
        apps = sandbox.app_ids()
        appid = body.get("appid") or (apps[0] if len(apps) == 1 else None)
        if appid not in apps:
            return _answer({"code": "40004", "sub_code": "isv.invalid-app-id"}, 400)
        open_id = body.get("open_id")
        code = sandbox.issue_auth_code(str(appid), str(open_id) if open_id else None)
        return _answer({"auth_code": code, "open_id": sandbox.state.codes[code].open_id})

    async def consent(request: web.Request) -> web.Response:
        body = await _body(request)
        open_id, ids = body.get("open_id"), body.get("template_ids")
        if not isinstance(open_id, str) or not open_id or not isinstance(ids, list):
            return _answer({"code": "40004", "sub_code": "INVALID_PARAMETER"}, 400)
        for template_id in ids:
            sandbox.grant_consent(open_id, str(template_id), 1, bool(body.get("long_term")))
        return _answer({"code": "10000"})

    async def certify(request: web.Request) -> web.Response:
        body = await _body(request)
        certify_id = str(body.get("certify_id", ""))
        if certify_id not in sandbox.state.certifications or not isinstance(
            body.get("passed"), bool
        ):
            return _answer({"code": "40004", "sub_code": "OPEN_CERTIFY_BILL_NOT_EXIST"}, 400)
        sandbox.complete_certify(certify_id, body["passed"])
        return _answer({"code": "10000"})

    async def messages(request: web.Request) -> web.Response:
        open_id = request.query.get("open_id", "")
        received = [
            {"template_id": m.template_id, "page": m.page, "data": m.data}
            for m in reversed(sandbox.sent)
            if m.to == open_id
        ]
        return _answer({"messages": received})

    app.router.add_post(AUTH_CODE, auth_code)
    app.router.add_post(CONSENT, consent)
    app.router.add_post(CERTIFY, certify)
    app.router.add_get(MESSAGES, messages)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _answer(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )
