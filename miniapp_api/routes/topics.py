"""Topics: the list with the caller's subscriptions, subscribing, and the topic feeds."""

from __future__ import annotations

from dataclasses import asdict

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json
from sanic_ext import openapi

from core.errors import InvalidInput, NotFound
from core.ports import TopicFeeds
from core.topics.service import list_topics, subscribe, topic_of, unsubscribe
from miniapp_api import schemas as s
from miniapp_api.context import app_context, current_citizen, services
from miniapp_api.docs import documented

bp = Blueprint("topics", url_prefix="/api/v1")

MAX_QUERY = 32


@bp.get("/towns")
@openapi.summary("The district's townships, for the town picker: a plain array ([] = free text)")
@documented("public", answers={200: "application/json"})
async def towns(request: Request) -> HTTPResponse:
    return json(list(services(request).settings.campaigns.towns))


@bp.get("/topics")
@openapi.summary("Every topic with whether the caller follows it: [{key, name, subscribed}]")
@documented("citizen", answers={200: [s.Topic]})
async def index(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    return json(await list_topics(str(citizen.id)))


@bp.put("/topics/<key:str>/subscription")
@openapi.summary("Follow a topic (204); ask consent for its template topic.{key} as well")
@documented("citizen", answers={204: None}, errors={404: ("topic_not_found",)})
async def follow(request: Request, key: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    await subscribe(str(citizen.id), key[:64], services(request).clock.now())
    return empty()


@bp.delete("/topics/<key:str>/subscription")
@openapi.summary("Stop following a topic (204, also when not followed)")
@documented("citizen", answers={204: None}, errors={404: ("topic_not_found",)})
async def unfollow(request: Request, key: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    await unsubscribe(str(citizen.id), key[:64])
    return empty()


@bp.get("/topics/<key:str>/feed")
@openapi.summary("The latest items of a topic's feed (highway_traffic, food_safety, ...)")
@documented(
    "citizen",
    answers={200: [s.FeedItem]},
    errors={404: ("topic_not_found",), 502: ("upstream_rejected",), 503: ("upstream_unavailable",)},
)
async def feed(request: Request, key: str) -> HTTPResponse:
    await current_citizen(request)
    topic = topic_of(key[:64])
    items = await _feeds(request).latest(topic.key)
    return json([_item(asdict(item)) for item in items])


@bp.get("/bus/routes")
@openapi.parameter("q", str, "query", description="a route name or stop")
@openapi.summary("Bus routes whose number, name or stops match ?q=")
@documented(
    "citizen",
    answers={200: [s.BusRoute]},
    errors={422: ("invalid_query",), 503: ("upstream_unavailable",)},
)
async def bus_routes(request: Request) -> HTTPResponse:
    await current_citizen(request)
    query = (request.args.get("q") or "").strip()
    if not query or len(query) > MAX_QUERY:
        raise InvalidInput(
            f"'q' must be 1 to {MAX_QUERY} characters.",
            code="invalid_query",
            details={"field": "q"},
        )
    routes = await _feeds(request).bus_routes(query)
    return json([asdict(route) for route in routes])


@bp.get("/food-safety/trace/<code:str>")
@openapi.summary("The traceability record of a product code (food_safety topic); 404 if none")
@documented(
    "citizen",
    answers={200: s.TraceRecord},
    errors={404: ("trace_not_found",), 503: ("upstream_unavailable",)},
)
async def trace(request: Request, code: str) -> HTTPResponse:
    await current_citizen(request)
    record = await _feeds(request).trace(code[:64])
    if record is None:
        raise NotFound("No traceability record for this code.", code="trace_not_found")
    return json(asdict(record))


def _item(raw: dict[str, object]) -> dict[str, object]:
    """Datetimes as ISO text (the JSON encoder knows none)."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in raw.items()}


def _feeds(request: Request) -> TopicFeeds:
    """The feeds adapter the app was built with (TOPIC_FEEDS_BASE)."""
    return app_context(request).topic_feeds
