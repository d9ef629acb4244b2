"""Imports flow one way: core <- integrations <- notifications <- bot <- console <- miniapp_api
<- citysvc.

A lower floor never imports a higher one, and core imports no web framework or vendor SDK.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ["core", "integrations", "notifications", "bot", "console", "miniapp_api", "citysvc"]
CORE_FORBIDDEN = {
    "sanic",
    "sanic_ext",
    "aiohttp",
    "wechatpy",
    "alipay",
    "redis",
    "httpx",
    "requests",
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def sources(floor: str) -> list[Path]:
    return sorted((ROOT / floor).rglob("*.py"))


@pytest.mark.parametrize("floor", FLOORS)
def test_no_upward_imports(floor: str) -> None:
    higher = set(FLOORS[FLOORS.index(floor) + 1 :])
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & higher)
        for path in sources(floor)
        if imported_roots(path) & higher
    }
    assert offenders == {}


def test_core_has_no_framework_or_vendor_imports() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & CORE_FORBIDDEN)
        for path in sources("core")
        if imported_roots(path) & CORE_FORBIDDEN
    }
    assert offenders == {}


def test_every_module_has_future_annotations() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for floor in FLOORS
        for path in sources(floor)
        if path.stat().st_size
        and "migrations" not in path.parts
        and "from __future__ import annotations" not in path.read_text()
    ]
    assert missing == []


def test_model_docstrings_survive_migrations() -> None:
    """Tortoise copies a model's first docstring line and each field's description into SQL
    comments and splits migration SQL on ';': a semicolon there breaks `citysvc migrate`."""
    import importlib
    import inspect

    from tortoise.models import Model

    from core.db import MODEL_MODULES

    offenders = []
    for module in MODEL_MODULES:
        for name, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass):
            if not issubclass(cls, Model) or cls.__module__ != module:
                continue
            texts = [cls._meta.table_description or ""]
            texts += [f.description or "" for f in cls._meta.fields_map.values()]
            if any(";" in text for text in texts):
                offenders.append(f"{module}.{name}")
    assert offenders == []
