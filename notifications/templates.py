"""The template registry: for each event and platform, the template and how data fills it.

Operators edit ``templates.json`` (or the file NOTIFY_TEMPLATES_FILE names). ``load_registry``
reads it and checks everything it can before the first message: known events and platforms,
typed WeChat keys (mini-program and Official Account), Alipay ``keywordN`` keys,
placeholders that exist, relative pages, one key set per template id, and that a sample of
each event renders and fits every field. A bad file stops ``serve`` and ``worker`` at start
with every problem listed, instead of failing message by message at 47003.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from core.cases.machine import NOTICES
from core.clock import CST
from core.errors import SettingsError
from core.ports import MilestoneEvent
from notifications.fitting import FitError, fit_alipay, fit_wechat, key_kind

DEFAULT_FILE = Path(__file__).with_name("templates.json")
PLATFORMS = ("wechat", "alipay")  # the mini-programs: consent-bearing, in the order tried
# The Official Account's template messages: the last channel, for case events only; keys are
# typed like WeChat's (thing1, time2, ...) and values fitted the same way.
OFFICIAL_ACCOUNT = "official_account"
CHANNEL_PLATFORMS = (*PLATFORMS, OFFICIAL_ACCOUNT)
CASE_STATES = (
    "submitted",
    "accepted",
    "refused",
    "supplement_requested",
    "under_review",
    "approved",
    "denied",
    "suspended",
    "extended",
    "result_mailed",
    "delivered",
    "collected",
    "withdrawn",
)
TOPICS = (
    "zhongkao",
    "gaokao",
    "vocational_exam",
    "highway_traffic",
    "bus_routes",
    "food_safety",
    "labour_rights",
)
CASE_EVENTS = frozenset([f"application.{s}" for s in CASE_STATES] + ["shipment.delivery_failed"])
TOPIC_EVENTS = frozenset(f"topic.{t}" for t in TOPICS)
# a citizen's complaint, suggestion or correction answered by the department
FEEDBACK_EVENTS = frozenset({"feedback.replied"})
FEEDBACK_FIELDS = frozenset({"id", "kind", "content", "reply", "time", "date"})
FEEDBACK_KINDS = {"complaint": "投诉", "suggestion": "建议", "correction": "纠错"}
# one push when every case of a one-thing bundle is done (its fields are a case event's:
# number = the bundle number, item_name = the bundle's name)
BUNDLE_EVENTS = frozenset({"bundle.completed"})
# a citizen newly qualifies for a benefit (免申即享): once per policy, ever
POLICY_EVENTS = frozenset({"policy.eligible"})
POLICY_FIELDS = frozenset({"policy_code", "policy_name", "item_name", "time", "date"})
CASE_FIELDS = frozenset(
    {"number", "item_code", "item_name", "status", "status_text", "note", "time", "date"}
)
TOPIC_FIELDS = frozenset({"title", "summary", "topic", "time", "date"})
# The short state names a WeChat ``phrase`` field can carry (at most 5 Chinese characters).
STATUS_LABELS = {
    "submitted": "已提交",
    "accepted": "已受理",
    "refused": "不予受理",
    "supplement_requested": "待补正",
    "under_review": "审查中",
    "approved": "已批准",
    "denied": "不予批准",
    "suspended": "已中止",
    "extended": "已延期",
    "result_mailed": "已寄出",
    "delivered": "已签收",
    "collected": "已领取",
    "withdrawn": "已撤回",
    "delivery_failed": "投递失败",
}
_EXTRA_NOTICES = {"extended": "办理时限已延长", "delivery_failed": "邮件投递未成功，请留意联系"}
_ALIPAY_KEY = re.compile(r"keyword\d+")
MAX_PAGE = 512


@dataclass(frozen=True)
class Template:
    """One event's message on one platform."""

    event: str
    platform: str
    template_id: str
    long_term: bool
    page: str
    data: tuple[tuple[str, str], ...]  # (key, value pattern with {placeholders})

    def render(self, context: Mapping[str, str]) -> tuple[dict[str, str], str]:
        """(fitted data, page) for ``context``; FitError when a value cannot fit."""
        data = {key: self.fit(key, _fill(pattern, context)) for key, pattern in self.data}
        return data, _fill(self.page, context)

    def filled(self, context: Mapping[str, str]) -> list[tuple[str, str]]:
        """(key, value before fitting) for each field: what ``render`` fits."""
        return [(key, _fill(pattern, context)) for key, pattern in self.data]

    def fit(self, key: str, value: str) -> str:
        """``value`` fitted to field ``key`` of this template; FitError when it cannot fit."""
        return fit_alipay(value) if self.platform == "alipay" else fit_wechat(key, value)


