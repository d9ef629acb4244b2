"""Every shared-state (Redis) key prefix, in one place."""

from __future__ import annotations

from core.ratelimit import RATE_PREFIX

PREFIX = "citysvc:"
WECHAT_TOKEN = PREFIX + "wechat:token:"  # + appid -> JSON {"token", "expires_at"}
WECHAT_TOKEN_LOCK = PREFIX + "wechat:token-lock:"  # + appid
RATE = RATE_PREFIX  # + limiter name + ":" + subject: core.ratelimit writes these
LOCK = PREFIX + "lock:"  # + name
BOT_SEEN = PREFIX + "bot:seen:"  # + appid + ":" + MsgId or FromUserName:CreateTime (dedupe)
BOT_REPLY = PREFIX + "bot:reply:"  # + same suffix -> the reply given, for WeChat's retries
BOT_HANDOFF = PREFIX + "bot:handoff:"  # + appid + ":" + openid -> the last unanswered question
BOT_BIND_RATE = PREFIX + "bot:bind:"  # + appid + ":" + openid -> binding attempts (window)
BOT_BIND_ALL = PREFIX + "bot:bind-all:"  # + appid -> binding attempts of every openid (window)
BOT_NONCE = PREFIX + "bot:nonce:"  # + appid + ":" + timestamp + ":" + nonce: a push seen once
BOT_UNIONID_MISS = PREFIX + "bot:no-unionid:"  # + appid + ":" + openid: no citizen by unionid
WECOM_SENT = PREFIX + "wecom:sent:"  # + robot key fingerprint -> JSON send times (last 60 s)
WECOM_SENT_LOCK = PREFIX + "wecom:sent-lock:"  # + robot key fingerprint
WECOM_FLUSH_LOCK = PREFIX + "wecom:flush-lock:"  # + department code: one flusher at a time
NOTIFY_RATE = PREFIX + "notify:rate:"  # + platform [+ ":campaign"]: sends in this 1 s window
IDENTITY_SANDBOX = PREFIX + "identity-sandbox:"  # + ref -> pending | passed | failed
