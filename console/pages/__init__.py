"""The console's page modules; each holds one ``Blueprint`` listed in ``console.mount``."""

from __future__ import annotations
