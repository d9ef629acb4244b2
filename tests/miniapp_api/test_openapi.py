"""The OpenAPI document: valid, complete, true to real answers, usable by a TypeScript client."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from core.messages import MESSAGES
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.docs import doc_of, openapi_path
from tests import builders as b
from tests.harness import Api

BODY_METHODS = {"POST", "PUT", "PATCH"}


async def document(api: Api) -> dict[str, Any]:
    status, doc, _ = await api.call("GET", "/docs/openapi.json")
    assert status == 200
    return dict(doc)


def _routes(api: Api) -> list[Any]:
    """The API's routes: not sanic-ext's own, nor the staff console's pages (HTML for people,
    excluded from the document like /demo/)."""
    return [
        r for r in api.server.app.router.routes if not r.path.startswith(("docs/sanic", "console"))
    ]


async def test_the_document_is_valid_and_every_route_has_schemas(api: Api) -> None:
    doc = await document(api)
    validate(doc)
    assert set(doc["components"]["securitySchemes"]) == {"citizen", "staff"}
    missing = []
    for route in _routes(api):
        info = doc_of(route.handler)
        if info is None:
            missing.append(route.path)
            continue
        path = openapi_path(route.path)
        for method in route.methods:
            op = doc["paths"][path][method.lower()]
            assert op["security"] == ([] if info.auth == "public" else [{info.auth: []}]), path
            if method in BODY_METHODS and info.body is not None:
                [media] = op["requestBody"]["content"].values()
                assert media["schema"], path
            for status, answer in op["responses"].items():
                if status == "204":
                    continue
                assert answer.get("content"), (path, status)
                if int(status) >= 400:
                    enum = _enum(answer)
                    assert enum and set(enum) <= set(MESSAGES), (path, status, enum)
    assert missing == []


def _enum(answer: dict[str, Any]) -> list[str]:
    schema = answer["content"]["application/json"]["schema"]
    return list(schema["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"])


def _examples_valid(doc: dict[str, Any]) -> None:
    for name, schema in doc["components"]["schemas"].items():
        for example in schema.get("examples", []):
            _check(doc, {"$ref": f"#/components/schemas/{name}"}, example)


def _check(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> None:
    resolver_doc = {**schema, "components": doc["components"]}
    jsonschema.validate(value, resolver_doc)


async def test_every_example_fits_its_own_schema(api: Api) -> None:
    _examples_valid(await document(api))


async def test_real_answers_fit_the_documented_schemas(api: Api, wechat: WeChatSandbox) -> None:
    """A journey through the main calls: each answer checked against the document, and
    each error's code found in that operation's enum."""
    doc = await document(api)
    checked: list[str] = []

    async def call(
        method: str, template: str, path: str, token: str | None = None, **kw: Any
    ) -> Any:
        status, body, _ = await api.call(method, path, token=token, **kw)
        answer = doc["paths"][template][method.lower()]["responses"][str(status)]
        if status >= 400:
            assert body["error"]["code"] in _enum(answer), (template, body)
        elif status != 204:
            _check(doc, answer["content"]["application/json"]["schema"], body)
        checked.append(f"{method} {template} {status}")
        return body

    await b.add_item(delivery=("pickup", "ems"))
    code = wechat.issue_code("wxdemo0000000001")
    login = await call("POST", "/api/v1/auth/wechat", "/api/v1/auth/wechat", json={"code": code})
    token = login["token"]
    await call("GET", "/api/v1/me", "/api/v1/me", token)
    await call("GET", "/api/v1/me", "/api/v1/me")  # 401
    body = {"name": "张三", "id_number": "11010519491231002X"}
    await call("POST", "/api/v1/me/realname", "/api/v1/me/realname", token, json=body)
    bad = {"name": "张三", "id_number": "110105194912310021"}
    await call("POST", "/api/v1/me/realname", "/api/v1/me/realname", token, json=bad)
    await call("GET", "/api/v1/items", "/api/v1/items?q=测试", token)
    code_path = "/api/v1/items/{code}"
    await call("GET", code_path, "/api/v1/items/320112-000-XK-00001")
    await call("GET", code_path, "/api/v1/items/nope")
    await call("GET", "/api/v1/notification-templates", "/api/v1/notification-templates")
    tap = {"platform": "wechat", "accepted": ["wx-demo-case-progress"]}
    await call("POST", "/api/v1/consents", "/api/v1/consents", token, json=tap)
    number = await b.file_case(api, token)
    wrong = {"item_code": "320112-000-XK-00001", "delivery": {"method": "pickup"}}
    await call("POST", "/api/v1/applications", "/api/v1/applications", token, json=wrong)
    await call("GET", "/api/v1/applications", "/api/v1/applications", token)
    detail = "/api/v1/applications/{number}"
    await call("GET", detail, f"/api/v1/applications/{number}", token)
    await call("GET", "/api/v1/me/messages", "/api/v1/me/messages", token)
    await call("GET", "/api/v1/topics", "/api/v1/topics", token)
    clerk = await b.staff_token(api, "clerk1")
    await call("GET", "/api/v1/staff/applications", "/api/v1/staff/applications", clerk)
    staff_detail = "/api/v1/staff/applications/{number}"
    await call("GET", staff_detail, f"/api/v1/staff/applications/{number}", clerk)
    acts = "/api/v1/staff/applications/{number}/actions"
    accept = {"action": "accept"}
    await call("POST", acts, acts.replace("{number}", number), clerk, json=accept)
    await call("POST", acts, acts.replace("{number}", number), clerk, json=accept)  # 409
    withdraw = "/api/v1/applications/{number}/withdraw"
    await call("POST", withdraw, f"/api/v1/applications/{number}/withdraw", token)
    await call("GET", "/api/v1/staff/warnings", "/api/v1/staff/warnings", clerk)
    await call("GET", "/healthz", "/healthz")
    assert len(checked) == 22


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_a_generated_typescript_client_type_checks(api: Api, tmp_path: Path) -> None:
    tools = _node_tools()
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(await document(api), ensure_ascii=False))
    # defaults describe what the server assumes; they do not make a request field required
    run = [str(tools / "openapi-typescript"), str(spec), "-o", str(tmp_path / "api.d.ts")]
    run += ["--default-non-nullable", "false"]
    subprocess.run(run, check=True, capture_output=True, timeout=120)
    (tmp_path / "client.ts").write_text(CLIENT, encoding="utf-8")
    tsc = [str(tools / "tsc"), "--strict", "--noEmit", "--target", "es2020", "--lib", "es2020,dom"]
    result = subprocess.run(
        [*tsc, str(tmp_path / "client.ts")], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _node_tools() -> Path:
    """openapi-typescript and tsc from the npm registry, installed once per test directory."""
    home = Path(os.environ.get("CITYSVC_TEST_RUN_DIR", "/tmp/citysvc-test")) / "node"
    bin_dir = home / "node_modules" / ".bin"
    if not (bin_dir / "tsc").exists() or not (bin_dir / "openapi-typescript").exists():
        home.mkdir(parents=True, exist_ok=True)
        (home / "package.json").write_text('{"private": true}')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "openapi-typescript@7", "typescript@5"],
            cwd=home,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return bin_dir


# What a mini-program's calls look like when typed from the document.
CLIENT = """
import type { paths, components } from "./api";

