"""One frozen Settings built from the environment; every problem is reported at once.

This module is the only one that reads the process environment (``environment()``); the
processes' roots build ``Settings`` from it, and the CLI's commands that need only part of it
(the database, the towns) read that part through the functions at the end of this module.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from core.errors import SettingsError

T = TypeVar("T")
DEFAULT_DATABASE_URL = "sqlite://data/citysvc.sqlite3"
DEFAULT_WECOM_API_BASE = "https://qyapi.weixin.qq.com"


@dataclass(frozen=True)
class WeChatApp:
    appid: str
    secret: str
    api_base: str


@dataclass(frozen=True)
class OfficialAccount:
    """The Official Account the bot answers. ``secret`` (WECHAT_OA_SECRET, optional) enables
    the server API: customer-service follow-ups of slow answers and unionid look-ups."""

    appid: str
    token: str
    aes_key: str | None
    secret: str | None = None
    api_base: str = "https://api.weixin.qq.com"


@dataclass(frozen=True)
class AlipayApp:
    appid: str
    private_key: str
    public_key: str
    gateway: str


@dataclass(frozen=True)
class Tracking:
    api_base: str
    customer: str | None
    key: str | None
    silent_hours: int = 12  # the poller queries parcels the carrier said nothing of for this long


@dataclass(frozen=True)
class Supervision:
    """Thresholds of the supervision sweeps, in working days, and the digest's time (CST)."""

    near_deadline_days: int = 1  # SUPERVISION_NEAR_DEADLINE_DAYS: yellow this close to due
    supplement_days: int = 5  # SUPERVISION_SUPPLEMENT_DAYS: a supplement waited this long
    accept_days: int = 1  # SUPERVISION_ACCEPT_DAYS: a submission not accepted this long
    digest_at: time = time(8, 30)  # WECOM_DIGEST_AT: the daily digest of open warnings
    instant_revoke_hours: float = 72.0  # INSTANT_REVOKE_HOURS: a clerk may revoke a 秒批 this long


# the outbox's lanes, as core.outbox.models names them (settings import nothing of core)
NOTIFY_LANES = ("milestone", "campaign")


@dataclass(frozen=True)
class Notify:
    """Milestone notifications: the templates file and the dispatcher's limits."""

    templates_file: Path | None = None  # NOTIFY_TEMPLATES_FILE; None = notifications/templates.json
    miniprogram_state: str = "formal"  # MINIPROGRAM_STATE: formal, trial or developer
    lease_seconds: float = 60.0  # NOTIFY_LEASE_SECONDS: a dead worker's claims return after this
    concurrency: int = 32  # NOTIFY_CONCURRENCY: sends in flight per worker (milestone lane)
    wechat_rate: int = 200  # NOTIFY_WECHAT_RATE: subscribe messages a second, all workers
    alipay_rate: int = 50  # NOTIFY_ALIPAY_RATE: template messages a second, all workers
    # NOTIFY_LANES: the outbox lanes this worker sends (and, with "campaign", the campaign
    # jobs it runs); a worker of its own for "milestone" keeps a campaign off its event loop
    lanes: tuple[str, ...] = NOTIFY_LANES

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Notify:
        """Only this section (the worker's jobs read it); SettingsError lists the problems."""
        problems: list[str] = []
        notify = _notify(env, problems)
        if problems:
            raise SettingsError(problems)
        return notify


@dataclass(frozen=True)
class Campaigns:
    """Publicity campaigns: the per-citizen frequency cap across campaigns, and topic feeds."""

    cap: int = 2  # CAMPAIGN_CAP: campaign messages one citizen may get per window
    cap_days: int = 7  # CAMPAIGN_CAP_DAYS: the window of the cap
    batch: int = 500  # CAMPAIGN_BATCH: recipients fixed or queued per database transaction
    topic_feeds_base: str | None = None  # TOPIC_FEEDS_BASE: the feeds gateway; None = sandbox
    towns: tuple[str, ...] = ()  # DISTRICT_TOWNS: the townships citizens pick from; () = any


