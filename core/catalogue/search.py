"""Chinese search over the catalogue's current item versions.

Terms are jieba's search-mode words plus character bigrams (so 身份 finds 身份证 and a
citizen's half-remembered name still matches), and single characters of item names (so a
one-character query finds something). Each field has a weight; a document's score is the
sum over matched query terms of idf × the weights of the fields holding the term, scaled by
how much of the query it covers. Names that equal, start with or contain the query come
first. The index lives in the process and is rebuilt only when the catalogue changed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import jieba
from tortoise import connections

from core.catalogue.models import Department, ItemVersion

FIELD_WEIGHTS = {"name": 10, "keywords": 6, "materials": 3, "department": 2, "conditions": 1}
# A document must hold at least this share of the query's (idf-weighted) known terms:
# "食品经营许可" should not list every item whose conditions say 许可.
MIN_COVERAGE = 0.5
# A keyword equal to the whole query is the catalogue editor saying "this is what people
# mean by it": such an item scores as if the query matched one more, heavy field.
EXACT_KEYWORD_WEIGHT = 12
# Words jieba's general dictionary splits or misses; they make query words whole.
DOMAIN_WORDS = (
    "营业执照",
    "户口簿",
    "户口本",
    "公积金",
    "社保卡",
    "不动产",
    "出生医学证明",
    "食品经营",
    "经营许可",
    "残疾人证",
    "居住证",
    "护照",
    "港澳通行证",
    "低保",
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
_jieba_lock = threading.Lock()
_jieba_ready = False


def ensure_jieba() -> None:
    """Load jieba's dictionary once per process (about a second), quietly."""
    global _jieba_ready
    with _jieba_lock:
        if _jieba_ready:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for word in DOMAIN_WORDS:
            jieba.add_word(word)
        _jieba_ready = True


def normalise(text: str) -> str:
    """Full-width forms folded (ＡＢＣ１２３ -> abc123, （ -> (), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def terms(text: str) -> frozenset[str]:
    """jieba search words of two or more characters, CJK bigrams and ASCII words."""
    return _terms(normalise(text))


# Material and department names repeat across thousands of items: cut each text once.
@functools.lru_cache(maxsize=65536)
def _terms(text: str) -> frozenset[str]:
    ensure_jieba()  # jieba would otherwise load itself, logging to stderr
    out = {w for w in jieba.cut_for_search(text) if len(w) > 1 and not w.isspace()}
    for run in _CJK.findall(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(_WORD.findall(text))
    return frozenset(w for w in out if _CJK.search(w) or _WORD.fullmatch(w))


def _chars(text: str) -> set[str]:
    return {ch for run in _CJK.findall(normalise(text)) for ch in run}


def query_terms(q: str) -> frozenset[str]:
    """The terms of a query; a single character stands for itself."""
    return terms(q) or frozenset(_chars(q))


@dataclass(frozen=True)
class IndexedItem:
    """What search needs of an item's current version, and what its summary shows."""

    code: str
    version: int
    name: str
    department_code: str
    department_name: str
    kind: str
    audience: str
    keywords: tuple[str, ...]
    material_names: tuple[str, ...]
    conditions: str
    legal_days: int
    promised_days: int
    fee: str | None
    no_visit: bool
    delivery: tuple[str, ...]

    def fields(self) -> dict[str, str]:
        return {
            "name": self.name,
            "keywords": " ".join(self.keywords),
            "materials": " ".join(self.material_names),
            "department": self.department_name,
            "conditions": self.conditions,
        }


def _doc_terms(doc: IndexedItem) -> dict[str, int]:
    """term -> sum of the weights of the fields that hold it."""
    weights: dict[str, int] = defaultdict(int)
    for field, text in doc.fields().items():
        found = terms(text) | (_chars(text) if field == "name" else set())
        for term in found:
            weights[term] += FIELD_WEIGHTS[field]
    return weights


