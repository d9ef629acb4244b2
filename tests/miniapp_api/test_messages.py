"""Every error code the server can answer has a Chinese (and an English) message.

The codes are gathered from the code itself, not from a list kept by hand: every subclass of
the domain and upstream error trees, every ``code=`` written at a raise, every code passed to
a helper whose parameter is named ``code``, and the codes given to Sanic's own exceptions.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

from core import errors as domain
from core.messages import FIELD_LABELS, MESSAGES, render
from integrations import errors as upstream
from miniapp_api import errors as api_errors

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["core", "integrations", "notifications", "bot", "miniapp_api", "citysvc"]
SNAKE = re.compile(r"[a-z][a-z0-9_]*")


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _class_codes() -> set[str]:
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if ".sandbox" in info.name or info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)
    classes = {domain.DomainError, upstream.IntegrationError}
    classes |= _subclasses(domain.DomainError) | _subclasses(upstream.IntegrationError)
    return {cls.code for cls in classes if cls.__module__.split(".")[0] in PACKAGES}


def _module_constants(tree: ast.Module) -> dict[str, str]:
    consts: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            consts[node.targets[0].id] = node.value.value
    return consts


def _literal(node: ast.expr, consts: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    return None


def _written_codes() -> dict[str, str]:
    """code -> where it is written, for every ``code=...`` and every helper(code) call."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "sandbox" in path.name:
                continue  # a sandbox's codes are the platform's, answered to our clients only
            tree = ast.parse(path.read_text(), str(path))
            consts = _module_constants(tree)
            helpers = {
                fn.name: [a.arg for a in fn.args.args].index("code")
                for fn in ast.walk(tree)
                if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                and "code" in [a.arg for a in fn.args.args]
            }
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                values = [k.value for k in call.keywords if k.arg == "code"]
                name = call.func.id if isinstance(call.func, ast.Name) else None
                if name in helpers and len(call.args) > helpers[name]:
                    values.append(call.args[helpers[name]])
                for value in values:
                    code = _literal(value, consts)
                    if code and SNAKE.fullmatch(code):
                        found.setdefault(code, f"{path.relative_to(ROOT)}:{call.lineno}")
    return found


def _sanic_codes() -> set[str]:
    return set(api_errors.SANIC_CODES.values()) | {
        api_errors.FALLBACK_CODE,
        api_errors.INTERNAL_CODE,
    }


def test_every_code_the_server_answers_has_chinese_and_english() -> None:
    codes = _class_codes() | set(_written_codes()) | _sanic_codes()
    written = _written_codes()
    missing = {code: written.get(code, "class attribute") for code in codes - set(MESSAGES)}
    assert missing == {}
    for code in codes:
        zh, en = MESSAGES[code]
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        assert zh.endswith(("。", "？")), code  # whole sentences, as a citizen reads them
        assert en and en.isascii(), code


def test_the_collector_finds_codes_of_every_kind() -> None:
    """The scan itself works: a class code, a keyword code, a helper's positional code and
    a module constant are all found."""
    written = _written_codes()
    assert {"invalid_transition", "signature_invalid"} <= _class_codes()
    assert {"already_verified", "incomplete_address", "not_a_test_recipient"} <= set(written)


def test_variants_and_fields_are_rendered() -> None:
    assert "校验码" in render("invalid_id_number", "zh", {"reason": "check_character"})
    assert render("invalid_id_number", "zh", {"reason": "unheard_of"}) == render(
        "invalid_id_number", "zh", {}
    )
    phone = render("incomplete_address", "zh", {"field": "phone"})
    assert FIELD_LABELS["phone"][0] in phone
    assert "{" not in render("incomplete_address", "zh", {"field": "nonsense"})
    assert "{" not in render("missing_field", "en", {})
    assert render("no_such_code_anywhere", "zh", {}) == MESSAGES["domain_error"][0]
