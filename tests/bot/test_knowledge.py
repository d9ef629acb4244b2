"""The knowledge base: import with versions, and matching real-style questions.

The expectations in ``QUESTIONS`` were chosen by reading ``bot/demo_kb.json`` (which entry a
service-hall clerk would give for each question), not by running the matcher.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge import Entry, KnowledgeBase, KnowledgeIndex
from core.clock import CST
from core.knowledge.importer import import_kb
from core.knowledge.models import KbEntry, KbVersion

DEMO_KB = Path(__file__).resolve().parents[2] / "bot" / "demo_kb.json"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CST)


def demo_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DEMO_KB.read_text(encoding="utf-8"))
    return rows


def demo_index() -> KnowledgeIndex:
    entries = [
        Entry(
            r["key"],
            r["question"],
            r["answer"],
            tuple(r["items"]),
            tuple(r["keywords"]),
            (r["question"], *r["similar"]),
        )
        for r in demo_rows()
    ]
    return KnowledgeIndex(entries, 1)


# (what citizens type, the entry that answers it); none of these is a phrasing in the file
QUESTIONS = [
    ("身份证丢了怎么补办", "id-card-reissue"),
    ("我的身份证找不到了", "id-card-reissue"),
    ("身份证过期了", "id-card-renewal"),
    ("身份证坏了能换吗", "id-card-renewal"),
    ("租房能取公积金吗", "housing-fund-rent"),
    ("公积金贷款怎么申请", "housing-fund-loan"),
    ("户口迁到江都要什么", "hukou-move-in"),
    ("户口本丢了", "hukou-book"),
    ("宝宝怎么上户口", "newborn-hukou"),
    ("社保怎么转到江都", "social-security-transfer"),
    ("社保卡丢了", "social-security-card"),
    ("营业执照丢了", "business-licence-lost"),
    ("补办营业执照", "business-licence-lost"),
    ("我想办个体工商户营业执照", "business-licence-individual"),
    ("结婚要带什么材料", "marriage-registration"),
    ("结婚证丢了", "marriage-cert-reissue"),
    ("离婚冷静期是多久", "divorce"),
    ("怎么办理居住证", "residence-permit"),
    ("去外地看病怎么报销", "remote-medical"),
    ("失业金怎么领", "unemployment-benefit"),
    ("我要办护照", "passport"),
    ("开饭店需要什么证", "food-licence"),
    ("个税证明怎么开", "tax-record"),
    ("大厅周六上班吗", "hall-hours"),
    ("办好的证能寄吗", "ems-delivery"),
]
# too vague for one answer: the bot offers these entries to choose from
VAGUE = [
    ("身份证", {"id-card-reissue", "id-card-renewal", "id-card-first"}),
    ("社保断了怎么办", {"social-security-card", "social-security-transfer"}),
]
# nothing in the base: hand-off
UNKNOWN = ["今天天气怎么样", "我要投诉", "残疾人证怎么办", "我想问问低保怎么申请"]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return demo_index()


def test_demo_file_is_big_enough_and_phrasings_differ() -> None:
    rows = demo_rows()
    assert len(rows) >= 20
    phrasings = {p for r in rows for p in (r["question"], *r["similar"])}
    assert not {q for q, _ in QUESTIONS} & phrasings


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_real_style_questions(index: KnowledgeIndex, question: str, expected: str) -> None:
    found = index.match(question)
    assert found.answer is not None, f"{question}: offered {[c.key for c in found.choices]}"
    assert found.answer.key == expected


@pytest.mark.parametrize(("question", "expected"), VAGUE)
def test_vague_questions_offer_choices(
    index: KnowledgeIndex, question: str, expected: set[str]
) -> None:
    found = index.match(question)
    assert found.answer is None
    assert {c.key for c in found.choices} == expected


@pytest.mark.parametrize("question", UNKNOWN)
def test_unknown_questions_find_nothing(index: KnowledgeIndex, question: str) -> None:
    found = index.match(question)
    assert found.answer is None and found.choices == ()


async def test_import_versions_and_rejects(db: str) -> None:
    rows: list[object] = [*demo_rows(), {"key": "Bad Key", "question": "?", "answer": "x"}]
    first = await import_kb(rows, "demo_kb.json", NOW)
    assert (first.version, first.created, first.entries, first.rejected) == (1, True, 30, 1)
    assert first.errors[0].index == 30 and first.errors[0].field == "key"
    again = await import_kb(rows, "demo_kb.json", NOW)
    assert (again.version, again.created) == (1, False)  # same content: no new version

    changed = demo_rows()[:20]
    changed[0]["answer"] = "身份证补领请到户政窗口办理。"
    second = await import_kb(list(changed), "kb-v2.json", NOW)
    assert (second.version, second.created, second.entries) == (2, True, 20)
    assert await KbEntry.filter(kb_version=1).count() == 30  # the old version is kept
    assert await KbVersion.all().count() == 2

    base = KnowledgeBase()
    found = await base.match("身份证丢了怎么补办")
    assert found.version == 2 and found.answer is not None
    assert found.answer.answer == "身份证补领请到户政窗口办理。"


async def test_import_reports_unknown_items_but_keeps_them(db: str) -> None:
    rows: list[object] = [
        {"key": "x", "question": "问题", "answer": "答案", "items": ["NOPE-1"]},
        {"key": "x", "question": "问题二", "answer": "答案"},
        {"key": "y", "question": "", "answer": "答案"},
        {"key": "z", "question": "问题", "answer": "答" * 600},
    ]
    report = await import_kb(rows, "kb.json", NOW)
    assert report.entries == 1 and report.unknown_items == ["NOPE-1"]
    assert [(e.index, e.field) for e in report.errors] == [
        (1, "key"),
        (2, "question"),
        (3, "answer"),
    ]


async def test_nothing_usable_keeps_the_answering_version(db: str) -> None:
    await import_kb(list(demo_rows()), "demo_kb.json", NOW)
    report = await import_kb([{"key": "x"}], "broken.json", NOW)
    assert (report.version, report.created, report.rejected) == (1, False, 1)
