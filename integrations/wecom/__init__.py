"""WeCom (企业微信) group robots: the webhook client and a faithful sandbox of it."""

from __future__ import annotations
