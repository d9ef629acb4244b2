"""A faithful fake of the WeChat server API, over real HTTP on loopback.

``citysvc demo`` and the tests point ``WeChatClient`` at it. It speaks WeChat's paths, JSON
shapes and errcodes (see the vendors' docs and ``sandbox_rules``), keeps a clock that tests can
inject, counts every call per path and can inject faults. It imports nothing of our client,
so it judges the client instead of agreeing with it.

Errcodes chosen where the vendors' docs is silent: a missing or invalid ``miniprogram_state`` or
``lang`` answers 47001; a page starting with "/" or blank answers 41030; a malformed body
answers 47001; a face-verification mismatch (out_seq_no, openid, cert_hash, unknown
verify_id, reused out_seq_no) answers 40097 "invalid args"; a face check not yet done answers
``verify_ret`` 90002 and a failed one 10004.

Official Account template messages (``/cgi-bin/message/template/send``, judged by
``sandbox_rules.check_oa_template``): an unknown template answers 40037, a ``touser`` that
never followed the account 40003, one who unfollowed 43004 "require subscribe"; a missing or
extra key, or a value breaking the rule of its key's type (the subscribe-message table:
``thing``, ``phrase``, ``time``, ``character_string``...) answers 47003.

Templates are one-time or long-term (``add_template(..., long_term=True)``); a consent tap
grants what the template's kind allows: a long-term consent only for a long-term template.

Access tokens obey the platform's call limits per app (``sandbox_rules.TokenLimits``):
``stable_token`` 10,000 a minute (45011 past it), of those ``force_refresh`` 20 a day and the
plain ``/cgi-bin/token`` 2,000 a day (45009 past them; a day is China's, from midnight).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integrations.loopback import LoopbackServer
from integrations.wechat import sandbox_rules as rules

Body = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[Body]]
Protected = Callable[[str, Body], Body]

LOGIN = "/sns/jscode2session"
STABLE_TOKEN = "/cgi-bin/stable_token"
TOKEN = "/cgi-bin/token"
PHONE = "/wxa/business/getuserphonenumber"
SUBSCRIBE = "/cgi-bin/message/subscribe/send"
FACE_ID = "/cityservice/face/identify/getverifyid"
FACE_QUERY = "/cityservice/face/identify/queryverifyinfo"
OA_TEMPLATE = "/cgi-bin/message/template/send"
SANDBOX_CODE = "/sandbox/login-code"  # not WeChat: lets a demo front end get a wx.login code
SANDBOX_CONSENT = "/sandbox/consent"  # not WeChat: the tap on wx.requestSubscribeMessage
SANDBOX_PHONE = "/sandbox/phone-code"  # not WeChat: the tap on the getPhoneNumber button
SANDBOX_FACE = "/sandbox/face"  # not WeChat: the outcome of wx.requestFacialVerify
SANDBOX_MESSAGES = "/sandbox/messages"  # not WeChat: what a user's phone received
CODE_LIFETIME = 300.0  # wx.login codes and phone codes both live 5 minutes
FACE_LIFETIME = 3600


def _err(errcode: int, errmsg: str) -> Body:
    # Real answers end with a request id; clients must not parse errmsg.
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(6)}"}


@dataclass
class _Code:
    appid: str
    subject: str  # openid for login codes, phone number for phone codes
    issued_at: float
    unionid: str | None = None
    used: bool = False


class WeChatSandbox(LoopbackServer):
    """The fake WeChat server: ``async with WeChatSandbox() as wx: wx.base_url``."""

    def __init__(
        self,
        *,
        now: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
        login_limit: int = 100,
        faces_pass: bool = False,
        token_limits: rules.TokenLimits | None = None,
    ) -> None:
        self.now = now
        super().__init__(host, port)
        self.login_limit = rules.MinuteLimit(login_limit, now)  # jscode2session, per openid
        self.apps: dict[str, str] = {}  # appid -> secret
        self.users: dict[str, str] = {}  # openid -> appid
        self.risky: set[str] = set()
        self.templates: dict[str, list[str]] = {}
        self.long_term_templates: set[str] = set()
        self.consent = rules.ConsentLedger()
        self.tokens = rules.TokenBook(now)
        self.token_quota = rules.TokenQuota(token_limits or rules.TokenLimits(), now)
        # faces_pass (the demo): nobody can do wx.requestFacialVerify there, so every face
        # check counts as done and matched; the verify_id flow is otherwise the real one
        self.faces = rules.FaceBook(auto_pass=faces_pass)
        self.calls: Counter[str] = Counter()
        self.token_fetches: Counter[str] = Counter()  # appid -> tokens handed out
        self.sent: list[Body] = []
        self.oa_templates: dict[str, list[str]] = {}  # OA template id -> keys
        self.followers: dict[str, tuple[str, bool]] = {}  # OA openid -> (appid, following)
        self.oa_sent: list[Body] = []
        self._codes: dict[str, _Code] = {}
        self._phone_codes: dict[str, _Code] = {}
        self._faults = rules.FaultPlan()
        self._stopping = asyncio.Event()

    # -- lifecycle -------------------------------------------------------------------

    def middlewares(self) -> list[Any]:
        return [self._middleware]

    def routes(self, app: web.Application) -> None:
        app.router.add_get(LOGIN, self._wrap(self._login))
        app.router.add_get(TOKEN, self._wrap(self._plain_token))
        app.router.add_post(STABLE_TOKEN, self._wrap(self._stable_token))
        app.router.add_post(SANDBOX_CODE, self._wrap(self._sandbox_code))
        app.router.add_post(SANDBOX_CONSENT, self._wrap(self._sandbox_consent))
        app.router.add_post(SANDBOX_PHONE, self._wrap(self._sandbox_phone))
        app.router.add_post(SANDBOX_FACE, self._wrap(self._sandbox_face))
        app.router.add_get(SANDBOX_MESSAGES, self._wrap(self._sandbox_messages))
        for path, handler in (
            (PHONE, self._phone),
            (SUBSCRIBE, self._subscribe),
            (FACE_ID, self._face_id),
            (FACE_QUERY, self._face_query),
            (OA_TEMPLATE, self._oa_template),
        ):
            app.router.add_post(path, self._wrap(self._protected(handler)))

    async def started(self) -> None:
        self._stopping.clear()

    async def stopping(self) -> None:
        """Requests held by an injected delay end at once."""
        self._stopping.set()

    # -- test helpers ----------------------------------------------------------------

    def add_app(self, appid: str, secret: str) -> None:
        """Register a mini-program."""
        self.apps[appid] = secret

    def add_user(self, appid: str, openid: str | None = None) -> str:
        """Make ``openid`` (generated when None) a user of ``appid``."""
        openid = openid or "o" + secrets.token_urlsafe(20)[:27]
        self.users[openid] = appid
        return openid

    def issue_code(self, appid: str, openid: str | None = None, unionid: str | None = None) -> str:
        """A wx.login code for the user (openid generated when None); valid 5 min, once."""
        openid = self.add_user(appid, openid)
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(appid, openid, self.now(), unionid)
        return code

    def openid_of(self, code: str) -> str:
        """The openid a login code was issued for."""
        return self._codes[code].subject

    def mark_risky(self, openid: str) -> None:
        """WeChat's risk control flags this user: login answers 40226."""
        self.risky.add(openid)

    def issue_phone_code(self, appid: str, phone: str) -> str:
        """A phone-button code for a mainland number; valid 5 minutes, once."""
        code = secrets.token_hex(16)
        self._phone_codes[code] = _Code(appid, phone, self.now())
        return code

    def add_template(self, template_id: str, keys: list[str], long_term: bool = False) -> None:
        """Register a subscribe-message template by its keys (``thing1``, ``time2``...), one-time
        unless ``long_term`` (open only to public services on the real platform)."""
        self.templates[template_id] = _typed(keys)
        if long_term:
            self.long_term_templates.add(template_id)
        else:
            self.long_term_templates.discard(template_id)

    def grant_consent(
        self, openid: str, template_id: str, count: int = 1, long_term: bool | None = None
    ) -> None:
        """The user tapped accept on wx.requestSubscribeMessage ``count`` times: one-time
        credits, or a long-term consent when the template is long-term. ``long_term``, when
        given, must match the template's kind: the platform grants no long-term consent for
        a one-time template."""
        if openid not in self.users:
            raise ValueError("grant consent to a known openid (issue_code or add_user)")
        if template_id not in self.templates:
            raise ValueError(f"grant consent to a known template (add_template {template_id})")
        kind = template_id in self.long_term_templates
        if long_term is not None and long_term != kind:
            raise ValueError(f"{template_id} is a {'long-term' if kind else 'one-time'} template")
        self.consent.grant(openid, template_id, count, kind)

    def add_oa_template(self, template_id: str, keys: list[str]) -> None:
        """Register an Official Account template message by its typed keys (``thing1``...)."""
        self.oa_templates[template_id] = _typed(keys)

    def add_follower(self, appid: str, openid: str | None = None) -> str:
        """Make ``openid`` (generated when None) a follower of the Official Account ``appid``;
        register the account with ``add_app`` for its tokens."""
        openid = openid or "o" + secrets.token_urlsafe(20)[:27]
        self.followers[openid] = (appid, True)
        return openid

    def unfollow(self, openid: str) -> None:
        """The follower unsubscribed: template messages to them answer 43004."""
        appid, _ = self.followers[openid]
        self.followers[openid] = (appid, False)

    def revoke_tokens(self, appid: str) -> None:
        """Every token of the app stops working (40001), as after a secret reset."""
        self.tokens.revoke(appid)

    def complete_face(self, verify_id: str, passed: bool) -> None:
        """The user went through wx.requestFacialVerify, matching or not."""
        self.faces.complete(verify_id, passed)

    def fail_next(
        self,
        path: str,
        errcode: int | None = None,
        *,
        count: int = 1,
        delay: float = 0,
        http_status: int | None = None,
    ) -> None:
        """The next ``count`` calls to ``path`` wait ``delay`` s, then answer ``http_status``
        (non-200, plain text) or ``errcode``; with neither they are answered normally."""
        fault = rules.Fault(errcode, delay, http_status, count)
        self._faults.queued.setdefault(path, []).append(fault)

    def fault_rate(self, path: str, rate: float, errcodes: Iterable[int], seed: int) -> None:
        """Answer a random ``rate`` of calls to ``path`` with one of ``errcodes``."""
        self._faults.set_rate(path, rate, list(errcodes), seed)

    # -- plumbing --------------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.calls[request.path] += 1
        fault = self._faults.take(request.path)
        if fault is None:
            return await handler(request)
        if fault.delay:
            # Interruptible, so stop() does not wait for a delay the client gave up on.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), fault.delay)
        if fault.http_status is not None:
            return web.Response(status=fault.http_status, text="<html>502 Bad Gateway</html>")
        if fault.errcode is not None:
            return _json(_err(fault.errcode, "injected fault"))
        return await handler(request)

    def _wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def respond(request: web.Request) -> web.Response:
            return _json(await handler(request))

        return respond

    def _protected(self, handler: Protected) -> Handler:
        """Check ``?access_token=`` and read the JSON body before ``handler``."""

        async def checked(request: web.Request) -> Body:
            errcode, appid = self.tokens.check(request.query.get("access_token"))
            if errcode == 40001:
                return _err(40001, "invalid credential, access_token is invalid or not latest")
            if errcode:
                return _err(errcode, "access_token expired")
            body = await _read_json(request)
            if body is None:
                return _err(47001, "data format error")
            return handler(appid, body)

        return checked

    # -- login and tokens ------------------------------------------------------------

    async def _login(self, request: web.Request) -> Body:
        q = request.query
        appid = q.get("appid", "")
        if appid not in self.apps:
            return _err(40013, "invalid appid")
        if q.get("secret") != self.apps[appid]:
            return _err(40125, "invalid appsecret")
        if q.get("grant_type") != "authorization_code":
            return _err(40002, "invalid grant_type")
        code = self._codes.get(q.get("js_code", ""))
        if code is None or code.appid != appid or self.now() - code.issued_at > CODE_LIFETIME:
            return _err(40029, "invalid code")
        if code.used:
            return _err(40163, "code been used")
        if code.subject in self.risky:
            return _err(40226, "high risk user")
        if not self.login_limit.allow(code.subject):
            return _err(45011, "api minute-quota reach limit  mustslower  retry next minute")
        code.used = True
        body: Body = {"openid": code.subject, "session_key": secrets.token_urlsafe(16)}
        if code.unionid:
            body["unionid"] = code.unionid
        return body

    async def _sandbox_code(self, request: web.Request) -> Body:
        """``{appid?, openid?, unionid?}`` -> ``{code, openid}``; appid defaults to the only app."""
        body = await _read_json(request) or {}
        appid = body.get("appid") or (next(iter(self.apps)) if len(self.apps) == 1 else None)
        if appid not in self.apps:
            return _err(40013, "invalid appid")
        openid, unionid = body.get("openid"), body.get("unionid")
        code = self.issue_code(str(appid), openid and str(openid), unionid and str(unionid))
        return {"errcode": 0, "errmsg": "ok", "code": code, "openid": self.openid_of(code)}

    async def _sandbox_consent(self, request: web.Request) -> Body:
        """``{openid, template_ids: [...]}``: what WeChat records when the user taps accept, so
        a demo front end can play both the tap and the later POST /consents. Each template
        is granted as its kind allows (one credit, or long-term for a long-term template);
        one tap asks about at most 5 templates, all of one kind."""
        body = await _read_json(request) or {}
        openid, ids = body.get("openid"), body.get("template_ids")
        if openid not in self.users or not isinstance(ids, list):
            return _err(40003, "invalid openid")
        if not all(str(t) in self.templates for t in ids):
            return _err(40037, "invalid template_id")
        kinds = {str(t) in self.long_term_templates for t in ids}
        if not ids or len(ids) > 5 or len(kinds) > 1:
            return _err(47001, "data format error: 1 to 5 templates of one kind")
        for template_id in ids:
            self.grant_consent(str(openid), str(template_id), 1)
        return {"errcode": 0, "errmsg": "ok"}

    async def _sandbox_phone(self, request: web.Request) -> Body:
        """``{phone, appid?}`` -> ``{code}``: the getPhoneNumber button's code for that number."""
        body = await _read_json(request) or {}
        appid = body.get("appid") or (next(iter(self.apps)) if len(self.apps) == 1 else None)
        phone = str(body.get("phone", ""))
        if appid not in self.apps:
            return _err(40013, "invalid appid")
        if not phone.isdigit() or not 5 <= len(phone) <= 20:
            return _err(47001, "data format error: phone")
        return {"errcode": 0, "errmsg": "ok", "code": self.issue_phone_code(str(appid), phone)}

    async def _sandbox_face(self, request: web.Request) -> Body:
        """``{verify_id, passed}``: how the face check ended (the demo passes it unless told)."""
        body = await _read_json(request) or {}
        verify_id = str(body.get("verify_id", ""))
        if verify_id not in self.faces.sessions or not isinstance(body.get("passed"), bool):
            return _err(40097, "invalid args: verify_id or passed")
        self.complete_face(verify_id, body["passed"])
        return {"errcode": 0, "errmsg": "ok"}

    async def _sandbox_messages(self, request: web.Request) -> Body:
        """``?openid=``: the subscribe messages that user received, newest first."""
        openid = request.query.get("openid", "")
        received = [
            {k: m.get(k) for k in ("template_id", "page", "data", "time")}
            for m in reversed(self.sent)
            if m.get("touser") == openid
        ]
        return {"errcode": 0, "errmsg": "ok", "messages": received}

    def _credentials(self, appid: object, secret: object, grant_type: object) -> Body | None:
        if appid not in self.apps:
            return _err(40013, "invalid appid")
        if secret != self.apps[str(appid)]:
            return _err(40125, "invalid appsecret")
        if grant_type != "client_credential":
            return _err(40002, "invalid grant_type")
        return None

    async def _stable_token(self, request: web.Request) -> Body:
        body = await _read_json(request)
        if body is None:
            return _err(47001, "data format error")
        appid = body.get("appid")
        refused = self._credentials(appid, body.get("secret"), body.get("grant_type"))
        if refused:
            return refused
        force = body.get("force_refresh") is True
        errcode, errmsg = self.token_quota.stable(str(appid), force)
        if errcode:
            return _err(errcode, errmsg)
        token, expires_in = self.tokens.stable(str(appid), force)
        self.token_fetches[str(appid)] += 1
        return {"access_token": token, "expires_in": expires_in}

    async def _plain_token(self, request: web.Request) -> Body:
        q = request.query
        appid = q.get("appid", "")
        refused = self._credentials(appid, q.get("secret"), q.get("grant_type"))
        if refused:
            return refused
        errcode, errmsg = self.token_quota.plain(appid)
        if errcode:
            return _err(errcode, errmsg)
        token, expires_in = self.tokens.plain(appid)
        self.token_fetches[appid] += 1
        return {"access_token": token, "expires_in": expires_in}

    # -- access-token APIs -----------------------------------------------------------

    def _users_of(self, appid: str) -> set[str]:
        return {openid for openid, app in self.users.items() if app == appid}

    def _phone(self, appid: str, body: Body) -> Body:
        code = self._phone_codes.get(str(body.get("code")))
        if code is None or code.used or code.appid != appid:
            return _err(40029, "invalid code")
        if self.now() - code.issued_at > CODE_LIFETIME:
            return _err(40029, "invalid code")
        code.used = True
        watermark = {"timestamp": int(self.now()), "appid": appid}
        info = {
            "phoneNumber": code.subject,
            "purePhoneNumber": code.subject,
            "countryCode": "86",
            "watermark": watermark,
        }
        return {"errcode": 0, "errmsg": "ok", "phone_info": info}

    def _subscribe(self, appid: str, body: Body) -> Body:
        errcode, errmsg = rules.check_subscribe(body, self.templates, self._users_of(appid))
        if errcode:
            return _err(errcode, errmsg)
        if not self.consent.spend(body["touser"], body["template_id"]):
            return _err(43101, "user refuse to accept the msg")
        fields = ("touser", "template_id", "page", "data", "miniprogram_state", "lang")
        record = {k: body.get(k) for k in fields}
        self.sent.append(record | {"appid": appid, "time": self.now()})
        return {"errcode": 0, "errmsg": "ok", "msgid": secrets.randbits(60)}

    def _oa_template(self, appid: str, body: Body) -> Body:
        errcode, errmsg = rules.check_oa_template(body, self.oa_templates, self.followers, appid)
        if errcode:
            return _err(errcode, errmsg)
        fields = ("touser", "template_id", "url", "miniprogram", "data")
        record = {k: body.get(k) for k in fields}
        msgid = secrets.randbits(60)
        self.oa_sent.append(record | {"appid": appid, "time": self.now(), "msgid": msgid})
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _face_id(self, appid: str, body: Body) -> Body:
        errcode, result = self.faces.start(appid, body, self._users_of(appid))
        if errcode:
            return _err(errcode, result)
        return {"errcode": 0, "errmsg": "ok", "verify_id": result, "expires_in": FACE_LIFETIME}

    def _face_query(self, appid: str, body: Body) -> Body:
        errcode, errmsg, verify_ret = self.faces.query(appid, body)
        if errcode:
            return _err(errcode, errmsg)
        return {"errcode": 0, "errmsg": "ok", "verify_ret": verify_ret}


def _typed(keys: list[str]) -> list[str]:
    unknown = [k for k in keys if rules.key_type(k) is None]
    if unknown:
        raise ValueError(f"keys of unknown type: {unknown}")
    return list(keys)


async def _read_json(request: web.Request) -> Body | None:
    try:
        body = json.loads(await request.text())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _json(body: Body) -> web.Response:
    # WeChat often labels its JSON text/plain; the client must cope, so the sandbox does too.
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="text/plain")
