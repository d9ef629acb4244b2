"""Which channel reaches a citizen, and the senders that speak each channel.

Order (issue 6): a WeChat subscribe message when a consent is held; else an Alipay template
message when the citizen has an Alipay account with consent; else the Official Account
template message when the citizen follows it; else nothing, shown to staff as ``no_consent``
(an account was there, without consent) or ``no_channel`` (no account could carry it).
Choosing a platform reserves its consent, so the choice is made once, in the transaction of
the change, and the dispatcher only sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.followers.models import OaLink
from core.identity.models import PlatformAccount
from integrations.alipay.client import AlipayClient
from integrations.errors import IntegrationError, Permanent
from integrations.wechat.client import WeChatClient
from notifications.consents import reserve
from notifications.templates import OFFICIAL_ACCOUNT as OFFICIAL_ACCOUNT
from notifications.templates import PLATFORMS, Registry, Template

WECHAT, ALIPAY, NONE = "wechat", "alipay", "none"
# What each platform answers when the citizen holds no (more) consent. Alipay documents no
# sub_code for it; USER_NOT_SUBSCRIBED is the sandbox's, the others are seen in the field.
# 43004 ("require subscribe") is the Official Account's: the citizen no longer follows it.
NO_CONSENT_CODES = frozenset({43101, 43004, "USER_NOT_SUBSCRIBED", "USER_SUBSCRIBE_NOT_EXIST"})


@dataclass(frozen=True)
class Choice:
    """Where a message goes: ``channel`` NONE means the citizen cannot be reached, and
    ``unconsented`` then tells why: an account was there but held no consent (``no_consent``),
    rather than no account on any channel at all (``no_channel``)."""

    channel: str
    recipient: str | None = None
    template: Template | None = None
    consent: str | None = None  # what was reserved: one_time or long_term
    unconsented: bool = False


class OfficialAccountDirectory(Protocol):
    """Who follows the Official Account: the citizen's OA openid, or None."""

    async def follower(self, citizen_id: str) -> str | None: ...


class NotFollowing:
    """The directory when the Official Account is not configured: nobody follows."""

    async def follower(self, citizen_id: str) -> str | None:
        return None


class OaLinkDirectory:
    """Followers as the bot linked them (``OaLink``) for the Official Account ``app_id``.

    A citizen linked more than once (several WeChat users) is reached at the latest link.
    """

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id

    async def follower(self, citizen_id: str) -> str | None:
        open_ids = (
            await OaLink.filter(app_id=self.app_id, citizen_id=citizen_id)
            .order_by("-linked_at", "-id")
            .limit(1)
            .values_list("open_id", flat=True)
        )
        return str(open_ids[0]) if open_ids else None


@dataclass
class ChannelChooser:
    """Picks the channel for one citizen and event, reserving the consent it will spend.

    ``app_ids`` names the configured mini-program of each platform: accounts of other apps
    (an old app id) cannot be sent to, and a platform without an app is skipped.
    """

    registry: Registry
    app_ids: Mapping[str, str]
    official_account: OfficialAccountDirectory = field(default_factory=NotFollowing)

    async def choose(self, citizen_id: str, event: str, exclude: Iterable[str] = ()) -> Choice:
        skip = set(exclude)
        accounts = await PlatformAccount.filter(citizen_id=citizen_id).values_list(
            "platform", "app_id", "open_id"
        )
        open_ids = {p: o for p, a, o in accounts if self.app_ids.get(p) == a}
        unconsented = False
        for platform in PLATFORMS:
            template = self.registry.template(event, platform)
            open_id = open_ids.get(platform)
            if platform in skip or template is None or open_id is None:
                continue
            consent = await reserve(citizen_id, platform, template.template_id)
            if consent is not None:
                return Choice(platform, open_id, template, consent)
            unconsented = True
        oa_template = self.registry.template(event, OFFICIAL_ACCOUNT)
        if OFFICIAL_ACCOUNT not in skip and oa_template is not None:
            follower = await self.official_account.follower(citizen_id)
            if follower is not None:
                return Choice(OFFICIAL_ACCOUNT, follower, oa_template)
        return Choice(NONE, unconsented=unconsented)


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, as a sender needs it."""

    id: int
    lane: str
    key: str  # the outbox row's unique key (a campaign's names the campaign)
    citizen_id: str
    event: str
    channel: str
    recipient: str
    template_id: str
    page: str
    data: dict[str, str]
    consent: str | None
    attempts: int


class Sender(Protocol):
    """Sends one message on one channel; raises ``IntegrationError`` subclasses on failure."""

    async def send(self, message: Outgoing) -> None: ...


class WeChatSender:
    """Subscribe messages through the mini-program's server API."""

    def __init__(self, client: WeChatClient, miniprogram_state: str = "formal") -> None:
        self._client = client
        self._state = miniprogram_state

    async def send(self, message: Outgoing) -> None:
        await self._client.send_subscribe_message(
            message.recipient,
            message.template_id,
            message.data,
            message.page or None,
            miniprogram_state=self._state,
        )


class AlipaySender:
    """Template messages through the Alipay gateway."""

    def __init__(self, client: AlipayClient) -> None:
        self._client = client

    async def send(self, message: Outgoing) -> None:
        await self._client.send_template_message(
            message.recipient, message.template_id, message.page, message.data
        )


class OfficialAccountSender:
    """Official Account template messages through the OA's own server API client.

    Without a client (no OA appid and secret configured) every send is refused for good.
    ``miniprogram_appid`` (the WeChat mini-program) makes the message open the row's page.
    """

    def __init__(
        self, client: WeChatClient | None = None, miniprogram_appid: str | None = None
    ) -> None:
        self._client = client
        self._miniprogram = miniprogram_appid

    async def send(self, message: Outgoing) -> None:
        if self._client is None:
            raise Permanent(
                "official account template messages are not configured",
                platform=OFFICIAL_ACCOUNT,
                platform_code="not_configured",
            )
        await self._client.send_template_message(
            message.recipient,
            message.template_id,
            message.data,
            message.page or None,
            miniprogram_appid=self._miniprogram,
        )


def is_no_consent(exc: IntegrationError) -> bool:
    """The platform refused because the citizen holds no (more) consent."""
    code: Any = exc.platform_code
    return isinstance(exc, Permanent) and code in NO_CONSENT_CODES
