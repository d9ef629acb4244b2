"""The staff web console at ``/console/``: server-rendered Chinese pages for clerks,
supervisors, the publicity team and administrators (``console/README.md``: adding a page)."""

from __future__ import annotations
