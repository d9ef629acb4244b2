"""Adapters behind ``core.ports.TopicFeeds``: an HTTP feed client (``feeds``) and the
in-process sandbox (``sandbox``); the processes' roots choose between them."""

from __future__ import annotations
