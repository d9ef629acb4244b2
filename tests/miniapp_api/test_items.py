"""The public catalogue endpoints: search, paging, item details and their errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest

from core.catalogue import search
from core.catalogue.importer import DEMO_CATALOGUE, import_items
from tests.core.catalogue.test_validation import good_row
from tests.harness import Api

ROWS: list[dict[str, Any]] = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
ITEM_KEYS = {
    "code",
    "name",
    "department",
    "kind",
    "audience",
    "conditions",
    "materials",
    "process",
    "legal_days",
    "promised_days",
    "fee",
    "no_visit",
    "delivery",
    "keywords",
    "version",
}


@pytest.fixture
async def catalogue(api: Api) -> AsyncIterator[Api]:
    """The running API over the demo catalogue (imported through the server's connection)."""
    search.forget_index()
    report = await import_items(ROWS)
    assert report.rejected == 0
    yield api
    search.forget_index()


async def test_search_ranks_and_filters(catalogue: Api) -> None:
    status, body, _ = await catalogue.call("GET", "/api/v1/items?q=" + quote("身份证"))
    assert status == 200
    assert body["items"][0]["name"] == "居民身份证首次申领"
    assert body["total"] > 4
    status, body, _ = await catalogue.call(
        "GET", "/api/v1/items", params={"q": "营业执照", "audience": "personal"}
    )
    assert (status, body) == (200, {"items": [], "total": 0})
    status, body, _ = await catalogue.call(
        "GET", "/api/v1/items", params={"q": "营业执照", "audience": "legal_person"}
    )
    assert body["items"][0]["name"] == "营业执照遗失补领、换发"


async def test_listing_pages(catalogue: Api) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        status, body, _ = await catalogue.call("GET", f"/api/v1/items?page={page}")
        assert status == 200 and body["total"] == len(ROWS)
        seen += [item["code"] for item in body["items"]]
    assert seen == sorted(r["code"] for r in ROWS)
    status, body, _ = await catalogue.call("GET", "/api/v1/items?page=99")
    assert (status, body["items"], body["total"]) == (200, [], len(ROWS))


async def test_item_details(catalogue: Api) -> None:
    status, body, _ = await catalogue.call("GET", "/api/v1/items/321012-000-XK-00504")
    assert status == 200
    assert set(body) == ITEM_KEYS
    assert body["name"] == "食品经营许可（新办）"
    assert body["department"] == {"code": "321012-SJ", "name": "扬州市江都区市场监督管理局"}
    assert body["materials"][0] == {
        "name": "营业执照",
        "required": True,
        "license_type": "business_license",
    }
    assert body["legal_days"] >= body["promised_days"] and body["version"] == 1


async def test_any_code_without_a_slash_is_addressable(catalogue: Api) -> None:
    odd = "11320112MB1234567X-0001:ç%+"
    assert (await import_items([good_row(code=odd)])).created == 1
    status, body, _ = await catalogue.call("GET", "/api/v1/items/" + quote(odd, safe=""))
    assert status == 200, body
    assert body["code"] == odd


async def test_unknown_item_is_404_in_contract_shape(catalogue: Api) -> None:
    for path in (
        "/api/v1/items/321012-000-XK-99999",
        "/api/v1/items/" + quote("不存在"),
        "/api/v1/items/" + "x" * 300,
    ):
        status, body, _ = await catalogue.call("GET", path)
        assert status == 404, path
        assert body["error"]["code"] == "item_not_found"
        assert set(body["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    "query",
    [
        {"audience": "company"},
        {"q": "证" * 51},
        {"page": "0"},
        {"page": "two"},
        {"page": "-1"},
        {"page": "1.5"},
        {"page": "9" * 5000},
        {"page": "１"},
    ],
)
async def test_bad_query_is_422(catalogue: Api, query: dict[str, str]) -> None:
    status, body, _ = await catalogue.call("GET", "/api/v1/items", params=query)
    assert status == 422
    assert body["error"]["code"] == "invalid_value"
    assert body["error"]["details"]["field"] in query


async def test_catalogue_is_public_and_documented(catalogue: Api) -> None:
    status, _, _ = await catalogue.call("GET", "/api/v1/items", token="not-a-token")
    assert status == 200
    status, doc, _ = await catalogue.call("GET", "/docs/openapi.json")
    assert status == 200
    assert {"/api/v1/items", "/api/v1/items/{code}"} <= set(doc["paths"])
