"""Chinese search: ranking on the demo catalogue, audience, paging, lazy rebuilds."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.catalogue import search
from core.catalogue.importer import DEMO_CATALOGUE, import_items
from core.catalogue.search import IndexedItem, SearchIndex, query_terms, terms
from core.catalogue.service import get_item, search_items
from core.catalogue.validation import validate_rows
from core.db import close_db, init_db
from core.errors import InvalidInput, NotFound
from core.paging import DEFAULT_PER_PAGE as PAGE_SIZE
from core.paging import Page
from tests.core.catalogue.test_validation import good_row

ROWS: list[dict[str, Any]] = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))


def demo_index() -> SearchIndex:
    names = {r["department"]: r["department_name"] for r in ROWS if "department_name" in r}
    docs = []
    for row, _ in validate_rows(ROWS):
        assert row is not None
        docs.append(
            IndexedItem(
                code=row.code,
                version=1,
                name=row.name,
                department_code=row.department,
                department_name=names[row.department],
                kind=row.kind,
                audience=row.audience,
                keywords=row.keywords,
                material_names=tuple(m.name for m in row.materials),
                conditions=row.conditions,
                legal_days=row.legal_days,
                promised_days=row.promised_days,
                fee=row.fee,
                no_visit=row.no_visit,
                delivery=row.delivery,
            )
        )
    return SearchIndex.build(docs)


INDEX = demo_index()


def names(q: str, audience: str | None = None) -> list[str]:
    return [d.name for d in INDEX.search(q, audience)]


# Expectations read from demo_catalogue.json; the reason each wins is noted.
FIRST = [
    ("身份证", "居民身份证首次申领"),  # four names contain it; equal scores, lowest code
    ("营业执照", "营业执照遗失补领、换发"),  # the only name that starts with the query
    ("户口", "户口迁移登记（迁入）"),  # name prefix
    ("护照", "普通护照签发"),
    ("结婚", "内地居民结婚登记"),  # name contains it and keyword equals it
    ("食品", "食品经营许可（新办）"),  # keyword equals it; （变更） only contains it
    ("食品经营许可", "食品经营许可（新办）"),
    ("社保", "失业保险金申领"),  # six items carry the keyword 社保: equal, lowest code
    ("公积金", "住房公积金提取（购买自住住房）"),
    ("出生", "出生登记"),  # three name prefixes; keyword 出生 decides
    ("残疾", "残疾人证核发（新办）"),
    ("退休", "企业职工退休申请及基本养老金核定"),
    ("开公司", "有限责任公司设立登记"),  # keywords only
    ("过户", "国有建设用地使用权及房屋所有权转移登记"),
    ("身份", "居民身份证首次申领"),  # a partial word: bigrams match 身份证
    ("身份证 挂失", "居民身份证挂失补领"),
    ("３２１０１２-000-gg-00101", "居民身份证首次申领"),  # an item code, full-width digits
]


@pytest.mark.parametrize(("q", "first"), FIRST)
def test_expected_item_comes_first(q: str, first: str) -> None:
    assert names(q)[0] == first


def test_name_matches_outrank_material_matches() -> None:
    found = names("身份证")
    assert found[:4] == [
        "居民身份证首次申领",
        "居民身份证换领",
        "居民身份证挂失补领",
        "临时居民身份证申领",
    ]
    assert "普通护照签发" in found  # its material is 居民身份证
    assert names("结婚")[:2] == ["内地居民结婚登记", "补领婚姻登记证"]


def test_partial_query_needs_most_of_its_terms() -> None:
    found = names("食品经营许可")
    assert found[:2] == ["食品经营许可（新办）", "食品经营许可（变更）"]
    assert "人力资源服务许可" not in found  # shares only 许可


def test_audience_filter() -> None:
    assert names("营业执照", "personal") == []
    assert names("公积金", "legal_person") == ["住房公积金单位缴存登记"]
    assert "住房公积金单位缴存登记" not in names("公积金", "personal")


def test_empty_query_lists_all_by_code_and_nonsense_finds_nothing() -> None:
    everything = [d.code for d in INDEX.search("  ")]
    assert everything == sorted(r["code"] for r in ROWS)
    assert names("量子计算机") == []


def test_single_character_query_matches_names() -> None:
    assert "普通护照签发" in names("照")


def test_terms_mix_jieba_words_and_bigrams() -> None:
    assert {"身份证", "身份", "份证", "居民"} <= terms("居民身份证")
    assert query_terms("证") == {"证"}
    assert terms("ＥＭＳ寄递") >= {"ems", "寄递"}


# --- through the database -------------------------------------------------------------


@pytest.fixture
async def catalogue(database_url: str) -> AsyncIterator[None]:
    await init_db(database_url)
    search.forget_index()
    await import_items(ROWS)
    yield
    search.forget_index()
    await close_db()


async def test_search_items_pages_and_totals(catalogue: None) -> None:
    total = len(ROWS)
    pages = [await search_items("", None, Page(n)) for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [PAGE_SIZE, PAGE_SIZE, total - 2 * PAGE_SIZE, 0]
    assert {p["total"] for p in pages} == {total}
    codes = [item["code"] for p in pages for item in p["items"]]
    assert codes == sorted(r["code"] for r in ROWS)
    legal = await search_items("", "legal_person", Page(1, 100))
    assert legal["total"] == sum(r["audience"] == "legal_person" for r in ROWS)
    first = (await search_items("护照"))["items"][0]
    assert first["name"] == "普通护照签发" and first["department"]["code"] == "321012-GA-CRJ"
    assert "materials" not in first and first["promised_days"] == 7


@pytest.mark.parametrize(
    ("q", "audience", "field"),
    [
        ("x" * 51, None, "q"),
        ("", "company", "audience"),
    ],
)
async def test_search_items_rejects_bad_input(
    catalogue: None, q: str, audience: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await search_items(q, audience)
    assert caught.value.details == {"field": field}


async def test_index_is_rebuilt_only_after_a_change(catalogue: None) -> None:
    await search_items("护照")
    built = search.current_index
    first = await built()
    assert await built() is first  # no change: the same index object
    await import_items([good_row(code="321012-000-XK-09999", name="普通护照加注")])
    second = await built()
    assert second is not first
    assert "普通护照加注" in [d.name for d in second.search("护照")]
    await import_items(
        [good_row(code="321012-000-XK-09999", name="普通护照加注", department_name="改名后的大队")]
    )
    third = await built()
    assert third is not second  # a department rename alone is re-indexed too
    renamed = third.search("改名后的大队")
    assert {d.department_name for d in renamed} == {"改名后的大队"}
    assert "321012-000-XK-09999" in {d.code for d in renamed}


async def test_get_item_and_unknown_code(catalogue: None) -> None:
    item = await get_item("321012-000-GG-00101")
    assert item["name"] == "居民身份证首次申领" and item["version"] == 1
    assert item["materials"][0] == {
        "name": "申请人居民户口簿",
        "required": True,
        "license_type": "household_register",
    }
    with pytest.raises(NotFound) as caught:
        await get_item("321012-000-GG-99999")
    assert caught.value.code == "item_not_found"
