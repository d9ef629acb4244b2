"""The Official Account's followers linked to citizens (unionid or a binding code)."""

from __future__ import annotations
