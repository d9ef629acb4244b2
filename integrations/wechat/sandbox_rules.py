"""The WeChat platform's rules and the sandbox's bookkeeping, for ``sandbox.py``.

Kept apart from the HTTP plumbing so each rule can be read against the vendor's docs (and the
platform's own pages) line by line. Nothing here imports our client: the sandbox must judge
the client independently, so the cert hash, for one, is computed here a second time on
purpose.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

TOKEN_LIFETIME = 7200.0
TOKEN_GRACE = 300.0  # a replaced token, or a stable one near expiry, lives 5 more minutes
MINIPROGRAM_STATES = frozenset({"formal", "trial", "developer"})
LANGS = frozenset({"zh_CN", "en_US", "zh_HK", "zh_TW"})
OUT_SEQ_NO = re.compile(r"[0-9A-Za-z_-]{5,32}")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_PUNCT = r"!-/:-@\[-`{-~"  # every printable ASCII symbol
_DATE = r"(\d{4})(?:年|-|/)(\d{1,2})(?:月|-|/)(\d{1,2})日?"
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
_TIME_POINT = re.compile(rf"(?:{_DATE}\s*)?{_CLOCK}")
_DATE_POINT = re.compile(rf"{_DATE}(?:\s*{_CLOCK})?")
_KEY = re.compile(r"([a-z_]+?)(\d+)")


def _real_dates(text: str) -> bool:
    """Every date written in ``text`` exists on the calendar (no 2月30日)."""
    for y, m, d in re.findall(_DATE, text):
        try:
            date(int(y), int(m), int(d))
        except ValueError:
            return False
    return True


def _time_or_range(value: str, first: re.Pattern[str]) -> bool:
    """A point matching ``first``, or a ``~`` range whose end may omit the date."""
    parts = [p.strip() for p in value.split("~")]
    if len(parts) > 2 or not first.fullmatch(parts[0]):
        return False
    if len(parts) == 2 and not (_TIME_POINT.fullmatch(parts[1]) or _DATE_POINT.fullmatch(parts[1])):
        return False
    return _real_dates(value)


def _number(v: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", v)) and sum(c.isdigit() for c in v) <= 32


def _symbol(v: str) -> bool:
    return 1 <= len(v) <= 5 and all(not c.isalnum() and not c.isspace() for c in v)


def _name(v: str) -> bool:
    chinese = re.fullmatch(rf"[{_CJK}·]{{1,10}}", v)
    latin = re.fullmatch(rf"[A-Za-z {_PUNCT}]{{1,20}}", v)
    return bool(chinese or latin)


def _car_number(v: str) -> bool:
    # The platform's page: first and last may be Chinese, the rest letters or digits.
    return len(v) <= 8 and bool(re.fullmatch(rf"[{_CJK}A-Za-z0-9][A-Za-z0-9]*[{_CJK}]?", v))


VALUE_RULES: dict[str, Callable[[str], bool]] = {
    "thing": lambda v: 1 <= len(v) <= 20,
    "number": _number,
    "letter": lambda v: bool(re.fullmatch(r"[A-Za-z]{1,32}", v)),
    "symbol": _symbol,
    "character_string": lambda v: bool(re.fullmatch(r"[\x21-\x7e]{1,32}", v)),
    "time": lambda v: _time_or_range(v, _TIME_POINT),
    "date": lambda v: _time_or_range(v, _DATE_POINT),
    "amount": lambda v: bool(re.fullmatch(r"[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?", v)),
    "phone_number": lambda v: bool(re.fullmatch(rf"[0-9{_PUNCT}]{{1,17}}", v)),
    "car_number": _car_number,
    "name": _name,
    "phrase": lambda v: bool(re.fullmatch(rf"[{_CJK}]{{1,5}}", v)),
}


def key_type(key: str) -> str | None:
    """``thing12`` -> ``thing``; None when the key is not a typed template key."""
    match = _KEY.fullmatch(key)
    if match is None or match.group(1) not in VALUE_RULES:
        return None
    return match.group(1)


def value_ok(key: str, item: object) -> bool:
    """Whether ``{"value": ...}`` under ``key`` obeys the rule of the key's type."""
    kind = key_type(key)
    if kind is None or not isinstance(item, dict):
        return False
    value = item.get("value")
    return isinstance(value, str) and VALUE_RULES[kind](value)