@dataclass(frozen=True)
class Operations:
    """What operators see of a running server: metrics and log lines."""

    metrics_token: str | None = None  # METRICS_TOKEN: /metrics asks for it as a Bearer token
    log_format: str = "text"  # LOG_FORMAT: text or json (one object a line)
    # PROMETHEUS_MULTIPROC_DIR: the worker processes' shared metric files (`citysvc serve`
    # makes one when unset); None: the one process's own metrics
    metrics_dir: str | None = None


LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Ratings:
    """Ratings (好差评), feedback and the public board: deadlines in working days."""

    rectify_days: int = 5  # RECTIFY_DAYS: a poor rating's rectification is due this late
    default_days: int = 7  # RATING_DEFAULT_DAYS: calendar days before an unrated case gets 5
    reply_days: int = 5  # FEEDBACK_REPLY_DAYS: a complaint or suggestion is answered by then
    board_heartbeat: float = 15.0  # BOARD_HEARTBEAT_SECONDS: SSE comment line at least this often
    board_poll: float = 0.25  # BOARD_POLL_SECONDS: how often a worker looks for new entries


@dataclass(frozen=True)
class StaffSecurity:
    """Level-3 controls on staff sign-in and personal data (docs/security.md)."""

    idle_minutes: int = 30  # STAFF_IDLE_MINUTES: a staff session unused this long ends
    totp: str = "off"  # STAFF_TOTP: "required" asks every staff login for a TOTP code
    access_log_days: int = 183  # STAFF_ACCESS_LOG_DAYS: kept at least this long (>= 183)
    pii_cipher: str = "aes-256-gcm"  # PII_CIPHER: "sm4-gcm" writes personal data under SM4


TOTP_MODES = ("off", "required")
PII_CIPHERS = ("aes-256-gcm", "sm4-gcm")
MIN_ACCESS_LOG_DAYS = 183  # six months (GB/T 22239 level 3; Cybersecurity Law art. 21)


