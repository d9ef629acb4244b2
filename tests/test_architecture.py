"""Imports flow one way: core <- integrations <- notifications <- bot <- console <- miniapp_api
<- citysvc.

A lower floor never imports a higher one, and core imports no web framework or vendor SDK.
Inside core, the features (its packages) are in one order and import only earlier ones; its
kernel (the modules at its top: ports, errors, clock, settings, db, ...) imports no feature.
A string naming one of our modules (Tortoise's model modules) counts as an import. Adapters
(integrations) use only core's kernel. Sandboxes are chosen at the composition roots alone,
and only core/settings.py reads the environment.

Each rule is a function over a source tree, so ``test_*_catches_*`` plant a violation in a
temporary tree and show the rule fails on it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
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
# core's features, lowest first: each imports only features before it (docs/architecture.md)
CORE_FEATURES = [
    "identity",
    "totals",
    "auth",
    "uploads",
    "topics",
    "alerts",
    "heartbeat",
    "outbox",
    "staff",
    "rules",
    "exams",
    "campaigns",
    "catalogue",
    "cases",
    "knowledge",
    "followers",
    "bundles",
    "policies",
    "shipping",
    "supervision",
    "privacy",
    "details",
    "feedback",
    "accounts",
]
# the processes' composition roots: the only modules that may import a sandbox
COMPOSITION_ROOTS = ("miniapp_api/app.py", "citysvc/")
SANDBOX = re.compile(r"^integrations\.\w+\.sandbox\w*$")
MODULE_NAME = re.compile(r"^(" + "|".join(FLOORS) + r")(\.[a-z_][a-z0-9_]*)+$")


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports by name, and every string naming one of our modules
    (``"core.outbox.models"`` in Tortoise's list counts like an import; a logger's name that
    no module has does not)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:  # `from integrations.alipay import sandbox_demo`
                if _exists(f"{node.module}.{alias.name}", root):
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):  # noqa: SIM102
            if MODULE_NAME.match(node.value) and _exists(node.value, root):
                found.add(node.value)
    return found


def _exists(module: str, root: Path) -> bool:
    path = root / module.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported_roots(path: Path, root: Path = ROOT) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path, root)}


def sources(floor: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / floor).rglob("*.py"))


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def upward_imports(floor: str, root: Path = ROOT) -> dict[str, list[str]]:
    higher = set(FLOORS[FLOORS.index(floor) + 1 :])
    found = {
        _relative(p, root): sorted(imported_roots(p, root) & higher) for p in sources(floor, root)
    }
    return {path: names for path, names in found.items() if names}


def feature_order_violations(root: Path = ROOT) -> dict[str, list[str]]:
    """Imports of a core feature by a kernel module or by an equal or earlier feature."""
    offenders: dict[str, list[str]] = {}
    for path in sources("core", root):
        parts = path.relative_to(root / "core").parts
        if parts[0] == "migrations":
            continue
        own = parts[0] if len(parts) > 1 else None
        if own is not None and own not in CORE_FEATURES:
            offenders[_relative(path, root)] = [f"core.{own} is not in CORE_FEATURES"]
            continue
        rank = CORE_FEATURES.index(own) if own is not None else -1
        bad = set()
        for name in imported_modules(path, root):
            bits = name.split(".")
            if bits[0] != "core" or len(bits) < 2 or bits[1] not in CORE_FEATURES:
                continue
            if bits[1] == own or (own is None and _is_string(path, name)):
                continue
            if CORE_FEATURES.index(bits[1]) > rank or own is None:
                bad.add(f"core.{bits[1]}")
        if bad:
            offenders[_relative(path, root)] = sorted(bad)
    return offenders


def _is_string(path: Path, name: str) -> bool:
    """``name`` appears in ``path`` only as a string (the kernel's list of model modules)."""
    tree = ast.parse(path.read_text())
    return not any(
        (isinstance(n, ast.ImportFrom) and n.module and name.startswith(n.module))
        or (isinstance(n, ast.Import) and any(name.startswith(a.name) for a in n.names))
        for n in ast.walk(tree)
    )


def adapter_violations(root: Path = ROOT) -> dict[str, list[str]]:
    """Adapters (integrations) may use core's kernel, never a core feature."""
    offenders: dict[str, list[str]] = {}
    for path in sources("integrations", root):
        bad = sorted(
            name
            for name in imported_modules(path, root)
            if name.startswith("core.") and name.split(".")[1] in CORE_FEATURES
        )
        if bad:
            offenders[_relative(path, root)] = bad
    return offenders


def sandbox_violations(root: Path = ROOT) -> dict[str, list[str]]:
    """Sandbox modules imported outside the composition roots and the sandboxes themselves."""
    offenders: dict[str, list[str]] = {}
    for floor in FLOORS:
        for path in sources(floor, root):
            where = _relative(path, root)
            if where.startswith(COMPOSITION_ROOTS) or SANDBOX.match(_module(where)):
                continue
            bad = sorted(
                {
                    name.rsplit(".", 1)[0] if not SANDBOX.match(name) else name
                    for name in imported_modules(path, root)
                    if SANDBOX.match(name) or SANDBOX.match(name.rsplit(".", 1)[0])
                }
            )
            if bad:
                offenders[where] = bad
    return offenders


def _module(relative: str) -> str:
    return relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def environment_readers(root: Path = ROOT) -> list[str]:
    """Modules other than core/settings.py naming ``os.environ`` or ``os.getenv``."""
    return [
        _relative(path, root)
        for floor in FLOORS
        for path in sources(floor, root)
        if _relative(path, root) != "core/settings.py" and any(_environment_uses(path))
    ]


def _environment_uses(path: Path) -> Iterator[ast.AST]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                yield node
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {a.name for a in node.names} & {"environ", "getenv", "environb"}
        ):
            yield node


