"""A faithful fake of Kuaidi100 with an EMS carrier behind it, over real HTTP on loopback.

``citysvc demo`` and the tests point ``Kuaidi100Client`` at it. It speaks the provider's
paths, form fields, returnCodes and JSON shapes (the vendor's docs), walks parcels through
collected (1) -> in transit (0) -> out for delivery (5) -> signed (3), or into problem (2),
refused (14) or returning (6) -> returned (4), and pushes each step, signed with the
subscription's salt, to the callback URL it was given, the whole history newest first as
Kuaidi100 does. It imports nothing of our client, so it judges the client instead of
agreeing with it.

Where the vendor's docs is silent: a subscription of another company than ``ems`` answers 701;
a query with an unknown customer or a bad sign answers 503, bad parameters 400, an expired
key 601, a parcel with no scan yet 500 "查询无结果"; ``abort`` ends a subscription, so the
next subscribe of that number answers 200 again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web

from core.clock import CST
from integrations.loopback import LoopbackServer

Body = dict[str, Any]
SUBSCRIBE = "/poll"
QUERY = "/poll/query.do"
ADVANCE = "/sandbox/advance"  # not Kuaidi100: lets a demo move a parcel on
COMPANY = "ems"
FINAL = frozenset({"3", "4"})

# (state code, scan word, scan text, area)
_COLLECTED = ("1", "揽收", "【扬州市江都区邮政局】已收寄，揽投员：王师傅", "江苏省扬州市江都区")
_TRANSIT = ("0", "在途", "离开【扬州邮区中心】，下一站【南京邮区中心】", "江苏省扬州市")
_OUT = ("5", "派件", "【仙女镇揽投部】投递员正在派送，电话：13800000000", "江苏省扬州市江都区")
ROUTES: dict[str, list[tuple[str, str, str, str]]] = {
    "signed": [_COLLECTED, _TRANSIT, _OUT, ("3", "签收", "已签收，签收人：本人", "江苏省扬州市")],
    "problem": [_COLLECTED, _TRANSIT, ("2", "疑难", "收件地址不详，无法投递", "江苏省扬州市")],
    "refused": [_COLLECTED, _TRANSIT, _OUT, ("14", "拒签", "收件人拒收", "江苏省扬州市")],
    "returned": [
        _COLLECTED,
        _TRANSIT,
        _OUT,
        ("6", "退回", "收件人地址错误，邮件退回寄件人", "江苏省扬州市"),
        ("4", "退签", "已退回寄件人并签收", "江苏省扬州市江都区"),
    ],
}


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def _fail(code: str, message: str) -> Body:
    return {"result": False, "returnCode": code, "message": message}


@dataclass
class Parcel:
    number: str
    outcome: str = "signed"
    step: int = 0  # scans so far
    data: list[Body] = field(default_factory=list)  # newest first

    @property
    def state(self) -> str | None:
        return ROUTES[self.outcome][self.step - 1][0] if self.step else None


@dataclass
class Subscription:
    key: str
    callbackurl: str
    salt: str | None
    resultv2: bool


@dataclass
class Push:
    """One push as sent: the form, and how the callback answered."""

    number: str
    form: dict[str, str]
    http_status: int | None  # None: the callback could not be reached
    answer: Body | None

    @property
    def accepted(self) -> bool:
        return bool(
            self.answer
            and self.answer.get("result") is True
            and self.answer.get("returnCode") == "200"
        )


@dataclass
class Fault:
    return_code: str | None
    http_status: int | None
    delay: float
    count: int


class CarrierSandbox(LoopbackServer):
    """The fake provider: ``async with CarrierSandbox() as carrier: carrier.base_url``.

    ``walk_every`` (seconds) moves every subscribed parcel one step on a timer (the demo);
    tests move parcels with ``advance`` instead.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(CST),
        host: str = "127.0.0.1",
        port: int = 0,
        walk_every: float | None = None,
    ) -> None:
        self.now = now
        super().__init__(host, port)
        self.walk_every = walk_every
        self.accounts: dict[str, str] = {}  # customer -> key
        self.expired_keys: set[str] = set()
        self.parcels: dict[str, Parcel] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.calls: Counter[str] = Counter()
        self.pushes: list[Push] = []
        self._faults: dict[str, list[Fault]] = {}
        self._http: aiohttp.ClientSession | None = None
        self._walker: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------

    def middlewares(self) -> list[Any]:
        return [self._middleware]

    def routes(self, app: web.Application) -> None:
        app.router.add_post(SUBSCRIBE, self._subscribe)
        app.router.add_post(QUERY, self._query)
        app.router.add_post(ADVANCE, self._advance)

    async def started(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        if self.walk_every:
            self._walker = asyncio.create_task(self._walk(self.walk_every))

    async def stopping(self) -> None:
        if self._walker is not None:
            self._walker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._walker
        if self._http is not None:
            await self._http.close()

    # -- test helpers ----------------------------------------------------------------

    def add_account(self, customer: str, key: str) -> None:
        """A Kuaidi100 customer id and its authorisation key."""
        self.accounts[customer] = key

    def expire_key(self, key: str) -> None:
        """The key expired (601 on subscribe and query)."""
        self.expired_keys.add(key)

    def add_parcel(self, number: str, outcome: str = "signed") -> Parcel:
        """A parcel the post office accepted, that will end as ``outcome`` (see ROUTES)."""
        if outcome not in ROUTES:
            raise ValueError(f"outcome must be one of {sorted(ROUTES)}")
        self.parcels[number] = Parcel(number, outcome)
        return self.parcels[number]

    def fail_next(
        self,
        path: str,
        return_code: str | None = None,
        *,
        count: int = 1,
        http_status: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next ``count`` calls to ``path`` wait ``delay`` s, then answer ``http_status``
        (plain text) or ``{"result": false, "returnCode": return_code}``."""
        self._faults.setdefault(path, []).append(Fault(return_code, http_status, delay, count))

    async def advance(self, number: str, *, push: bool = True) -> str:
        """The parcel's next scan (its state code); pushed when subscribed and ``push``."""
        parcel = self.parcels.get(number) or self.add_parcel(number)
        route = ROUTES[parcel.outcome]
        if parcel.step >= len(route):
            raise ValueError(f"parcel {number} has finished its walk")
        code, word, text, area = route[parcel.step]
        at = self.now().astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
        scan = {"time": at, "ftime": at, "context": text, "status": word, "areaName": area}
        parcel.data.insert(0, scan)
        parcel.step += 1
        if push and number in self.subscriptions:
            await self.push(number)
        return code

    async def push(self, number: str, *, status: str | None = None) -> Push:
        """Push the parcel's whole result now to its subscription's callback URL."""
        sub = self.subscriptions[number]
        parcel = self.parcels[number]
        monitor = status or ("shutdown" if parcel.state in FINAL else "polling")
        payload = {
            "status": monitor,
            "billstatus": "got",
            "message": "3天查询无记录" if monitor == "abort" else "",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": self._result(parcel, sub.resultv2),
        }
        param = json.dumps(payload, ensure_ascii=False)
        form = {"param": param}
        if sub.salt:
            form["sign"] = _md5_upper(param + sub.salt)
        if monitor in ("abort", "shutdown"):
            del self.subscriptions[number]  # the provider stops watching this number
        return await self._deliver(Push(number, form, None, None), sub.callbackurl)

    async def abort(self, number: str) -> Push:
        """Kuaidi100 gives up on a parcel ("3天查询无记录") and ends its subscription."""
        return await self.push(number, status="abort")

    # -- plumbing --------------------------------------------------------------------

    async def _deliver(self, push: Push, url: str) -> Push:
        assert self._http is not None, "start the sandbox first"
        try:
            async with self._http.post(url, data=push.form) as resp:
                push.http_status = resp.status
                with contextlib.suppress(ValueError, aiohttp.ContentTypeError):
                    answer = await resp.json(content_type=None)
                    push.answer = answer if isinstance(answer, dict) else None
        except (aiohttp.ClientError, TimeoutError):
            pass  # an unreachable callback: the push is recorded as not delivered
        self.pushes.append(push)
        return push

    async def _walk(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            for number in list(self.subscriptions):
                parcel = self.parcels[number]
                if parcel.step < len(ROUTES[parcel.outcome]):
                    await self.advance(number)

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.calls[request.path] += 1
        queue = self._faults.get(request.path)
        if not queue:
            return await handler(request)
        fault = queue[0]
        fault.count -= 1
        if fault.count <= 0:
            queue.pop(0)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.http_status is not None:
            return web.Response(status=fault.http_status, text="<html>502 Bad Gateway</html>")
        if fault.return_code is not None:
            return _json(_fail(fault.return_code, "injected fault"))
        return await handler(request)

    def _result(self, parcel: Parcel, resultv2: bool) -> Body:
        data = [dict(scan) for scan in parcel.data]
        if not resultv2:
            for scan in data:
                scan.pop("areaName", None)
        return {
            "message": "ok",
            "nu": parcel.number,
            "ischeck": "1" if parcel.state in FINAL else "0",
            "condition": "F00",
            "com": COMPANY,
            "status": "200",
            "state": parcel.state or "0",
            "data": data,
        }

    async def _subscribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        param = _object(form.get("param")) if form.get("schema") == "json" else None
        if param is None:
            return _json(_fail("700", "订阅参数错误"))
        return _json(self._subscription(param))

    def _subscription(self, param: Body) -> Body:
        key = param.get("key")
        if key not in self.accounts.values():
            return _fail("600", "您不是合法的订阅者（即授权Key出错）")
        if key in self.expired_keys:
            return _fail("601", "POLL:KEY已过期")
        number, parameters = param.get("number"), param.get("parameters")
        if not isinstance(parameters, dict) or not isinstance(number, str):
            return _fail("700", "订阅参数错误")
        url = parameters.get("callbackurl")
        if not number.strip() or len(number) > 32 or not _is_url(url):
            return _fail("700", "订阅方的订阅数据存在错误")
        if param.get("company") != COMPANY:
            return _fail("701", "拒绝订阅的快递公司")
        if number in self.subscriptions:
            return _fail("501", "重复订阅")
        salt = parameters.get("salt")
        resultv2 = str(parameters.get("resultv2", "0")) != "0"
        self.subscriptions[number] = Subscription(str(key), str(url), salt and str(salt), resultv2)
        self.parcels.setdefault(number, Parcel(number))
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    async def _query(self, request: web.Request) -> web.Response:
        form = await request.post()
        customer, sign, raw = str(form.get("customer")), form.get("sign"), form.get("param")
        key = self.accounts.get(customer)
        if key is None or not isinstance(raw, str) or sign != _md5_upper(raw + key + customer):
            return _json(_fail("503", "验证签名失败"))
        if key in self.expired_keys:
            return _json(_fail("601", "POLL:KEY已过期"))
        param = _object(raw)
        if param is None or param.get("com") != COMPANY or not param.get("num"):
            return _json(_fail("400", "找不到对应公司"))
        parcel = self.parcels.get(str(param["num"]))
        if parcel is None or not parcel.data:
            return _json(_fail("500", "查询无结果，请隔段时间再查"))
        return _json(self._result(parcel, str(param.get("resultv2", "0")) != "0"))

    async def _advance(self, request: web.Request) -> web.Response:
        body = _object(await request.text()) or {}
        number = str(body.get("number", ""))
        if number not in self.parcels:
            return _json({"error": "unknown parcel"}, status=404)
        try:
            return _json({"number": number, "state": await self.advance(number)})
        except ValueError as exc:
            return _json({"error": str(exc)}, status=409)


def _object(text: object) -> Body | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _json(body: Body, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )
