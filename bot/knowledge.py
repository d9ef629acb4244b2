"""Answering free text from the knowledge base (一号答), and handing off what it cannot answer.

Matching. Every question of an entry (its ``question`` and its ``similar`` phrasings) is cut
into words with jieba's search mode; filler words (怎么, 请问, 办理...) are dropped, colloquial
words are folded onto one form (补办/补发 -> 补领, 丢/掉 -> 遗失, 取 -> 提取...) on both sides,
so "身份证丢了怎么补办" and "居民身份证挂失补领" share their words. A question's score
against an entry is the best idf-weighted Dice coefficient over the entry's phrasings (how
much of both the question and the phrasing the shared words cover, rare words counting
more), plus a bonus when one of the entry's keywords appears in the text. The best entry
answers when its score reaches ``CONFIDENT`` and beats the runner-up by ``MARGIN``; else
close entries are offered as choices, and when nothing is close a hand-off to staff is.

The index is built per knowledge-base version, in a worker thread (jieba over a few
thousand phrasings takes a moment), and rebuilt only when a new version is imported.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jieba

from bot import replies
from core.catalogue.models import ItemVersion, ServiceItem
from core.catalogue.search import ensure_jieba, normalise
from core.knowledge.models import HandoffTicket, KbEntry, KbVersion
from core.masking import redact
from core.ports import Clock, SharedState
from integrations import keys

CONFIDENT = 0.6
MARGIN = 0.04
CANDIDATE = 0.3
KEYWORD_BONUS = 0.1
UNION_FACTOR = 0.85
MAX_CHOICES = 3

_FILLER = (
    "怎么 怎么样 怎样 如何 什么 哪里 哪儿 哪个 哪些 需要 可以 能否 能不能 请问 你好 您好 我想 "
    "我要 想要 一下 办理 怎么办 是否 咨询 问下 问问 应该 要求 的话 这个 那个 现在 已经 还是 "
    "谢谢 多少 相关 手续 流程 办个 一个 申请"
)
STOPWORDS = frozenset(_FILLER.split(" "))
# colloquial or variant word -> the one form both sides are folded to
SYNONYMS = {
    **dict.fromkeys(("补办", "补发", "补领", "补", "补证", "重办"), "补领"),
    **dict.fromkeys(("丢", "丢失", "遗失", "掉", "弄丢", "挂失", "找不到"), "遗失"),
    **dict.fromkeys(("取", "取出", "提取", "提出", "支取", "取钱"), "提取"),
    **dict.fromkeys(("迁", "迁移", "迁入", "迁出", "迁户口", "落户", "户口迁移"), "迁移"),
    **dict.fromkeys(("社保", "社会保险", "养老保险"), "社保"),
    **dict.fromkeys(("转", "转移", "转出", "转入", "接续", "转接"), "转移"),
    **dict.fromkeys(("换", "换领", "换发", "换证", "到期", "过期"), "换领"),
    **dict.fromkeys(("户口本", "户口簿"), "户口簿"),
    **dict.fromkeys(("出生证", "出生证明", "出生医学证明"), "出生证明"),
    **dict.fromkeys(("结婚", "领证", "登记结婚"), "结婚"),
    **dict.fromkeys(("失业金", "失业保险金"), "失业保险金"),
    **dict.fromkeys(("看病", "就医", "就诊"), "就医"),
    **dict.fromkeys(("开店", "开饭店", "餐馆", "饭店"), "餐饮"),
    **dict.fromkeys(("周六", "周日", "周末", "双休", "星期六", "星期天"), "周末"),
    **dict.fromkeys(("寄", "邮寄", "快递", "寄递", "寄到"), "邮寄"),
    **dict.fromkeys(("个税", "个人所得税"), "个税"),
}
_FOLDED = frozenset(SYNONYMS.values())
# words jieba does not know as one piece; added once per process
_WORDS = (
    "补办",
    "补领",
    "户口迁移",
    "失业金",
    "失业保险金",
    "出生证明",
    "社保转移",
    "弄丢",
    "找不到",
    "个税",
    "完税",
    "纳税记录",
    "寄到",
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def words(text: str) -> frozenset[str]:
    """The words that matching compares: folded, without filler and lone characters."""
    out = set()
    for word in jieba.cut_for_search(normalise(text)):
        folded = SYNONYMS.get(word, word)
        if folded in STOPWORDS or (len(folded) < 2 and folded not in _FOLDED):
            continue
        if _CJK.search(folded) or folded.isalnum():
            out.add(folded)
    return frozenset(out)


@dataclass(frozen=True)
class Entry:
    """An entry of the answering version, as the matcher and the answer need it."""

    key: str
    question: str
    answer: str
    item_codes: tuple[str, ...]
    keywords: tuple[str, ...]
    phrasings: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """The outcome: ``answer`` when confident, else ``choices`` (possibly none)."""

    answer: Entry | None
    choices: tuple[Entry, ...]
    score: float
    version: int


class KnowledgeIndex:
    """An immutable index of one version's entries."""

    def __init__(self, entries: Sequence[Entry], version: int) -> None:
        ensure_jieba()
        for word in _WORDS:
            jieba.add_word(word)
        self.version = version
        self.entries = list(entries)
        self._phrasings = [[words(p) for p in e.phrasings] for e in self.entries]
        self._bags = [frozenset().union(*variants) for variants in self._phrasings]
        self._keywords = [[normalise(k) for k in e.keywords if len(k) > 1] for e in self.entries]
        df: dict[str, int] = defaultdict(int)
        for bag in self._bags:
            for word in bag:
                df[word] += 1
        n = max(len(self.entries), 1)
        self._idf = {word: math.log(1 + n / count) for word, count in df.items()}
        # A word no entry knows counts as much as the rarest known word: the user may be
        # asking about something the base does not cover (低保), and a wrong answer is
        # worse than handing the question to staff.
        self._unknown_idf = math.log(1 + n)

    def _weight(self, terms: Iterable[str]) -> float:
        return sum(self._idf.get(t, self._unknown_idf) for t in terms)

    def _f2(self, query: frozenset[str], phrasing: frozenset[str]) -> float:
        """F-beta (beta 2) of the shared words: missing a word the user said costs more
        than the phrasing saying one more word than the user."""
        shared = self._weight(query & phrasing)
        if not shared:
            return 0.0
        recall, precision = shared / self._weight(query), shared / self._weight(phrasing)
        return 5 * precision * recall / (4 * precision + recall)

    def _score(self, i: int, query: frozenset[str], compact: str) -> float:
        best = max((self._f2(query, v) for v in self._phrasings[i]), default=0.0)
        known = self._weight(query)
        if known:
            # the user may combine words that the entry's phrasings spread over several
            best = max(best, UNION_FACTOR * self._weight(query & self._bags[i]) / known)
        if best and any(k in compact for k in self._keywords[i]):
            best += KEYWORD_BONUS
        return best

    def score(self, text: str) -> list[tuple[float, int]]:
        """(score, entry index) of every entry sharing anything with ``text``, best first."""
        query, compact = words(text), normalise(text)
        if not query:
            return []
        scored = [(self._score(i, query, compact), i) for i in range(len(self.entries))]
        return sorted(
            ((s, i) for s, i in scored if s > 0),
            key=lambda pair: (-pair[0], self.entries[pair[1]].key),
        )

    def match(self, text: str) -> Match:
        scored = self.score(text)
        if not scored:
            return Match(None, (), 0.0, self.version)
        top, first = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if top >= CONFIDENT and top - runner_up >= MARGIN:
            return Match(self.entries[first], (), top, self.version)
        choices = tuple(self.entries[i] for s, i in scored[:MAX_CHOICES] if s >= CANDIDATE)
        return Match(None, choices, top, self.version)