@dataclass(frozen=True)
class Registry:
    """Every template, by (event, platform)."""

    templates: Mapping[tuple[str, str], Template]

    def template(self, event: str, platform: str) -> Template | None:
        return self.templates.get((event, platform))

    def for_platform(self, platform: str) -> list[Template]:
        """The platform's templates in event order (what the mini-program asks consent for)."""
        return sorted(
            (t for t in self.templates.values() if t.platform == platform), key=lambda t: t.event
        )

    def template_ids(self, platform: str) -> dict[str, bool]:
        """Template id -> long-term, for the platform."""
        return {t.template_id: t.long_term for t in self.for_platform(platform)}


def _fill(pattern: str, context: Mapping[str, str]) -> str:
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(pattern):
        parts.append(literal)
        if name is not None:
            parts.append(context.get(name, ""))
    return "".join(parts)


def chinese_time(at: datetime) -> str:
    """``2026年11月26日 14:00`` in China Standard Time (WeChat's time-field format)."""
    local = at.astimezone(CST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def case_context(event: MilestoneEvent, item_name: str) -> dict[str, str]:
    """The values a case event's template may use."""
    state = event.event.split(".", 1)[1]
    status_text = NOTICES.get(state) or _EXTRA_NOTICES.get(state, state)
    local = event.at.astimezone(CST)
    return {
        "number": event.number,
        "item_code": event.item_code,
        "item_name": item_name or event.item_code,
        "status": STATUS_LABELS.get(state, "有更新"),
        "status_text": status_text,
        "note": event.note.strip() or status_text,
        "time": chinese_time(event.at),
        "date": f"{local.year}年{local.month}月{local.day}日",
    }


def feedback_context(
    feedback_id: int, kind: str, content: str, reply: str, at: datetime
) -> dict[str, str]:
    """The values a ``feedback.*`` template may use."""
    local = at.astimezone(CST)
    return {
        "id": str(feedback_id),
        "kind": FEEDBACK_KINDS.get(kind, "反馈"),
        "content": content,
        "reply": reply,
        "time": chinese_time(at),
        "date": f"{local.year}年{local.month}月{local.day}日",
    }


def policy_context(policy: str, name: str, item_name: str, at: datetime) -> dict[str, str]:
    """The values a ``policy.eligible`` template may use."""
    local = at.astimezone(CST)
    return {
        "policy_code": policy,
        "policy_name": name,
        "item_name": item_name,
        "time": chinese_time(at),
        "date": f"{local.year}年{local.month}月{local.day}日",
    }


def load_registry(path: Path | None = None) -> Registry:
    """Read and validate the templates file; SettingsError lists every problem found."""
    source = path or DEFAULT_FILE
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError([f"templates file {source}: {exc}"]) from exc
    problems: list[str] = []
    events = raw.get("events") if isinstance(raw, dict) else None
    if not isinstance(events, dict):
        raise SettingsError([f"templates file {source}: needs an object under 'events'"])
    templates: dict[tuple[str, str], Template] = {}
    for event, platforms in events.items():
        for platform, entry in _platforms(event, platforms, problems):
            template = _template(event, platform, entry, problems)
            if template is not None:
                templates[(event, platform)] = template
    _check_shared_ids(templates, problems)
    if problems:
        raise SettingsError([f"templates file {source}: {p}" for p in problems])
    return Registry(templates)


def _platforms(event: str, platforms: Any, problems: list[str]) -> list[tuple[str, Any]]:
    if event not in CASE_EVENTS | TOPIC_EVENTS | FEEDBACK_EVENTS | BUNDLE_EVENTS | POLICY_EVENTS:
        problems.append(f"unknown event '{event}'")
        return []
    if not isinstance(platforms, dict):
        problems.append(f"{event}: needs an object of platforms")
        return []
    unknown = sorted(set(platforms) - set(CHANNEL_PLATFORMS))
    if unknown:
        problems.append(f"{event}: unknown platforms {unknown} (known: {list(CHANNEL_PLATFORMS)})")
    if OFFICIAL_ACCOUNT in platforms and event not in CASE_EVENTS:
        problems.append(f"{event}: '{OFFICIAL_ACCOUNT}' templates are for case events only")
        return [(p, platforms[p]) for p in PLATFORMS if p in platforms]
    return [(p, platforms[p]) for p in CHANNEL_PLATFORMS if p in platforms]


def _template(event: str, platform: str, entry: Any, problems: list[str]) -> Template | None:
    where = f"{event}.{platform}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: needs an object")
        return None
    found = len(problems)
    template_id, page, data = entry.get("template_id"), entry.get("page", ""), entry.get("data")
    long_term = entry.get("long_term", False)
    if not isinstance(template_id, str) or not template_id.strip():
        problems.append(f"{where}: 'template_id' must be a non-empty string")
    if not isinstance(long_term, bool):
        problems.append(f"{where}: 'long_term' must be true or false")
    if not isinstance(page, str) or page[:1] in ("/", " ") or len(page) > MAX_PAGE:
        problems.append(f"{where}: 'page' must be a relative path like pages/case/detail?...")
    if not isinstance(data, dict) or not data or not all(isinstance(v, str) for v in data.values()):
        problems.append(f"{where}: 'data' must map template keys to text")
    if len(problems) > found:
        return None
    values = tuple(cast(dict[str, str], data).items())
    template = Template(event, platform, str(template_id), bool(long_term), str(page), values)
    return template if _check_template(where, template, problems) else None


