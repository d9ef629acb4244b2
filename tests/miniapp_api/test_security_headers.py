"""Files go back as attachments that no browser sniffs; every answer carries the usual
security headers, and the /docs page still works (issue 13, 9)."""

from __future__ import annotations

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _has_common(headers: object) -> None:
    for name, value in COMMON.items():
        assert headers.get(name) == value, name  # type: ignore[attr-defined]
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", "")  # type: ignore[attr-defined]


async def test_materials_are_attachments_never_sniffed(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    case = (await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk))[1]
    file_id = case["materials"][0]["file_id"]
    for path, token in (
        (f"/api/v1/staff/applications/{number}/materials/{file_id}", clerk),
        (f"/api/v1/uploads/{file_id}", citizen),
    ):
        status, body, resp = await api.call("GET", path, token=token)
        assert status == 200 and body == b.PDF
        _has_common(resp.headers)
        assert resp.headers["Content-Type"] == "application/pdf"
        assert resp.headers["Content-Disposition"] == f'attachment; filename="{file_id}.pdf"'
        assert "no-store" in resp.headers["Cache-Control"]


async def test_every_answer_has_the_headers_and_docs_still_load(api: Api) -> None:
    for path, status in (("/healthz", 200), ("/api/v1/me", 401), ("/nowhere", 404)):
        got, _, resp = await api.call("GET", path)
        assert got == status
        _has_common(resp.headers)
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    status, page, resp = await api.call("GET", "/docs")
    assert status == 200 and "citysvc API 文档" in str(page)  # the page ships in the package
    _has_common(resp.headers)
    # the documentation page loads its script and styles: no default-src on it
    assert "default-src" not in resp.headers["Content-Security-Policy"]
    status, _, resp = await api.call("GET", "/docs/openapi.json")
    assert status == 200