type Json<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
type Answer<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: { [K in S]: { content: { "application/json": infer A } } } }
    ? A : never;

const login: Json<"/api/v1/auth/wechat", "post"> = { code: "081Kq4Ga" };
const filing: Json<"/api/v1/applications", "post"> = {
  item_code: "320112-000-XK-00001",
  form: {},
  materials: [{ name: "申请表", file_id: "48d8" }],
  delivery: { method: "ems", address: { name: "张三", phone: "13812345678", province: "江苏省",
    city: "扬州市", district: "江都区", detail: "龙川路88号" } },
};
function show(detail: Answer<"/api/v1/applications/{number}", "get", 200>): string {
  return detail.timeline.map((step) => `${step.at} ${step.status} ${step.note}`).join("\\n");
}
function inbox(page: Answer<"/api/v1/me/messages", "get", 200>): number {
  return page.items.filter((m) => m.status === "sent").length + page.total;
}
function failed(answer: Answer<"/api/v1/applications", "post", 422>): string {
  const code: "missing_material" | string = answer.error.code;
  return code + answer.error.message;
}
const me: components["schemas"]["Me"] | null = null;
export { login, filing, show, inbox, failed, me };
"""


async def test_every_request_example_passes_the_servers_own_shape_checks(
    api: Api, wechat: WeChatSandbox
) -> None:
    """The documented bodies are ones the validating code accepts: sent as they are, none is
    refused as malformed or for a missing or invalid field (domain answers such as an unknown
    case are expected: the examples name made-up records)."""
    citizen = await b.citizen_token(api, wechat)
    admin = await b.staff_token(api, "admin1", role="admin", department=None)
    refused, sent = [], 0
    for route in _routes(api):
        info = doc_of(route.handler)
        if info is None or info.body is None or info.media != "application/json":
            continue
        example = info.body.model_json_schema()["examples"][0]
        path = re.sub(
            r"\{(\w+)\}",
            lambda m: "1" if m.group(1).endswith("_id") else "20261126-000001-2",
            openapi_path(route.path),
        )
        token = {"citizen": citizen, "staff": admin, "public": None}[info.auth]
        for method in route.methods:
            status, body, _ = await api.call(method, path, token=token, json=example)
            sent += 1
            code = body["error"]["code"] if status >= 400 else None
            if status == 400 or code in ("missing_field", "invalid_value"):
                refused.append((method, path, status, body))
    assert refused == [] and sent >= 15, sent  # every JSON body the API takes
