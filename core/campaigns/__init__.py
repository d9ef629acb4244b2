"""Publicity campaigns: topic messages to subscribers, approved by a second person."""

from __future__ import annotations
