"""Adapters behind ``core.ports.TopicFeeds``: an HTTP feed client and the in-process sandbox."""

from __future__ import annotations

import aiohttp

from core.ports import TopicFeeds
from integrations.topics.feeds import HttpTopicFeeds
from integrations.topics.sandbox import SandboxTopicFeeds

__all__ = ["HttpTopicFeeds", "SandboxTopicFeeds", "default_feeds"]


def default_feeds(http: aiohttp.ClientSession, base_url: str | None) -> TopicFeeds:
    """The HTTP feed at ``base_url`` (TOPIC_FEEDS_BASE) when configured, else the sandbox."""
    if base_url:
        return HttpTopicFeeds(http, base_url)
    return SandboxTopicFeeds()
