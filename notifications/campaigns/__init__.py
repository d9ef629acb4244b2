"""Campaigns (定向推送) in the notification engine, in one place: ``delivery`` (the port
``core.campaigns`` renders and previews through, and the test send), ``runner`` (due
campaigns into the outbox, paced and resumable), ``quiet`` (quiet hours at the last step) and
``jobs`` (the worker's round). The campaign itself (rules, approval, figures) is
``core.campaigns``; the staff routes are ``miniapp_api.routes.campaigns``."""

from __future__ import annotations
