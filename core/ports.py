"""What the domain needs from the outside world, as Protocols.

Adapters in ``integrations`` implement these; the domain and the API depend only on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class Clock(Protocol):
    """Source of the current time (timezone-aware, China Standard Time)."""

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class PlatformIdentity:
    """Who a platform says the user is.

    ``open_id`` is per app and is the key; ``union_id`` is WeChat's unionid or Alipay's
    ``user_id`` when the platform gives one (never required). ``session_key`` (WeChat only)
    is a secret that never leaves the server.
    """

    platform: str
    open_id: str
    union_id: str | None = None
    session_key: str | None = None


class PlatformLogin(Protocol):
    """Exchange a mini-program login code for the user's platform identity.

    Raises ``core.errors.InvalidLoginCode`` for a bad, used or foreign code,
    ``core.errors.RateLimited`` when the platform limits this user, ``core.errors.Forbidden``
    when the platform refuses the user, and ``integrations.errors.Retryable`` when the
    platform is busy or unreachable.
    """

    platform: str

    async def login(self, code: str) -> PlatformIdentity: ...


class SharedState(Protocol):
    """Small shared state: Redis across processes when configured, else one process's memory.

    Keys are plain strings; every prefix is a constant in ``integrations.keys``.
    """

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def hit(self, key: str, window: float) -> tuple[int, float]:
        """Count one hit in a fixed window; return (hits so far, seconds until it resets)."""
        ...

    async def acquire(self, key: str, ttl: float) -> str | None:
        """Take a lock that expires after ``ttl``; return its token, or None if held."""
        ...

    async def release(self, key: str, token: str) -> None:
        """Release a lock only if ``token`` still holds it."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class LicenceRegistry(Protocol):
    """The electronic-licence registry (电子证照库): what the government already holds."""

    async def find(self, id_number: str, license_type: str) -> str | None:
        """A reference to the citizen's licence of ``license_type``, or None if none is held."""
        ...


class NoLicences:
    """The licence registry while none is connected: it holds nothing, so every material
    is uploaded. The processes' roots use it unless they are given another."""

    async def find(self, id_number: str, license_type: str) -> str | None:
        return None


@dataclass(frozen=True)
class IdentityClaim:
    """Who a citizen says they are, for one verification attempt.

    ``order_no`` names the attempt at the provider (WeChat ``out_seq_no``, Alipay
    ``outer_order_no``: 5 to 32 characters of ``[0-9A-Za-z_-]``, unique); ``open_id`` is the
    platform account that performs the face check (WeChat needs it, the others ignore it).
    """

    order_no: str
    name: str
    id_number: str
    open_id: str | None = None


@dataclass(frozen=True)
class VerificationTicket:
    """A started verification: the provider's reference and what the mini-program opens."""

    ref: str
    opens: dict[str, str]


class IdentityVerifier(Protocol):
    """A real-name provider (face check against the national ID database).

    ``start`` opens an attempt for ``claim``; the citizen then completes it in the mini-program
    (``opens``: ``{"verify_id"}`` for WeChat, ``{"certify_id", "certify_url"}`` for Alipay).
    ``passed`` asks the provider, server to server, whether that attempt succeeded: only its
    answer may mark a citizen verified. Both raise ``integrations.errors`` on platform failure.
    """

    provider: str

    async def start(self, claim: IdentityClaim) -> VerificationTicket: ...

    async def passed(self, claim: IdentityClaim, ref: str) -> bool: ...


@dataclass(frozen=True)
class MilestoneEvent:
    """A milestone of a case, as the notification engine receives it."""

    milestone_id: int
    application_id: int
    number: str
    citizen_id: str
    item_code: str
    event: str  # "application.accepted", "shipment.delivery_failed", ...
    status: str
    note: str
    at: datetime
    bundle_number: str | None = None  # a case of a one-thing bundle (一件事)


class MilestoneSink(Protocol):
    """Receives every milestone INSIDE the database transaction that produced it.

    Whatever it writes (outbox rows) commits or rolls back with the case change itself.
    """

    async def record(self, event: MilestoneEvent) -> None: ...


