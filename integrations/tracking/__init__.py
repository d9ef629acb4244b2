"""Parcel tracking: the Kuaidi100-protocol client and a faithful sandbox carrier."""

from __future__ import annotations