def _check_template(where: str, template: Template, problems: list[str]) -> bool:
    """Keys, placeholders and a rendered sample; False when a problem was found."""
    found = len(problems)
    fields = CASE_FIELDS
    if template.event in TOPIC_EVENTS:
        fields = TOPIC_FIELDS
    elif template.event in FEEDBACK_EVENTS:
        fields = FEEDBACK_FIELDS
    elif template.event in POLICY_EVENTS:
        fields = POLICY_FIELDS
    for key, pattern in [("page", template.page), *template.data]:
        _check_pattern(where, key, pattern, fields, problems)
    for key, _ in template.data:
        _check_key(where, template.platform, key, problems)
    if len(problems) == found:
        _check_sample(where, template, problems)
    return len(problems) == found


def _check_key(where: str, platform: str, key: str, problems: list[str]) -> None:
    if platform in ("wechat", OFFICIAL_ACCOUNT) and key_kind(key) is None:
        problems.append(f"{where}: '{key}' is not a typed WeChat key (thing1, time2, ...)")
    if platform == "alipay" and not _ALIPAY_KEY.fullmatch(key):
        problems.append(f"{where}: '{key}' is not an Alipay key (keyword1, keyword2, ...)")


def _check_pattern(
    where: str, key: str, pattern: str, fields: frozenset[str], problems: list[str]
) -> None:
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        problems.append(f"{where}.{key}: {exc}")
        return
    for _literal, name, spec, conversion in parsed:
        if name is not None and (name not in fields or spec or conversion):
            problems.append(f"{where}.{key}: unknown placeholder {{{name}}} (use {sorted(fields)})")


def _check_sample(where: str, template: Template, problems: list[str]) -> None:
    """Render a deliberately long sample: every field must fit, and literals must fit as is."""
    context = _sample(template.event)
    for key, pattern in template.data:
        try:
            fitted = template.render(context)[0][key]
        except FitError as exc:
            problems.append(f"{where}.{key}: {exc}")
            continue
        if "{" not in pattern and fitted != pattern:
            problems.append(f"{where}.{key}: the text '{pattern}' breaks the field's rule")


def _sample(event: str) -> dict[str, str]:
    at = datetime(2026, 11, 26, 14, 0, tzinfo=CST)
    if event in TOPIC_EVENTS:
        long_text = "关于二〇二六年本区初中学业水平考试成绩发布及志愿填报安排的通知"
        return {
            "title": long_text,
            "summary": long_text * 2,
            "topic": event[6:],
            "time": chinese_time(at),
            "date": "2026年11月26日",
        }
    if event in FEEDBACK_EVENTS:
        long_text = "您反映的办事指南材料清单与窗口要求不一致的问题已核实并更正，感谢您的监督" * 2
        return feedback_context(123456, "correction", long_text, long_text, at)
    if event in POLICY_EVENTS:
        return policy_context(
            "gaoling_jintie",
            "江都区八十周岁以上老年人高龄津贴（含百岁老人长寿补贴）",
            "江都区高龄津贴申领",
            at,
        )
    note = "请补充近三个月内的社保缴纳证明原件扫描件" * 3
    state = event.split(".", 1)[1]
    sample = MilestoneEvent(
        0, 0, "20261126-000123-7", "0", "320112-000-XK-00001", event, state, note, at
    )
    return case_context(sample, "江都区城乡居民最低生活保障待遇申请审批（含临时救助）")


def _check_shared_ids(templates: Mapping[tuple[str, str], Template], problems: list[str]) -> None:
    """A template id used by several events must declare the same keys and consent kind."""
    seen: dict[tuple[str, str], Template] = {}
    for template in templates.values():
        first = seen.setdefault((template.platform, template.template_id), template)
        same_keys = {k for k, _ in first.data} == {k for k, _ in template.data}
        if not same_keys or first.long_term != template.long_term:
            problems.append(
                f"{template.event}.{template.platform}: template '{template.template_id}' has "
                f"other keys or consent kind than under {first.event}"
            )