def cert_hash(cert_type: str, cert_name: str, cert_no: str) -> str:
    """SHA-256 hex of ``cert_type=B64&cert_name=B64&cert_no=B64`` (values base64-encoded)."""

    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    raw = f"cert_type={b64(cert_type)}&cert_name={b64(cert_name)}&cert_no={b64(cert_no)}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def check_subscribe(
    body: dict[str, Any], templates: dict[str, list[str]], app_users: set[str]
) -> tuple[int, str]:
    """Judge a subscribe-message body up to (not including) consent: (errcode, errmsg)."""
    for name, allowed in (("miniprogram_state", MINIPROGRAM_STATES), ("lang", LANGS)):
        # Chosen: the platform defaults these when absent; the vendor's docs says always send
        # them, so the sandbox refuses their absence with 47001 (data format error).
        if body.get(name) not in allowed:
            return 47001, f"data format error: {name} missing or invalid"
    keys = templates.get(str(body.get("template_id")))
    if keys is None:
        return 40037, "invalid template_id"
    if body.get("touser") not in app_users:
        return 40003, "invalid openid"
    page = body.get("page")
    # Chosen: a page, when given, is a relative path like "pages/case/detail?id=1".
    if page is not None and (not isinstance(page, str) or not page or page[0] in "/ "):
        return 41030, "invalid page"
    return _check_data(body.get("data"), keys)


def _check_data(data: object, keys: list[str]) -> tuple[int, str]:
    if not isinstance(data, dict):
        return 47003, "argument invalid! data invalid"
    for key in list(data) + [k for k in keys if k not in data]:
        # A key outside the template, a template key left out, or a value breaking its rule.
        if key not in keys or key not in data or not value_ok(key, data[key]):
            return 47003, f"argument invalid! data.{key}.value invalid"
    return 0, "ok"


def check_oa_template(
    body: dict[str, Any],
    templates: dict[str, list[str]],
    followers: dict[str, tuple[str, bool]],
    appid: str,
) -> tuple[int, str]:
    """Judge an Official Account template message: (errcode, errmsg), (0, "ok") when sent.

    Chosen rules: unknown template 40037; ``touser`` not a follower of ``appid`` 40003, an
    unfollowed one 43004; ``miniprogram`` must carry string ``appid`` and ``pagepath`` (47001);
    every template key present, no other key, and each value obeying the rule of its key's
    type, the same table as subscribe messages (47003 naming the key).
    """
    keys = templates.get(str(body.get("template_id")))
    if keys is None:
        return 40037, "invalid template_id"
    follower = followers.get(str(body.get("touser")))
    if follower is None or follower[0] != appid:
        return 40003, "invalid openid"
    if not follower[1]:
        return 43004, "require subscribe"
    mini = body.get("miniprogram")
    if mini is not None and not (
        isinstance(mini, dict)
        and all(isinstance(mini.get(k), str) and mini[k] for k in ("appid", "pagepath"))
    ):
        return 47001, "data format error: miniprogram"
    return _check_data(body.get("data"), keys)


@dataclass(frozen=True)
class TokenLimits:
    """Access-token call limits per app, as WeChat sets them: ``stable_token`` 10,000 a
    minute, of which ``force_refresh: true`` 20 a day; the plain ``/cgi-bin/token`` 2,000 a
    day."""

    stable_per_minute: int = 10_000
    force_refresh_per_day: int = 20
    plain_per_day: int = 2_000


DAY_QUOTA = (45009, "reach max api daily quota limit")
MINUTE_QUOTA = (45011, "api minute-quota reach limit  mustslower  retry next minute")
_CHINA_OFFSET = 8 * 3600  # daily quotas are counted per China day


