"""Operations endpoints, the error shape for unrouted requests, and the OpenAPI document."""

from __future__ import annotations

from tests.harness import Api


async def test_health_and_ready(api: Api) -> None:
    assert (await api.call("GET", "/healthz"))[0] == 200
    status, body, _ = await api.call("GET", "/readyz")
    assert status == 200
    assert body["checks"] == {"database": True}


async def test_unknown_path_and_method_use_error_shape(api: Api) -> None:
    status, body, _ = await api.call("GET", "/api/v1/nothing-here")
    assert status == 404
    assert body["error"]["code"] == "not_found"
    status, body, _ = await api.call("DELETE", "/healthz")
    assert status == 405
    assert set(body["error"]) == {"code", "message", "details"}


async def test_openapi_document_lists_contract_paths(api: Api) -> None:
    status, doc, _ = await api.call("GET", "/docs/openapi.json")
    assert status == 200
    for path in ("/api/v1/auth/wechat", "/api/v1/auth/alipay", "/api/v1/me", "/readyz"):
        assert path in doc["paths"], path
    status, page, _ = await api.call("GET", "/docs")
    assert status == 200 and "<html" in page.lower()


async def test_ids_beyond_the_database_range_are_404(api: Api) -> None:
    from tests import builders as b

    admin = await b.staff_token(api, "admin9", role="admin", department=None)
    for huge in ("7875891320493146449641472", "-5", "0"):
        path = f"/api/v1/staff/campaigns/{huge}"
        status, body, _ = await api.call("GET", path, token=admin)
        assert (status, body["error"]["code"]) == (404, "not_found"), path


async def test_row_ids_in_paths_are_documented_as_integers(api: Api) -> None:
    _, doc, _ = await api.call("GET", "/docs/openapi.json")
    [param] = doc["paths"]["/api/v1/staff/campaigns/{campaign_id}"]["get"]["parameters"]
    assert param["schema"] == {"type": "integer", "format": "int64", "minimum": 1}
    status, _, _ = await api.call("GET", "/api/v1/staff/campaigns/1")
    assert status == 401  # still routed (and then asks who is calling)


async def test_the_document_describes_the_error_shape_and_statuses(api: Api) -> None:
    _, doc, _ = await api.call("GET", "/docs/openapi.json")
    described = doc["info"]["description"]
    assert '{"error": {"code", "message", "details"}}' in described
    for row in ("| 409 | `conflict` |", "| 422 | `invalid_value` |", "| 429 | `rate_limited` |"):
        assert row in described, row