def _entry(row: KbEntry) -> Entry:
    return Entry(
        key=row.key,
        question=row.question,
        answer=row.answer,
        item_codes=tuple(row.item_codes),
        keywords=tuple(row.keywords),
        phrasings=(row.question, *row.similar),
    )


class KnowledgeBase:
    """The answering version's index, loaded on first use and after each new import.

    The cache is keyed by version and content hash, so one process serving several
    databases (tests) never answers from another database's entries.
    """

    def __init__(self) -> None:
        self._index: KnowledgeIndex | None = None
        self._stamp: tuple[int, str] | None = None
        self._lock = threading.Lock()

    async def index(self) -> KnowledgeIndex:
        latest = await KbVersion.all().order_by("-version").first()
        stamp = (latest.version, latest.content_hash) if latest is not None else (0, "")
        if self._index is not None and self._stamp == stamp:
            return self._index
        rows = await KbEntry.filter(kb_version=stamp[0]).order_by("id")
        return await asyncio.to_thread(self._install, [_entry(row) for row in rows], stamp)

    def _install(self, entries: list[Entry], stamp: tuple[int, str]) -> KnowledgeIndex:
        with self._lock:
            if self._index is None or self._stamp != stamp:
                self._index, self._stamp = KnowledgeIndex(entries, stamp[0]), stamp
            return self._index

    async def match(self, text: str) -> Match:
        return (await self.index()).match(text)

    async def entry(self, key: str) -> Entry | None:
        """An entry of the answering version by key (a choice the user picked)."""
        index = await self.index()
        return next((e for e in index.entries if e.key == key), None)


