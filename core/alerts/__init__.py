"""Alerts for the staff of a department: things a clerk must act on (failed deliveries...)."""

from __future__ import annotations
