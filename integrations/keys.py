"""Every shared-state (Redis) key prefix, in one place."""

from __future__ import annotations

PREFIX = "citysvc:"
WECHAT_TOKEN = PREFIX + "wechat:token:"  # + appid -> JSON {"token", "expires_at"}
WECHAT_TOKEN_LOCK = PREFIX + "wechat:token-lock:"  # + appid
RATE = PREFIX + "rate:"  # + limiter name + ":" + subject (core.ratelimit)
LOCK = PREFIX + "lock:"  # + name