async def item_names(codes: Iterable[str]) -> dict[str, str]:
    """Current names of catalogue items by code (codes the catalogue lacks are left out)."""
    wanted = list(dict.fromkeys(codes))
    items = await ServiceItem.filter(code__in=wanted).values_list("code", "current_version")
    names: dict[str, str] = {}
    for code, version in items:
        row = await ItemVersion.get_or_none(item_id=code, version=version)
        if row is not None:
            names[str(code)] = row.name
    return names


class KnowledgeDesk:
    """Turns free text into a reply: an answer, choices to pick from, or a hand-off offer.

    What the user was last offered (the question and the choices) is kept in shared state
    for half an hour, so ``1``/``2``/``3`` picks a choice and ``人工`` hands that question
    to staff as a ticket.
    """

    PENDING_TTL = 1800.0

    def __init__(self, app_id: str, clock: Clock, state: SharedState, base: KnowledgeBase) -> None:
        self.app_id = app_id
        self._clock = clock
        self._state = state
        self.base = base

    def _pending_key(self, open_id: str) -> str:
        return f"{keys.BOT_HANDOFF}{self.app_id}:{open_id}"

    async def answer(self, open_id: str, text: str) -> str:
        found = await self.base.match(text)
        if found.answer is not None:
            await self._state.delete(self._pending_key(open_id))
            return await self.render(found.answer)
        pending = {"q": redact(text)[:500], "choices": [c.key for c in found.choices]}
        await self._state.set(self._pending_key(open_id), json.dumps(pending), self.PENDING_TTL)
        if found.choices:
            lines = [f"{n}. {c.question}" for n, c in enumerate(found.choices, start=1)]
            return replies.CHOICES.format(choices="\n".join(lines))
        return replies.NO_MATCH

    async def render(self, entry: Entry) -> str:
        names = await item_names(entry.item_codes)
        if not names:
            return entry.answer
        related = "、".join(names[code] for code in entry.item_codes if code in names)
        return f"{entry.answer}\n\n{replies.RELATED.format(items=related)}"

    async def _pending(self, open_id: str) -> dict[str, Any] | None:
        raw = await self._state.get(self._pending_key(open_id))
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def pick(self, open_id: str, number: int) -> str | None:
        """The answer of choice ``number`` last offered; None when nothing was offered."""
        pending = await self._pending(open_id)
        choices = pending.get("choices", []) if pending else []
        if not 1 <= number <= len(choices):
            return None
        entry = await self.base.entry(str(choices[number - 1]))
        return await self.render(entry) if entry is not None else None

    async def hand_off(self, open_id: str, citizen_id: str | None) -> str:
        """Record a ticket for staff with the question the user last asked."""
        pending = await self._pending(open_id)
        if not pending or not pending.get("q"):
            return replies.HANDOFF_NEEDS_QUESTION
        ticket = await HandoffTicket.create(
            app_id=self.app_id,
            open_id=open_id,
            citizen_id=citizen_id,
            question=str(pending["q"]),
            kb_version=(await self.base.index()).version,
            suggestions=[str(c) for c in pending.get("choices", [])],
            created_at=self._clock.now(),
        )
        await self._state.delete(self._pending_key(open_id))
        return replies.HANDOFF_DONE.format(ticket=f"R{ticket.id:06d}")