@pytest.mark.parametrize("floor", FLOORS)
def test_no_upward_imports(floor: str) -> None:
    assert upward_imports(floor) == {}


def test_core_features_import_one_way() -> None:
    assert feature_order_violations() == {}


def test_adapters_use_only_the_core_kernel() -> None:
    assert adapter_violations() == {}


def test_sandboxes_are_chosen_at_the_roots_only() -> None:
    assert sandbox_violations() == {}


def test_only_settings_reads_the_environment() -> None:
    assert environment_readers() == []


def test_model_modules_are_ours_and_in_core() -> None:
    from core.db import MODEL_MODULES

    for module in MODEL_MODULES:
        assert module.startswith("core."), module
        assert (ROOT / (module.replace(".", "/") + ".py")).exists(), module


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("from __future__ import annotations\n" + text)
    for floor in FLOORS:
        (tmp_path / floor).mkdir(exist_ok=True)
    return tmp_path


def test_the_floor_rule_catches_a_model_module_named_as_a_string(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "core/db.py": 'MODULES = ["core.cases.models", "bot.models"]\n',
            "core/cases/models.py": "",
            "bot/models.py": "",
        },
    )
    assert upward_imports("core", root) == {"core/db.py": ["bot"]}


def test_the_feature_order_catches_an_import_back_down(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "core/cases/transitions.py": "from core.feedback.board import record_finish\n",
            "core/feedback/board.py": "from core.cases.models import Application\n",
            "core/ports.py": "from core.cases.models import Application\n",
            "core/db.py": 'MODULES = ["core.cases.models"]\n',
            "core/newthing/x.py": "X = 1\n",
        },
    )
    assert feature_order_violations(root) == {
        "core/cases/transitions.py": ["core.feedback"],
        "core/ports.py": ["core.cases"],
        "core/newthing/x.py": ["core.newthing is not in CORE_FEATURES"],
    }


def test_the_adapter_rule_catches_a_core_feature(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "integrations/wechat/client.py": "from core.ports import Clock\n",
            "integrations/tracking/job.py": "from core.cases.context import CaseContext\n",
        },
    )
    assert adapter_violations(root) == {"integrations/tracking/job.py": ["core.cases.context"]}


def test_the_sandbox_rule_catches_a_sandbox_outside_the_roots(tmp_path: Path) -> None:
    licence = "from integrations.licences.sandbox import SandboxLicenceRegistry\n"
    root = _plant(
        tmp_path,
        {
            "notifications/policy_sweep.py": licence,
            "miniapp_api/app.py": licence,
            "citysvc/demo.py": licence,
            "integrations/alipay/sandbox.py": "from integrations.alipay import sandbox_demo\n",
            "integrations/topics/__init__.py": "from integrations.topics.sandbox import X\n",
        },
    )
    assert sandbox_violations(root) == {
        "integrations/topics/__init__.py": ["integrations.topics.sandbox"],
        "notifications/policy_sweep.py": ["integrations.licences.sandbox"],
    }


def test_the_environment_rule_catches_a_reader(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "core/settings.py": "import os\nENV = os.environ\n",
            "notifications/jobs.py": "import os\nBATCH = os.environ.get('CAMPAIGN_BATCH')\n",
            "citysvc/cli.py": "from os import getenv\n",
        },
    )
    assert environment_readers(root) == ["notifications/jobs.py", "citysvc/cli.py"]


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
