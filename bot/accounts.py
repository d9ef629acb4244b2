"""Who is writing: the Official Account user's citizen, by unionid or by a binding code.

WeChat's pushes carry only the per-app openid. A citizen is found, in order, by an earlier
link; by the user's unionid (asked of WeChat when the Official Account's secret is
configured) matching a mini-program account; or not at all until the user sends the
one-time binding code the mini-program shows (``绑定 123456``).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from core.followers.links import citizen_by_union_id, link, linked_citizen, redeem_code
from core.pii import PiiCipher
from core.ports import Clock, SharedState
from integrations import keys
from integrations.errors import IntegrationError
from integrations.wechat.client import WeChatClient

log = logging.getLogger("citysvc.bot.accounts")

USER_INFO_PATH = "/cgi-bin/user/info/batchget"
BIND_ATTEMPTS = 5  # per openid per window: 6-digit codes must not be guessable by retrying
# of every openid together per window: openids cost an attacker nothing (any WeChat user can
# follow, and a forged push names any), so the per-openid limit alone let 2,000 guesses in.
# 200 tries in 10 minutes against a million codes, each valid 10 minutes, leave a guesser a
# chance of 0.02% per live code; a flood blocks binding codes for 10 minutes at most (unionid
# links go on working), which is the price of that bound.
BIND_ATTEMPTS_ALL = 200
BIND_WINDOW = 600.0
NO_UNIONID_TTL = 600.0  # a user without a matching unionid is not asked about again for this


class UnionIdSource(Protocol):
    """The unionid of an Official Account user, when WeChat gives one."""

    async def union_id(self, open_id: str) -> str | None: ...


class OaUserInfo:
    """``POST /cgi-bin/user/info/batchget`` with the Official Account's access token."""

    def __init__(self, client: WeChatClient) -> None:
        self._client = client

    async def union_id(self, open_id: str) -> str | None:
        body = await self._client.call(
            USER_INFO_PATH, {"user_list": [{"openid": open_id, "lang": "zh_CN"}]}
        )
        users: Any = body.get("user_info_list")
        first = users[0] if isinstance(users, list) and users else {}
        union = first.get("unionid") if isinstance(first, dict) else None
        return union if isinstance(union, str) and union else None


class Accounts:
    """Resolves and links Official Account users of one app to citizens."""

    def __init__(
        self,
        app_id: str,
        clock: Clock,
        cipher: PiiCipher,
        state: SharedState,
        union_ids: UnionIdSource | None = None,
    ) -> None:
        self.app_id = app_id
        self._clock = clock
        self._cipher = cipher
        self._state = state
        self.union_ids = union_ids
        self.attempts_all = BIND_ATTEMPTS_ALL

    async def citizen_of(self, open_id: str) -> str | None:
        """The citizen behind ``open_id``, linking by unionid on first sight when possible."""
        citizen = await linked_citizen(self.app_id, open_id)
        if citizen is not None or self.union_ids is None:
            return citizen
        miss_key = f"{keys.BOT_UNIONID_MISS}{self.app_id}:{open_id}"
        if await self._state.get(miss_key):
            return None
        try:
            union = await self.union_ids.union_id(open_id)
        except IntegrationError as exc:  # no unionid today; the binding code still works
            log.warning("unionid look-up failed: %s", exc.message)
            return None
        citizen = await citizen_by_union_id(union) if union else None
        if citizen is None:
            await self._state.set(miss_key, "1", ttl=NO_UNIONID_TTL)
            return None
        await link(self.app_id, open_id, citizen, "unionid", self._clock.now(), union)
        return citizen

    async def bind(self, open_id: str, code: str) -> str:
        """Redeem a binding code: ``linked``, ``invalid`` or ``too_many``."""
        attempts = f"{keys.BOT_BIND_RATE}{self.app_id}:{open_id}"
        count, _ = await self._state.hit(attempts, BIND_WINDOW)
        if count > BIND_ATTEMPTS:
            return "too_many"
        everyone, _ = await self._state.hit(f"{keys.BOT_BIND_ALL}{self.app_id}", BIND_WINDOW)
        if everyone > self.attempts_all:
            log.warning("binding codes: more than %d attempts in 10 minutes", self.attempts_all)
            return "too_many"
        now = self._clock.now()
        citizen = await redeem_code(self._cipher, code, now)
        if citizen is None:
            return "invalid"
        await link(self.app_id, open_id, citizen, "code", now)
        await self._state.delete(f"{keys.BOT_UNIONID_MISS}{self.app_id}:{open_id}")
        return "linked"