class TokenQuota:
    """Counts an app's token calls against ``TokenLimits``: (0, "") while within them, else
    the platform's frequency errcode (45011 per minute, 45009 per day)."""

    def __init__(self, limits: TokenLimits, now: Callable[[], float]) -> None:
        self.limits = limits
        self._now = now
        self._counts: dict[tuple[str, str, int], int] = {}

    def _hit(self, appid: str, what: str, window: int, limit: int) -> bool:
        key = (appid, what, window)
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key] <= limit

    def stable(self, appid: str, force_refresh: bool) -> tuple[int, str]:
        now = self._now()
        if not self._hit(appid, "stable", int(now // 60), self.limits.stable_per_minute):
            return MINUTE_QUOTA
        day = int((now + _CHINA_OFFSET) // 86400)
        if force_refresh and not self._hit(appid, "force", day, self.limits.force_refresh_per_day):
            return DAY_QUOTA
        return 0, ""

    def plain(self, appid: str) -> tuple[int, str]:
        day = int((self._now() + _CHINA_OFFSET) // 86400)
        if not self._hit(appid, "plain", day, self.limits.plain_per_day):
            return DAY_QUOTA
        return 0, ""


class MinuteLimit:
    """A fixed one-minute window per subject (jscode2session: 100 per openid)."""

    def __init__(self, limit: int, now: Callable[[], float]) -> None:
        self.limit = limit
        self._now = now
        self._hits: dict[str, tuple[float, int]] = {}

    def allow(self, subject: str) -> bool:
        """Count one hit; False once the subject is past the limit in this window."""
        start, hits = self._hits.get(subject, (self._now(), 0))
        if self._now() - start >= 60:
            start, hits = self._now(), 0
        self._hits[subject] = (start, hits + 1)
        return hits < self.limit


@dataclass
class Token:
    """One issued access token."""

    appid: str
    expires_at: float
    revoked: bool = False


class TokenBook:
    """Every app's two token lineages: stable_token's and the plain /cgi-bin/token's.

    The platform keeps them apart ("完全隔离，互不影响"), so a plain refresh does not disturb
    the stable token and the other way round.
    """

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.tokens: dict[str, Token] = {}
        self._current: dict[tuple[str, str], str] = {}  # (lineage, appid) -> token

    def _issue(self, lineage: str, appid: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(48)
        self.tokens[token] = Token(appid, self._now() + TOKEN_LIFETIME)
        self._current[(lineage, appid)] = token
        return token, int(TOKEN_LIFETIME)

    def stable(self, appid: str, force_refresh: bool) -> tuple[str, int]:
        """Same token until 5 minutes before expiry; force_refresh kills the old one."""
        old = self._current.get(("stable", appid))
        record = self.tokens.get(old) if old else None
        if record and not record.revoked and not force_refresh:
            left = record.expires_at - self._now()
            if left > TOKEN_GRACE:
                return str(old), int(left)
        if record and force_refresh:
            record.revoked = True
        return self._issue("stable", appid)

    def plain(self, appid: str) -> tuple[str, int]:
        """A new token each time; the previous one lives 5 more minutes."""
        old = self._current.get(("plain", appid))
        if old and old in self.tokens:
            record = self.tokens[old]
            record.expires_at = min(record.expires_at, self._now() + TOKEN_GRACE)
        return self._issue("plain", appid)

    def check(self, token: str | None) -> tuple[int, str]:
        """(0, appid) for a live token, else (40001 unknown/revoked | 42001 expired, "")."""
        record = self.tokens.get(token or "")
        if record is None or record.revoked:
            return 40001, ""
        if record.expires_at <= self._now():
            return 42001, ""
        return 0, record.appid

    def revoke(self, appid: str) -> None:
        """Invalidate every token of ``appid`` at once (as a secret reset does)."""
        for record in self.tokens.values():
            if record.appid == appid:
                record.revoked = True
        for key in [k for k in self._current if k[1] == appid]:
            del self._current[key]


class ConsentLedger:
    """Subscribe-message consent: one-time credits, or long-term per (openid, template).

    Whether an accept is one-time or long-term is the template's kind, not the caller's
    wish: ``sandbox.grant_consent`` passes the template's."""

    def __init__(self) -> None:
        self.credits: dict[tuple[str, str], int] = {}
        self.long_term: set[tuple[str, str]] = set()

    def grant(self, openid: str, template_id: str, count: int, long_term: bool) -> None:
        key = (openid, template_id)
        if long_term:
            self.long_term.add(key)
        else:
            self.credits[key] = self.credits.get(key, 0) + count

    def spend(self, openid: str, template_id: str) -> bool:
        """Use one credit; False (43101) when there is none."""
        key = (openid, template_id)
        if key in self.long_term:
            return True
        if self.credits.get(key, 0) <= 0:
            return False
        self.credits[key] -= 1
        return True

    def revoke(self, openid: str, template_id: str) -> None:
        """The user unsubscribed (or reset their settings)."""
        self.credits.pop((openid, template_id), None)
        self.long_term.discard((openid, template_id))


@dataclass
class FaceSession:
    """One face verification, from getverifyid to queryverifyinfo."""

    appid: str
    out_seq_no: str
    openid: str
    cert_hash: str
    verify_ret: int = 90002  # "user cancelled": nothing was done yet


class FaceBook:
    """Face-verification sessions by verify_id.

    Chosen where the platform's page lists no errcodes: a malformed body answers 47001, an
    unknown openid 40003, any mismatch with the first call (or a reused out_seq_no) 40097.
    """

    def __init__(self, auto_pass: bool = False) -> None:
        self.sessions: dict[str, FaceSession] = {}
        self.auto_pass = auto_pass  # the demo: every face check is taken as done and matched

    def start(self, appid: str, body: dict[str, Any], app_users: set[str]) -> tuple[int, str]:
        """getverifyid: (0, verify_id) or (errcode, errmsg)."""
        info, out_seq_no = body.get("cert_info"), body.get("out_seq_no")
        if not isinstance(info, dict) or not _cert_info_ok(info):
            return 47001, "data format error: cert_info"
        if not isinstance(out_seq_no, str) or not OUT_SEQ_NO.fullmatch(out_seq_no):
            return 47001, "data format error: out_seq_no"
        openid = body.get("openid")
        if not isinstance(openid, str) or openid not in app_users:
            return 40003, "invalid openid"
        if any(f.appid == appid and f.out_seq_no == out_seq_no for f in self.sessions.values()):
            return 40097, "invalid args: out_seq_no already used"
        verify_id = secrets.token_urlsafe(32)
        digest = cert_hash(info["cert_type"], info["cert_name"], info["cert_no"])
        self.sessions[verify_id] = FaceSession(appid, out_seq_no, openid, digest)
        if self.auto_pass:
            self.complete(verify_id, passed=True)
        return 0, verify_id

    def query(self, appid: str, body: dict[str, Any]) -> tuple[int, str, int]:
        """queryverifyinfo: (0, "ok", verify_ret) or (errcode, errmsg, 0)."""
        face = self.sessions.get(str(body.get("verify_id")))
        if face is None or face.appid != appid:
            return 40097, "invalid args: verify_id", 0
        if body.get("out_seq_no") != face.out_seq_no or body.get("openid") != face.openid:
            return 40097, "invalid args: out_seq_no or openid differs from getverifyid", 0
        if body.get("cert_hash") != face.cert_hash:
            return 40097, "invalid args: cert_hash", 0
        return 0, "ok", face.verify_ret

    def complete(self, verify_id: str, passed: bool) -> None:
        """The user finished wx.requestFacialVerify: 10000 matched, 10004 did not."""
        self.sessions[verify_id].verify_ret = 10000 if passed else 10004


def _cert_info_ok(info: dict[str, Any]) -> bool:
    names = ("cert_name", "cert_no")
    return info.get("cert_type") == "IDENTITY_CARD" and all(
        isinstance(info.get(n), str) and info[n] for n in names
    )


@dataclass
class Fault:
    """One injected fault: wait ``delay``, then answer ``http_status`` or ``errcode``."""

    errcode: int | None
    delay: float
    http_status: int | None
    count: int


@dataclass
class FaultPlan:
    """The faults waiting for each path: queued ones, then a seeded random rate."""

    queued: dict[str, list[Fault]] = field(default_factory=dict)
    rates: dict[str, tuple[random.Random, float, list[int]]] = field(default_factory=dict)

    def set_rate(self, path: str, rate: float, errcodes: list[int], seed: int) -> None:
        """Fail ``rate`` of the calls to ``path`` with a seeded choice of ``errcodes``."""
        self.rates[path] = (random.Random(seed), rate, errcodes)

    def take(self, path: str) -> Fault | None:
        """The fault this request meets, if any (queued first, then the random rate)."""
        queue = self.queued.get(path)
        if queue:
            fault = queue[0]
            fault.count -= 1
            if fault.count <= 0:
                queue.pop(0)
            return fault
        if path in self.rates:
            rng, rate, errcodes = self.rates[path]
            if rng.random() < rate:
                return Fault(rng.choice(errcodes), 0.0, None, 1)
        return None
