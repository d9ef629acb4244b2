"""Feedback that flows back: ratings (好差评), rectifications, complaints, the public board."""

from __future__ import annotations