class SearchIndex:
    """An immutable inverted index over ``docs``; build it with ``SearchIndex.build``."""

    def __init__(self, docs: Sequence[IndexedItem], postings: dict[str, dict[int, int]]) -> None:
        self.docs = list(docs)
        self._postings = postings
        self._names = [normalise(d.name) for d in self.docs]
        self._by_code = {normalise(d.code): i for i, d in enumerate(self.docs)}
        by_keyword: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            for keyword in {normalise(k) for k in doc.keywords}:
                by_keyword[keyword].append(i)
        self._by_keyword = dict(by_keyword)
        self._by_order = sorted(range(len(self.docs)), key=lambda i: self.docs[i].code)

    @classmethod
    def build(cls, docs: Iterable[IndexedItem]) -> SearchIndex:
        ensure_jieba()
        doc_list = list(docs)
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        for i, doc in enumerate(doc_list):
            for term, weight in _doc_terms(doc).items():
                postings[term][i] = weight
        return cls(doc_list, dict(postings))

    def _idf(self, term: str) -> float:
        return math.log(1 + len(self.docs) / len(self._postings[term]))

    def _scores(self, q_terms: frozenset[str], compact: str) -> dict[int, float]:
        known = [t for t in q_terms if t in self._postings]
        mass = sum(self._idf(t) for t in known)
        score: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        for term in known:
            idf = self._idf(term)
            for doc, weight in self._postings[term].items():
                score[doc] += idf * weight
                covered[doc] += idf
        found = {
            doc: s * covered[doc] / mass
            for doc, s in score.items()
            if covered[doc] >= MIN_COVERAGE * mass
        }
        for doc in self._by_keyword.get(compact, ()):
            found[doc] = found.get(doc, 0.0) + EXACT_KEYWORD_WEIGHT * max(mass, 1.0)
        if compact in self._by_code:
            found.setdefault(self._by_code[compact], 0.0)
        return found

    def _tier(self, doc: int, compact: str, parts: list[str]) -> int:
        name = self._names[doc]
        if name == compact or self._by_code.get(compact) == doc:
            return 0
        if name.startswith(compact):
            return 1
        return 2 if all(p in name for p in parts) else 3

    def search(self, q: str, audience: str | None = None) -> list[IndexedItem]:
        """Matching items, best first; an empty query lists every item by code."""
        parts = normalise(q).split()
        if not parts:
            return [d for i in self._by_order if _fits(d := self.docs[i], audience)]
        compact = "".join(parts)
        scores = self._scores(query_terms(q), compact)
        ranked = sorted(
            (d for d in scores if _fits(self.docs[d], audience)),
            key=lambda d: (self._tier(d, compact, parts), -scores[d], self.docs[d].code),
        )
        return [self.docs[d] for d in ranked]


def _fits(doc: IndexedItem, audience: str | None) -> bool:
    return audience is None or doc.audience == audience


# --- the process's index, rebuilt when the catalogue changed ----------------------------

_CURRENT_SQL = (
    "SELECT v.* FROM item_version v JOIN service_item i "
    "ON i.code = v.item_id AND i.current_version = v.version"
)
# New versions get ever larger ids; a department rename moves its updated_at.
_REVISION_SQL = (
    "SELECT (SELECT MAX(id) FROM item_version) AS v, (SELECT MAX(updated_at) FROM department) AS d"
)


@dataclass
class _Cached:
    revision: tuple[object, ...] | None = None
    index: SearchIndex | None = None


_cache = _Cached()
_build_lock = threading.Lock()


async def _revision() -> tuple[object, ...]:
    rows = await connections.get("default").execute_query_dict(_REVISION_SQL)
    return (rows[0]["v"], str(rows[0]["d"]))


async def load_docs() -> list[IndexedItem]:
    """Every item's current version, as index documents."""
    names = {d.code: d.name for d in await Department.all()}
    versions = cast(list[ItemVersion], await ItemVersion.raw(_CURRENT_SQL))
    return [_doc(v, names.get(v.department_id, v.department_id)) for v in versions]


def _doc(v: ItemVersion, department_name: str) -> IndexedItem:
    return IndexedItem(
        code=v.item_id,
        version=v.version,
        name=v.name,
        department_code=v.department_id,
        department_name=department_name,
        kind=v.kind,
        audience=v.audience,
        keywords=tuple(v.keywords),
        material_names=tuple(m["name"] for m in v.materials),
        conditions=v.conditions,
        legal_days=v.legal_days,
        promised_days=v.promised_days,
        fee=v.fee,
        no_visit=v.no_visit,
        delivery=tuple(v.delivery),
    )


def _install(revision: tuple[object, ...], docs: list[IndexedItem]) -> SearchIndex:
    # runs in a worker thread: jieba over thousands of items must not stall the event loop
    with _build_lock:
        if _cache.revision != revision or _cache.index is None:
            _cache.index, _cache.revision = SearchIndex.build(docs), revision
        return _cache.index


async def current_index() -> SearchIndex:
    """The index of the catalogue as it is now: one small query, a rebuild only on change."""
    revision = await _revision()
    if _cache.revision == revision and _cache.index is not None:
        return _cache.index
    docs = await load_docs()
    return await asyncio.to_thread(_install, revision, docs)


def forget_index() -> None:
    """Drop the cached index (tests switch databases under one process)."""
    with _build_lock:
        _cache.revision, _cache.index = None, None
