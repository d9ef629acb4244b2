"""Build the platform clients that settings ask for; shared by the API, the worker and demo."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from core.ports import IdentityVerifier, PlatformLogin, SharedState, TrackingProvider
from core.settings import Settings
from integrations.alipay.client import AlipayClient
from integrations.http import new_session
from integrations.identity.alipay_certify import AlipayCertifyVerifier
from integrations.identity.wechat_face import WeChatFaceVerifier
from integrations.state import shared_state
from integrations.tracking.client import CALLBACK_PATH, Kuaidi100Client
from integrations.wechat.client import WeChatClient
from integrations.wecom.client import WeComRobotClient


@dataclass
class Platforms:
    """Open clients; ``close()`` releases sockets, Redis and executors."""

    http: aiohttp.ClientSession
    state: SharedState
    wechat: WeChatClient | None
    alipay: AlipayClient | None
    settings: Settings
    tracking: TrackingProvider | None = None  # the parcel-tracking provider (Kuaidi100)
    wecom: WeComRobotClient | None = None  # group robots (keys per department, not here)
    # The Official Account's server API (template messages), when its appid and secret are set
    official_account_client: WeChatClient | None = None

    def logins(self) -> dict[str, tuple[PlatformLogin, str]]:
        """Each configured platform's login port with the app id its accounts are keyed by."""
        found: dict[str, tuple[PlatformLogin, str]] = {}
        if self.wechat is not None:
            found["wechat"] = (self.wechat, self.wechat.appid)
        if self.alipay is not None:
            found["alipay"] = (self.alipay, self.alipay.appid)
        return found

    def verifiers(self) -> dict[str, IdentityVerifier]:
        """The real-name provider for sessions of each configured platform.

        Only real providers: a platform without one gets no entry (the API answers 503), never
        the sandbox, which would verify anyone as anyone.
        """
        found: dict[str, IdentityVerifier] = {}
        if self.wechat is not None:
            found["wechat"] = WeChatFaceVerifier(self.wechat)
        if self.alipay is not None:
            found["alipay"] = AlipayCertifyVerifier(self.alipay)
        return found

    async def close(self) -> None:
        if self.alipay is not None:
            self.alipay.close()
        await self.http.close()
        await self.state.close()


def open_platforms(settings: Settings) -> Platforms:
    """Clients for every platform configured in ``settings`` (none is required)."""
    http = new_session(timeout=settings.platform_timeout)
    state = shared_state(settings.redis_url)
    wechat = alipay = None
    if settings.wechat is not None:
        app = settings.wechat
        wechat = WeChatClient(http, app.api_base, app.appid, app.secret, state)
    if settings.alipay is not None:
        ali = settings.alipay
        alipay = AlipayClient(http, ali.gateway, ali.appid, ali.private_key, ali.public_key)
    wecom = WeComRobotClient(http, settings.wecom_api_base)
    oa_client = None
    oa = settings.official_account
    if oa is not None and oa.secret:
        # Its own appid, so its own access token in the shared state.
        oa_client = WeChatClient(http, oa.api_base, oa.appid, oa.secret, state)
    return Platforms(
        http=http,
        state=state,
        wechat=wechat,
        alipay=alipay,
        settings=settings,
        tracking=_tracking(settings, http),
        wecom=wecom,
        official_account_client=oa_client,
    )


def _tracking(settings: Settings, http: aiohttp.ClientSession) -> TrackingProvider | None:
    """The Kuaidi100 client when TRACKING_CUSTOMER and TRACKING_KEY are set."""
    conf = settings.tracking
    if conf.customer is None or conf.key is None:
        return None
    callback = settings.public_base_url + CALLBACK_PATH
    return Kuaidi100Client(
        http, conf.api_base, conf.customer, conf.key, callback, settings.secret_key
    )
