"""A citizen's account across every feature: real-name verification, joining two citizens
that are one person, closing an account. The top of core's feature order: it may use any
feature, and none uses it."""

from __future__ import annotations
