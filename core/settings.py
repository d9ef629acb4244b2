"""One frozen Settings built from the environment; every problem is reported at once."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from core.errors import SettingsError

DEFAULT_DATABASE_URL = "sqlite://data/citysvc.sqlite3"


@dataclass(frozen=True)
class WeChatApp:
    appid: str
    secret: str
    api_base: str


@dataclass(frozen=True)
class OfficialAccount:
    appid: str
    token: str
    aes_key: str | None


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
        )
        if problems:
            raise SettingsError(problems)
        return settings


def _database_url(env: Mapping[str, str], problems: list[str]) -> str:
    url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if urlsplit(url).scheme not in ("sqlite", "postgres", "asyncpg", "psycopg"):
        problems.append("DATABASE_URL must be sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB")
    return url


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
    return OfficialAccount(env["WECHAT_OA_APPID"], env["WECHAT_OA_TOKEN"], aes_key)


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