@dataclass(frozen=True)
class ParcelEvent:
    """One scan of a parcel as the carrier reports it.

    ``status`` is one of the parcel states below; ``location`` may be empty.
    """

    at: datetime
    status: str
    description: str
    location: str = ""


@dataclass(frozen=True)
class ParcelUpdate:
    """What the carrier knows of one parcel: its state and its whole history.

    ``state`` is ``collected``, ``in_transit``, ``out_for_delivery``, ``signed``, ``problem``,
    ``returning``, ``returned`` (back with the sender, signed for), ``refused``,
    ``transferred``, ``customs`` or ``unknown``. ``events`` are newest first, as carriers
    list them. ``stopped`` is True when the carrier stopped watching the parcel before it was
    finished (it must be subscribed again to get more pushes).
    """

    tracking_number: str
    state: str
    events: tuple[ParcelEvent, ...]
    stopped: bool = False


class TrackingProvider(Protocol):
    """A parcel-tracking service that pushes carrier events and answers queries.

    Neither method raises for the carrier's own failures: ``subscribe`` answers False and
    ``query`` None when the parcel could not be subscribed or read now (unreachable, busy,
    refused; the adapter logs why), so that the poller simply tries again later.
    """

    carrier: str

    async def subscribe(self, tracking_number: str) -> bool:
        """Ask for pushes of this parcel's events; True once the provider accepted it."""
        ...

    async def query(self, tracking_number: str) -> ParcelUpdate | None:
        """The parcel's current state and history, or None when it cannot be had now."""
        ...


@dataclass(frozen=True)
class FeedItem:
    """One item of a topic's feed: a traffic incident, a recall, a labour-rights notice."""

    topic: str
    title: str
    summary: str
    at: datetime
    source: str
    link: str = ""


@dataclass(frozen=True)
class BusRoute:
    """A bus route as the transit operator publishes it."""

    number: str
    name: str
    first_bus: str  # "06:00"
    last_bus: str  # "21:30"
    stops: tuple[str, ...]


@dataclass(frozen=True)
class TraceRecord:
    """The traceability record of one product code (食品安全追溯)."""

    code: str
    product: str
    producer: str
    batch: str
    inspected: bool
    steps: tuple[str, ...]


class TopicFeeds(Protocol):
    """The public data behind the topics: highway traffic, bus routes, food-safety
    traceability and labour rights.

    ``latest`` answers the newest items of a topic (an empty list for topics without a feed);
    ``trace`` answers None for an unknown code. Both raise ``integrations.errors`` when the
    provider is busy or unreachable.
    """

    async def latest(self, topic: str, limit: int = 20) -> list[FeedItem]: ...

    async def bus_routes(self, query: str, limit: int = 20) -> list[BusRoute]: ...

    async def trace(self, code: str) -> TraceRecord | None: ...


class CampaignDelivery(Protocol):
    """What the campaign service needs from the notification engine.

    ``fitting`` lists the values of a topic message that the platforms' field rules change,
    as ``{"code", "platform", "key", "fields", "value", "sent_as"}``: code ``shortened`` for
    a value sent fitted (cut with an ellipsis, or characters the field refuses dropped),
    ``does_not_fit`` (``sent_as`` None) for one that cannot be sent at all; ``fields`` names
    the campaign texts (``title``, ``summary``) the value is made of. ``preview`` gives the
    exact message per platform, as it will be sent. ``hold`` takes a campaign's queued
    messages back from the dispatcher (pause), ``release`` makes them due again at the
    campaign's own pace (resume),
    ``withdraw`` removes them for good and frees their consents (cancel), answering how many
    it removed. ``outcomes`` counts the campaign's messages by status, failures by reason.
    """

    def fitting(self, event: str, context: dict[str, str]) -> list[dict[str, Any]]: ...

    def preview(self, event: str, context: dict[str, str]) -> dict[str, dict[str, object]]: ...

    async def hold(self, campaign_id: int) -> None: ...

    async def release(self, campaign_id: int) -> None: ...

    async def withdraw(self, campaign_id: int, at: datetime) -> int: ...

    async def outcomes(self, campaign_id: int) -> dict[str, dict[str, int]]: ...