@dataclass(frozen=True)
class Settings:
    """Everything configurable; built by ``from_env``. Platform sections are None when unset."""

    database_url: str
    redis_url: str | None
    secret_key: str
    pii_key: str
    pii_old_keys: str | None
    public_base_url: str
    tz: str
    upload_dir: Path
    session_ttl: int
    platform_timeout: float
    login_limit_per_ip: int
    wechat: WeChatApp | None
    official_account: OfficialAccount | None
    alipay: AlipayApp | None
    tracking: Tracking
    wecom_api_base: str = DEFAULT_WECOM_API_BASE
    supervision: Supervision = field(default_factory=Supervision)
    notify: Notify = field(default_factory=Notify)
    campaigns: Campaigns = field(default_factory=Campaigns)
    audit_key: str | None = None  # AUDIT_KEY; unset: the audit keys derive from SECRET_KEY
    ops: Operations = field(default_factory=Operations)
    ratings: Ratings = field(default_factory=Ratings)
    staff_security: StaffSecurity = field(default_factory=StaffSecurity)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read and validate; raise SettingsError listing every problem found."""
        problems: list[str] = []
        settings = cls(
            database_url=_database_url(env, problems),
            redis_url=_redis_url(env, problems),
            secret_key=_secret_key(env, problems),
            pii_key=_pii_key(env, problems),
            pii_old_keys=env.get("PII_OLD_KEYS") or None,
            public_base_url=_http_url(env, "PUBLIC_BASE_URL", "http://127.0.0.1:8000", problems),
            tz=env.get("TZ") or "Asia/Shanghai",
            upload_dir=Path(env.get("UPLOAD_DIR") or "data/uploads"),
            session_ttl=_positive_int(env, "SESSION_TTL_SECONDS", 7 * 24 * 3600, problems),
            platform_timeout=_positive_float(env, "PLATFORM_TIMEOUT_SECONDS", 5.0, problems),
            login_limit_per_ip=_positive_int(env, "LOGIN_LIMIT_PER_IP", 600, problems),
            wechat=_wechat(env, problems),
            official_account=_official_account(env, problems),
            alipay=_alipay(env, problems),
            tracking=_tracking(env, problems),
            wecom_api_base=_http_url(env, "WECOM_API_BASE", DEFAULT_WECOM_API_BASE, problems),
            supervision=_supervision(env, problems),
            notify=_notify(env, problems),
            campaigns=_campaigns(env, problems),
            audit_key=_audit_key(env, problems),
            ops=_operations(env, problems),
            ratings=_ratings(env, problems),
            staff_security=_staff_security(env, problems),
        )
        if problems:
            raise SettingsError(problems)
        return settings


DATABASE_SCHEMES = ("sqlite", "postgres", "asyncpg", "psycopg")
DATABASE_URL_RULE = "DATABASE_URL must be sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB"


def _database_url(env: Mapping[str, str], problems: list[str]) -> str:
    url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if urlsplit(url).scheme not in DATABASE_SCHEMES:
        problems.append(DATABASE_URL_RULE)
    return url


def _operations(env: Mapping[str, str], problems: list[str]) -> Operations:
    log_format = (env.get("LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        problems.append("LOG_FORMAT must be text or json")
    return Operations(
        metrics_token=env.get("METRICS_TOKEN") or None,
        log_format=log_format,
        metrics_dir=env.get("PROMETHEUS_MULTIPROC_DIR") or None,
    )


def _redis_url(env: Mapping[str, str], problems: list[str]) -> str | None:
    url = env.get("REDIS_URL") or None
    if url and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        problems.append("REDIS_URL must start with redis://, rediss:// or unix://")
    return url


def _secret_key(env: Mapping[str, str], problems: list[str]) -> str:
    key = env.get("SECRET_KEY", "")
    if not key:
        problems.append("SECRET_KEY is required (a long random string that signs session tokens)")
    elif len(key) < 32:
        problems.append("SECRET_KEY must be at least 32 characters")
    return key


def _audit_key(env: Mapping[str, str], problems: list[str]) -> str | None:
    key = env.get("AUDIT_KEY") or None
    if key is not None and len(key) < 32:
        problems.append("AUDIT_KEY must be at least 32 characters")
    return key


def _pii_key(env: Mapping[str, str], problems: list[str]) -> str:
    key = env.get("PII_KEY", "")
    if not key:
        problems.append("PII_KEY is required: base64 of 32 random bytes (openssl rand -base64 32)")
        return key
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        problems.append("PII_KEY must be base64 of exactly 32 bytes (openssl rand -base64 32)")
    return key


def _http_url(env: Mapping[str, str], name: str, default: str, problems: list[str]) -> str:
    url = (env.get(name) or default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"{name} must be an http:// or https:// URL")
    return url


def _positive_int(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        problems.append(f"{name} must be a positive whole number")
        return default
    return int(raw)


def _positive_float(
    env: Mapping[str, str], name: str, default: float, problems: list[str]
) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        problems.append(f"{name} must be a positive number of seconds")
        return default
    return value


def _pair(env: Mapping[str, str], names: tuple[str, ...], problems: list[str]) -> bool:
    """True when all of ``names`` are set; a problem when only some are."""
    present = [n for n in names if env.get(n)]
    if present and len(present) != len(names):
        missing = ", ".join(n for n in names if n not in present)
        problems.append(f"{missing} must be set together with {', '.join(present)}")
    return len(present) == len(names)


def _wechat(env: Mapping[str, str], problems: list[str]) -> WeChatApp | None:
    base = _http_url(env, "WECHAT_API_BASE", "https://api.weixin.qq.com", problems)
    if not _pair(env, ("WECHAT_MINIAPP_APPID", "WECHAT_MINIAPP_SECRET"), problems):
        return None
    return WeChatApp(env["WECHAT_MINIAPP_APPID"], env["WECHAT_MINIAPP_SECRET"], base)


def _official_account(env: Mapping[str, str], problems: list[str]) -> OfficialAccount | None:
    if not _pair(env, ("WECHAT_OA_APPID", "WECHAT_OA_TOKEN"), problems):
        return None
    aes_key = env.get("WECHAT_OA_AES_KEY") or None
    if aes_key is not None and len(aes_key) != 43:
        problems.append("WECHAT_OA_AES_KEY must be the 43-character EncodingAESKey")
    # WECHAT_API_BASE is validated (and a problem reported) by _wechat; do not report twice
    base = _http_url(env, "WECHAT_API_BASE", "https://api.weixin.qq.com", [])
    secret = env.get("WECHAT_OA_SECRET") or None
    return OfficialAccount(env["WECHAT_OA_APPID"], env["WECHAT_OA_TOKEN"], aes_key, secret, base)


def _alipay(env: Mapping[str, str], problems: list[str]) -> AlipayApp | None:
    gateway = _http_url(env, "ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do", problems)
    names = ("ALIPAY_APPID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY")
    if not _pair(env, names, problems):
        return None
    for name in names[1:]:
        if "-----BEGIN" not in env[name]:
            problems.append(f"{name} must be PEM text (-----BEGIN ... KEY-----)")
    return AlipayApp(env[names[0]], env[names[1]], env[names[2]], gateway)


def _tracking(env: Mapping[str, str], problems: list[str]) -> Tracking:
    base = _http_url(env, "TRACKING_API_BASE", "https://poll.kuaidi100.com", problems)
    _pair(env, ("TRACKING_CUSTOMER", "TRACKING_KEY"), problems)
    silent = _positive_int(env, "TRACKING_SILENT_HOURS", 12, problems)
    customer, key = env.get("TRACKING_CUSTOMER") or None, env.get("TRACKING_KEY") or None
    return Tracking(base, customer, key, silent)


def _count(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    """A whole number of days, zero allowed."""
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > 366:
        problems.append(f"{name} must be a whole number of working days from 0 to 366")
        return default
    return int(raw)


def _clock_time(env: Mapping[str, str], name: str, default: time, problems: list[str]) -> time:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return time.fromisoformat(raw)
    except ValueError:
        problems.append(f"{name} must be a time of day such as 08:30")
        return default


def _supervision(env: Mapping[str, str], problems: list[str]) -> Supervision:
    return Supervision(
        near_deadline_days=_count(env, "SUPERVISION_NEAR_DEADLINE_DAYS", 1, problems),
        supplement_days=_count(env, "SUPERVISION_SUPPLEMENT_DAYS", 5, problems),
        accept_days=_count(env, "SUPERVISION_ACCEPT_DAYS", 1, problems),
        digest_at=_clock_time(env, "WECOM_DIGEST_AT", time(8, 30), problems),
        instant_revoke_hours=_positive_float(env, "INSTANT_REVOKE_HOURS", 72.0, problems),
    )


def _notify(env: Mapping[str, str], problems: list[str]) -> Notify:
    state = env.get("MINIPROGRAM_STATE") or "formal"
    if state not in ("formal", "trial", "developer"):
        problems.append("MINIPROGRAM_STATE must be formal, trial or developer")
    path = env.get("NOTIFY_TEMPLATES_FILE")
    return Notify(
        templates_file=Path(path) if path else None,
        miniprogram_state=state,
        lease_seconds=_positive_float(env, "NOTIFY_LEASE_SECONDS", 60.0, problems),
        concurrency=_positive_int(env, "NOTIFY_CONCURRENCY", 32, problems),
        wechat_rate=_positive_int(env, "NOTIFY_WECHAT_RATE", 200, problems),
        alipay_rate=_positive_int(env, "NOTIFY_ALIPAY_RATE", 50, problems),
        lanes=_lanes(env, problems),
    )


def _lanes(env: Mapping[str, str], problems: list[str]) -> tuple[str, ...]:
    raw = env.get("NOTIFY_LANES")
    if not raw:
        return NOTIFY_LANES
    named = [part.strip() for part in raw.split(",") if part.strip()]
    if not named or any(lane not in NOTIFY_LANES for lane in named):
        problems.append("NOTIFY_LANES must name milestone, campaign or both, comma-separated")
        return NOTIFY_LANES
    return tuple(lane for lane in NOTIFY_LANES if lane in named)


def _ratings(env: Mapping[str, str], problems: list[str]) -> Ratings:
    return Ratings(
        rectify_days=_positive_int(env, "RECTIFY_DAYS", 5, problems),
        default_days=_positive_int(env, "RATING_DEFAULT_DAYS", 7, problems),
        reply_days=_positive_int(env, "FEEDBACK_REPLY_DAYS", 5, problems),
        board_heartbeat=_positive_float(env, "BOARD_HEARTBEAT_SECONDS", 15.0, problems),
        board_poll=_positive_float(env, "BOARD_POLL_SECONDS", 0.25, problems),
    )


def _campaigns(env: Mapping[str, str], problems: list[str]) -> Campaigns:
    base = env.get("TOPIC_FEEDS_BASE") or None
    return Campaigns(
        cap=_positive_int(env, "CAMPAIGN_CAP", 2, problems),
        cap_days=_positive_int(env, "CAMPAIGN_CAP_DAYS", 7, problems),
        batch=_positive_int(env, "CAMPAIGN_BATCH", 500, problems),
        topic_feeds_base=_http_url(env, "TOPIC_FEEDS_BASE", base, problems) if base else None,
        towns=_towns(env, problems),
    )


def _towns(env: Mapping[str, str], problems: list[str]) -> tuple[str, ...]:
    """``DISTRICT_TOWNS``: township names separated by commas (, ， or 、)."""
    raw = env.get("DISTRICT_TOWNS") or ""
    names = [n.strip() for n in re.split(r"[,，、]", raw) if n.strip()]
    if any(len(n) > 32 for n in names):
        problems.append("DISTRICT_TOWNS names must be at most 32 characters each")
    return tuple(dict.fromkeys(names))


def _staff_security(env: Mapping[str, str], problems: list[str]) -> StaffSecurity:
    totp = (env.get("STAFF_TOTP") or "off").strip().lower()
    if totp not in TOTP_MODES:
        problems.append("STAFF_TOTP must be off or required")
    days = _positive_int(env, "STAFF_ACCESS_LOG_DAYS", MIN_ACCESS_LOG_DAYS, problems)
    if days < MIN_ACCESS_LOG_DAYS:
        problems.append(f"STAFF_ACCESS_LOG_DAYS must be at least {MIN_ACCESS_LOG_DAYS} (6 months)")
    cipher = (env.get("PII_CIPHER") or "aes-256-gcm").strip().lower()
    if cipher not in PII_CIPHERS:
        problems.append(f"PII_CIPHER must be one of {', '.join(PII_CIPHERS)}")
    return StaffSecurity(
        idle_minutes=_positive_int(env, "STAFF_IDLE_MINUTES", 30, problems),
        totp=totp,
        access_log_days=days,
        pii_cipher=cipher,
    )


def environment() -> MutableMapping[str, str]:
    """The process environment: no other module names it (the architecture test checks), so
    what the processes read from it is what this module reads. The CLI's root also sets its
    defaults through here (TZ, the metrics directory, the demo's keys)."""
    return os.environ


def database_url(env: Mapping[str, str] | None = None) -> str:
    """``DATABASE_URL`` alone, for the commands that need nothing else (migrate, imports)."""
    return _only(_database_url, env)


def district_towns(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """``DISTRICT_TOWNS`` alone (the policies import checks township rules against it)."""
    return _only(_towns, env)


def staff_totp_required(env: Mapping[str, str] | None = None) -> bool:
    """``STAFF_TOTP=required``, for `citysvc staff add` (which needs no other setting)."""
    return (environment() if env is None else env).get("STAFF_TOTP", "").strip().lower() == (
        "required"
    )


def _only(read: Callable[[Mapping[str, str], list[str]], T], env: Mapping[str, str] | None) -> T:
    problems: list[str] = []
    value = read(environment() if env is None else env, problems)
    if problems:
        raise SettingsError(problems)
    return value
