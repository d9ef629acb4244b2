"""The bot's domain tables: the versioned knowledge base (一号答), hand-off tickets, Official
Account users linked to citizens, and the WeCom robot outbox with its per-department keys."""

from __future__ import annotations
