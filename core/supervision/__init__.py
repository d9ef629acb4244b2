"""Supervision (督办): the sweep that raises and resolves deadline warnings on open cases;
the bot's WeCom robots and the staff API deliver them."""

from __future__ import annotations
