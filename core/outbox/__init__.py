"""The notification engine's rows (consents, the outbox, attempts): part of the one schema that
``core/migrations`` creates, so they live in core; the engine itself is ``notifications``."""

from __future__ import annotations
