"""Topics citizens subscribe to (exam results, traffic, food safety...): keys, names, who."""

from __future__ import annotations
